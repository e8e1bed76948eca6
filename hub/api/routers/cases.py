"""Work endpoints of complaint cases (投诉举报) under ``/api/v1/cases``.

Scoped by :mod:`hub.cases.access`: a case outside the caller's view is answered like an
unknown one (404). Personal data is shown in full only to the department holding the case,
and each such view is audited; everyone else sees it masked. Transitions are fired through
the workflow engine: a refusal (wrong state, role, missing field) is HTTP 422 with the
reason, a stale ``expected_state`` (someone acted first) is HTTP 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep
from hub.cases.access import is_dispatcher, visible_clause
from hub.cases.handling import SUBJECT, WORKFLOW, fire_case
from hub.cases.statistics import CaseTally, case_statistics, total
from hub.cases.views import CaseDetail, case_detail, visible_case
from hub.errors import PermissionDenied
from hub.security.tokens import Principal
from hub.store.base import utcnow
from hub.store.models.cases import Case
from hub.store.models.workflow import WorkflowAlert, WorkflowInstance
from hub.workflow import Actor, StaleState
from hub.workflow.timing import aware, utc

router = APIRouter(prefix="/cases", tags=["cases"])

TrackingNo = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,30}$", description="案件编号")]
MAX_PAGE_SIZE = 200


class CaseSummary(BaseModel):
    """A case in a list: no personal data."""

    tracking_no: str
    state: str
    department_code: str | None
    category_code: str | None
    region_code: str | None
    title: str | None
    received_at: datetime
    due_at: datetime | None
    provisional: bool
    overdue: bool
    escalation_level: int
    triage_reason: str | None
    routing_rule: str | None


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    page_size: int


class OriginalPublic(BaseModel):
    source: str
    source_number: str
    relation: str
    similarity: float | None
    blocking_key: str | None
    received_at: datetime
    title: str | None
    content: str | None
    complainant_name: str | None
    complainant_phone: str | None
    complainant_id_number: str | None
    complainant_address: str | None
    complainant_email: str | None


class TransitionPublic(BaseModel):
    sequence: int
    transition: str
    from_state: str | None
    to_state: str
    actor: str
    actor_department: str | None
    actor_role: str
    reason: str | None
    fields: dict[str, Any]
    department_code: str | None
    on_time: bool | None
    fired_at: datetime


class CaseWork(CaseSummary):
    """One case with its complaints (personal data full or masked), history and next steps."""

    kind: str
    source: str
    content: str | None
    address: str | None
    target_uscc: str | None
    target_name: str | None
    routing_explanation: str | None
    transfer_count: int
    answer: str | None
    satisfaction: str | None
    personal_data: Literal["full", "masked"]
    originals: list[OriginalPublic]
    history: list[TransitionPublic]
    available_transitions: list[str]


class TransitionRequest(BaseModel):
    """Fire a transition; ``expected_state`` is the state you saw (a stale one is 409)."""

    transition: str = Field(min_length=1, max_length=50)
    expected_state: str = Field(min_length=1, max_length=30)
    reason: str | None = Field(default=None, max_length=2000)
    fields: dict[str, str] = Field(default_factory=dict)


class AlertPublic(BaseModel):
    tracking_no: str
    kind: str
    level: int
    state: str
    department_code: str | None
    addressee_department: str | None
    due_at: datetime | None
    provisional: bool
    created_at: datetime


class TallyPublic(BaseModel):
    group: str
    cases: int
    open: int
    overdue: int
    answered: int
    answered_on_time: int
    on_time_rate: float | None
    visited: int
    satisfied: int
    satisfaction_rate: float | None


class StatisticsPublic(BaseModel):
    by: str
    groups: list[TallyPublic]
    total: TallyPublic


def _summary(case: Case, instance: WorkflowInstance, now: datetime) -> dict[str, Any]:
    due = instance.due_at
    overdue = bool(due is not None and not instance.terminal and aware(due) < now)
    return {
        "tracking_no": case.tracking_no,
        "state": instance.state,
        "department_code": instance.department_code,
        "category_code": case.category_code,
        "region_code": case.region_code,
        "title": case.title,
        "received_at": case.received_at,
        "due_at": due,
        "provisional": instance.provisional,
        "overdue": overdue,
        "escalation_level": instance.escalation_level,
        "triage_reason": case.triage_reason,
        "routing_rule": case.routing_rule,
    }


def _joined() -> Select[Case, WorkflowInstance]:
    """Cases with their workflow instance (to filter on state, department, deadline)."""
    return select(Case, WorkflowInstance).join(
        WorkflowInstance,
        (WorkflowInstance.subject_type == SUBJECT)
        & (WorkflowInstance.subject_id == Case.id)
        & (WorkflowInstance.workflow == WORKFLOW),
    )


def _page(
    session: Session, query: Select[Case, WorkflowInstance], page: int, page_size: int
) -> CasePage:
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    now = utcnow()
    rows = session.execute(
        query.order_by(WorkflowInstance.due_at, Case.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return CasePage(
        items=[CaseSummary(**_summary(case, instance, now)) for case, instance in rows],
        total=count,
        page=page,
        page_size=page_size,
    )


@router.get("", response_model=CasePage)
def inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: Annotated[str | None, Query(pattern=r"^[a-z_]+$")] = None,
    overdue: bool | None = None,
    due_before: datetime | None = None,
    department: Annotated[str | None, Query(max_length=50)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> CasePage:
    """Your department's cases (a leader or admin may name another ``department`` in scope),
    soonest due first; filter by state, overdue now, or due before a time."""
    holder = department or principal.department_code
    if holder != principal.department_code and not principal.sees_all_departments:
        raise PermissionDenied(f"you act for {principal.department_code}, not {holder}")
    query = _joined().where(WorkflowInstance.department_code == holder, visible_clause(principal))
    if state:
        query = query.where(WorkflowInstance.state == state)
    if overdue is not None:
        late = WorkflowInstance.terminal.is_(False) & (WorkflowInstance.due_at < utcnow())
        query = query.where(late if overdue else ~late)
    if due_before is not None:
        query = query.where(WorkflowInstance.due_at < utc(due_before))
    return _page(session, query, page, page_size)


@router.get("/triage", response_model=CasePage)
def triage_queue(
    session: SessionDep,
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> CasePage:
    """Cases waiting for manual triage, with the reason (the dispatching centre, leaders)."""
    _require_dispatching(principal)
    query = _joined().where(WorkflowInstance.state == "triage", visible_clause(principal))
    return _page(session, query, page, page_size)


@router.get("/alerts", response_model=list[AlertPublic])
def alerts(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> list[AlertPublic]:
    """Reminders (催办) and escalations (督办) addressed to your department, newest first."""
    rows = session.execute(
        select(WorkflowAlert, Case.tracking_no)
        .join(WorkflowInstance, WorkflowInstance.id == WorkflowAlert.instance_id)
        .join(
            Case,
            (WorkflowInstance.subject_type == SUBJECT) & (WorkflowInstance.subject_id == Case.id),
        )
        .where(WorkflowAlert.addressee_department == principal.department_code)
        .order_by(WorkflowAlert.created_at.desc(), WorkflowAlert.id.desc())
        .limit(limit)
    ).all()
    return [
        AlertPublic(
            tracking_no=tracking_no,
            kind=alert.kind,
            level=alert.level,
            state=alert.state,
            department_code=alert.department_code,
            addressee_department=alert.addressee_department,
            due_at=alert.due_at,
            provisional=alert.provisional,
            created_at=alert.created_at,
        )
        for alert, tracking_no in rows
    ]


@router.get("/statistics", response_model=StatisticsPublic)
def statistics(
    session: SessionDep,
    principal: CurrentPrincipal,
    by: Literal["department", "region", "category"] = "department",
    since: datetime | None = None,
    until: datetime | None = None,
) -> StatisticsPublic:
    """Volumes, on-time rate and satisfaction of the cases you may see, by department, city
    or category."""
    tallies = case_statistics(
        session, by=by, scope=[visible_clause(principal)], since=since, until=until
    )
    return StatisticsPublic(
        by=by, groups=[_tally(t) for t in tallies], total=_tally(total(tallies))
    )


@router.get("/{tracking_no}", response_model=CaseWork)
def read_case(
    tracking_no: TrackingNo, session: SessionDep, principal: CurrentPrincipal
) -> CaseWork:
    """One case with its complaints, history and the transitions you may fire."""
    case = visible_case(session, principal, tracking_no)
    detail = case_detail(session, principal, case)
    session.commit()  # the audit entry of a full view of personal data
    return _work(detail)


@router.post("/{tracking_no}/transitions", response_model=CaseWork)
def fire_transition(
    tracking_no: TrackingNo,
    body: TransitionRequest,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CaseWork:
    """Fire a transition of the complaint workflow on the case (see ``available_transitions``)."""
    case = visible_case(session, principal, tracking_no)
    try:
        fire_case(
            session,
            case,
            body.transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            reason=body.reason,
            fields=body.fields,
        )
    except StaleState as exc:
        session.rollback()
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(exc)) from None
    session.commit()
    detail = case_detail(session, principal, case)
    session.commit()  # the audit entry of a full view of personal data
    return _work(detail)


def _require_dispatching(principal: Principal) -> None:
    if not (principal.sees_all_departments or is_dispatcher(principal)):
        raise PermissionDenied("the triage queue is the dispatching centre's")


def _tally(tally: CaseTally) -> TallyPublic:
    return TallyPublic(
        group=tally.group,
        cases=tally.cases,
        open=tally.open,
        overdue=tally.overdue,
        answered=tally.answered,
        answered_on_time=tally.answered_on_time,
        on_time_rate=tally.on_time_rate,
        visited=tally.visited,
        satisfied=tally.satisfied,
        satisfaction_rate=tally.satisfaction_rate,
    )


def _work(detail: CaseDetail) -> CaseWork:
    case, instance = detail.case, detail.instance
    return CaseWork(
        **_summary(case, instance, utcnow()),
        kind=case.kind,
        source=case.source,
        content=case.content,
        address=case.address,
        target_uscc=case.target_uscc,
        target_name=case.target_name,
        routing_explanation=case.routing_explanation,
        transfer_count=case.transfer_count,
        answer=case.answer,
        satisfaction=case.satisfaction,
        personal_data="full" if detail.personal_data else "masked",
        originals=[OriginalPublic(**vars(original)) for original in detail.originals],
        history=[
            TransitionPublic(
                sequence=step.sequence,
                transition=step.transition,
                from_state=step.from_state,
                to_state=step.to_state,
                actor=step.actor,
                actor_department=step.actor_department,
                actor_role=step.actor_role,
                reason=step.reason,
                fields=step.payload,
                department_code=step.department_code,
                on_time=step.on_time,
                fired_at=step.fired_at,
            )
            for step in detail.history
        ],
        available_transitions=detail.available,
    )
