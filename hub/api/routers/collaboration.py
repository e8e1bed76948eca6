"""Work endpoints of collaboration under ``/api/v1/collaboration`` (hub/collaboration).

抄告抄送 (``/notices``), 协查协办 (``/assistance``), 专项整治 (``/campaigns``), 审批联动
(``/approvals``), the feedback each sends its sender (``/feedback``) and the reminders and
escalations of the engine's hourly check (``/alerts``). Every list is scoped
to the caller's department and region; something held by another department is answered
like an unknown one (404), and asking for another department's inbox is refused (403) unless
the caller is a leader or admin. Every state change is a transition of the workflow engine:
a refusal (wrong state, role, missing field) is HTTP 422 with its reason, a stale
``expected_state`` (someone acted first) HTTP 409.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep, scope_clauses
from hub.collaboration import approvals, assistance, campaigns, notices
from hub.collaboration.common import workflow_instance
from hub.errors import NotFoundError, PermissionDenied
from hub.security.tokens import Principal
from hub.store.base import Base
from hub.store.models.collaboration import (
    ApprovalClaim,
    AssistanceRequest,
    Campaign,
    CampaignTask,
    CollaborationFeedback,
    Notice,
    NoticeRecipient,
)
from hub.store.models.workflow import WorkflowAlert, WorkflowInstance
from hub.workflow import Actor, StaleState

router = APIRouter(prefix="/collaboration", tags=["collaboration"])

MAX_PAGE_SIZE = 200
DISPATCHING_LINE = "SJZY"
Page = Annotated[int, Query(ge=1)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
Department = Annotated[str | None, Query(max_length=50)]
State = Annotated[str | None, Query(pattern=r"^[a-z_]+$")]
Subject = TypeVar("Subject", bound=Base)


class Standing(BaseModel):
    """Where a workflow instance stands."""

    state: str
    department_code: str | None
    due_at: datetime | None
    provisional: bool
    escalation_level: int

    @classmethod
    def of(cls, instance: WorkflowInstance) -> Standing:
        return cls(
            state=instance.state,
            department_code=instance.department_code,
            due_at=instance.due_at,
            provisional=instance.provisional,
            escalation_level=instance.escalation_level,
        )


class Transition(BaseModel):
    """A transition's inputs: the state the caller saw, and the reason or result it needs."""

    expected_state: str | None = Field(default=None, max_length=30)
    reason: str | None = Field(default=None, max_length=4000)
    result: str | None = Field(default=None, max_length=4000)


class ResultIn(BaseModel):
    expected_state: str | None = Field(default=None, max_length=30)
    result: str = Field(min_length=1, max_length=4000)


# 抄告抄送 ------------------------------------------------------------------------------


class NoticeIn(BaseModel):
    origin_type: Literal["case", "inspection"]
    origin_reference: str = Field(min_length=1, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    content: str = Field(min_length=1, max_length=4000)
    recipients: list[str] = Field(min_length=1, max_length=50)


class RecipientOut(BaseModel):
    id: int
    notice_id: int
    department_code: str
    title: str
    content: str
    sender_department: str
    origin_type: str
    origin_reference: str
    result: str | None
    reported_at: datetime | None
    standing: Standing


class NoticeOut(BaseModel):
    id: int
    origin_type: str
    origin_reference: str
    sender_department: str
    title: str
    created_at: datetime
    feedback_at: datetime | None
    recipients: list[RecipientOut]


class RecipientPage(BaseModel):
    items: list[RecipientOut]
    total: int


def _recipient_out(
    notice: Notice, recipient: NoticeRecipient, instance: WorkflowInstance
) -> RecipientOut:
    return RecipientOut(
        id=recipient.id,
        notice_id=notice.id,
        department_code=recipient.department_code,
        title=notice.title,
        content=notice.content,
        sender_department=notice.sender_department,
        origin_type=notice.origin_type,
        origin_reference=notice.origin_reference,
        result=recipient.result,
        reported_at=recipient.reported_at,
        standing=Standing.of(instance),
    )


def _notice_out(session: Session, notice: Notice) -> NoticeOut:
    return NoticeOut(
        id=notice.id,
        origin_type=notice.origin_type,
        origin_reference=notice.origin_reference,
        sender_department=notice.sender_department,
        title=notice.title,
        created_at=notice.created_at,
        feedback_at=notice.feedback_at,
        recipients=[
            _recipient_out(notice, recipient, instance)
            for recipient, instance in notices.recipient_instances(session, notice)
        ],
    )


@router.post("/notices", response_model=NoticeOut, status_code=status.HTTP_201_CREATED)
def send_notice(body: NoticeIn, session: SessionDep, principal: CurrentPrincipal) -> NoticeOut:
    """Send a lead found in one of your cases or inspections to other departments."""
    origin = notices.find_origin(session, body.origin_type, body.origin_reference)
    if not (
        _holds(principal, origin.department_code)
        and principal.in_region(origin.region_code or principal.region_code)
    ):
        raise NotFoundError(f"no {body.origin_type} {body.origin_reference!r}")
    notice = notices.send_notice(
        session,
        origin,
        title=body.title,
        content=body.content,
        recipients=body.recipients,
        sender=Actor.of(principal),
    )
    session.commit()
    return _notice_out(session, notice)


@router.get("/notices/sent", response_model=list[NoticeOut])
def sent_notices(
    session: SessionDep, principal: CurrentPrincipal, page: Page = 1, page_size: PageSize = 50
) -> list[NoticeOut]:
    """The notices your department sent, with each recipient's standing and result."""
    sent = session.scalars(
        select(Notice)
        .where(Notice.sender_department == principal.department_code)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return [_notice_out(session, notice) for notice in sent]


@router.get("/notices/inbox", response_model=RecipientPage)
def notice_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: State = None,
    department: Department = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> RecipientPage:
    """Notices sent to your department (a leader may name another ``department``)."""
    query = (
        select(NoticeRecipient, WorkflowInstance, Notice)
        .join(WorkflowInstance, _instance_of(NoticeRecipient, notices.WORKFLOW, notices.SUBJECT))
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(*_inbox(principal, department, state))
    )
    total, rows = _paged(session, query, page, page_size)
    return RecipientPage(
        items=[_recipient_out(n, r, i) for r, i, n in rows],
        total=total,
    )


@router.post("/notices/inbox/{recipient_id}/{transition}", response_model=RecipientOut)
def fire_notice(
    recipient_id: int,
    transition: Literal["receive", "start_handling", "report"],
    body: Transition,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> RecipientOut:
    """签收 (``receive``), ``start_handling``, or ``report`` with its ``result``."""
    recipient = _held(
        session, principal, NoticeRecipient, recipient_id, notices.WORKFLOW, notices.SUBJECT
    )
    with _conflict(session):
        notices.fire_recipient(
            session,
            recipient,
            transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            result=body.result,
        )
    notice = session.get_one(Notice, recipient.notice_id)
    return _recipient_out(notice, recipient, _instance(session, notices, recipient.id))


# 协查协办 ------------------------------------------------------------------------------


class AssistanceIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=50)
    subject: str = Field(min_length=1, max_length=300)
    content: str = Field(min_length=1, max_length=4000)
    entity_uscc: str | None = Field(default=None, min_length=18, max_length=18)
    region_code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")


class AssistanceOut(BaseModel):
    id: int
    requester_department: str
    department_code: str
    region_code: str
    subject: str
    content: str
    entity_uscc: str | None
    decline_reason: str | None
    result: str | None
    created_at: datetime
    standing: Standing


class AssistancePage(BaseModel):
    items: list[AssistanceOut]
    total: int


def _assistance_out(request: AssistanceRequest, instance: WorkflowInstance) -> AssistanceOut:
    return AssistanceOut(
        id=request.id,
        requester_department=request.requester_department,
        department_code=request.department_code,
        region_code=request.region_code,
        subject=request.subject,
        content=request.content,
        entity_uscc=request.entity_uscc,
        decline_reason=request.decline_reason,
        result=request.result,
        created_at=request.created_at,
        standing=Standing.of(instance),
    )


def _assistance_query() -> Select[AssistanceRequest, WorkflowInstance]:
    return select(AssistanceRequest, WorkflowInstance).join(
        WorkflowInstance,
        _instance_of(AssistanceRequest, assistance.WORKFLOW, assistance.SUBJECT),
    )


@router.post("/assistance", response_model=AssistanceOut, status_code=status.HTTP_201_CREATED)
def request_assistance(
    body: AssistanceIn, session: SessionDep, principal: CurrentPrincipal
) -> AssistanceOut:
    """Ask another department for help (协查协办)."""
    request = assistance.request_assistance(
        session,
        department_code=body.department_code,
        subject=body.subject,
        content=body.content,
        requester=Actor.of(principal),
        entity_uscc=body.entity_uscc,
        region_code=body.region_code,
    )
    session.commit()
    return _assistance_out(request, _instance(session, assistance, request.id))


@router.get("/assistance/inbox", response_model=AssistancePage)
def assistance_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: State = None,
    department: Department = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> AssistancePage:
    """Requests for your department's help."""
    query = _assistance_query().where(*_inbox(principal, department, state))
    total, rows = _paged(session, query, page, page_size)
    return AssistancePage(items=[_assistance_out(r, i) for r, i in rows], total=total)


@router.get("/assistance/sent", response_model=AssistancePage)
def assistance_sent(
    session: SessionDep, principal: CurrentPrincipal, page: Page = 1, page_size: PageSize = 50
) -> AssistancePage:
    """Your department's requests, with their answers and results."""
    query = _assistance_query().where(
        AssistanceRequest.requester_department == principal.department_code
    )
    total, rows = _paged(session, query, page, page_size)
    return AssistancePage(items=[_assistance_out(r, i) for r, i in rows], total=total)


@router.post("/assistance/{request_id}/{transition}", response_model=AssistanceOut)
def fire_assistance(
    request_id: int,
    transition: Literal["accept", "decline", "complete"],
    body: Transition,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AssistanceOut:
    """``accept``, ``decline`` (with a ``reason``) or ``complete`` (with its ``result``)."""
    request = _held(
        session, principal, AssistanceRequest, request_id, assistance.WORKFLOW, assistance.SUBJECT
    )
    with _conflict(session):
        assistance.fire_assistance(
            session,
            request,
            transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            reason=body.reason,
            result=body.result,
        )
    return _assistance_out(request, _instance(session, assistance, request.id))


# 专项整治 ------------------------------------------------------------------------------


class CampaignIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    goal: str = Field(min_length=1, max_length=4000)
    starts_on: date
    ends_on: date
    departments: list[str] = Field(min_length=1, max_length=100)
    regions: list[Annotated[str, Field(pattern=r"^[0-9]{6}$")]] = Field(
        min_length=1, max_length=200
    )


class CampaignOut(BaseModel):
    id: int
    name: str
    goal: str
    starts_on: date
    ends_on: date
    lead_department: str
    departments: list[str]
    regions: list[str]


class TaskIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=50)
    region_code: str = Field(pattern=r"^[0-9]{6}$")
    instructions: str = Field(min_length=1, max_length=4000)


class TasksIn(BaseModel):
    tasks: list[TaskIn] = Field(min_length=1, max_length=500)


class TaskOut(BaseModel):
    id: int
    campaign_id: int
    campaign_name: str
    department_code: str
    region_code: str
    instructions: str
    progress_percent: int
    result: str | None
    completed_at: datetime | None
    standing: Standing


class TaskPage(BaseModel):
    items: list[TaskOut]
    total: int


class ProgressIn(BaseModel):
    progress_percent: int = Field(ge=0, le=99)
    content: str = Field(min_length=1, max_length=4000)


class CompletionRowOut(BaseModel):
    department_code: str
    region_code: str
    tasks: int
    completed: int
    late: int
    escalated: int
    progress_percent: int


class CompletionOut(BaseModel):
    campaign: CampaignOut
    tasks: int
    completed: int
    late: int
    rows: list[CompletionRowOut]


def _campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        goal=campaign.goal,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        lead_department=campaign.lead_department,
        departments=list(campaign.departments),
        regions=list(campaign.regions),
    )


def _task_out(task: CampaignTask, instance: WorkflowInstance, campaign: Campaign) -> TaskOut:
    return TaskOut(
        id=task.id,
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        department_code=task.department_code,
        region_code=task.region_code,
        instructions=task.instructions,
        progress_percent=task.progress_percent,
        result=task.result,
        completed_at=task.completed_at,
        standing=Standing.of(instance),
    )


def _led_campaign(session: Session, principal: Principal, campaign_id: int) -> Campaign:
    """A campaign the caller leads, or oversees as a leader in its region (else 404)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not (
        _holds(principal, campaign.lead_department) and principal.in_region(campaign.region_code)
    ):
        raise NotFoundError(f"no campaign {campaign_id}")
    return campaign


@router.post("/campaigns", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
def create_campaign(
    body: CampaignIn, session: SessionDep, principal: CurrentPrincipal
) -> CampaignOut:
    """Start a campaign led by your department, in your region."""
    campaign = campaigns.create_campaign(
        session,
        name=body.name,
        goal=body.goal,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        departments=body.departments,
        regions=body.regions,
        lead=Actor.of(principal),
        region_code=principal.region_code,
    )
    session.commit()
    return _campaign_out(campaign)


@router.post("/campaigns/{campaign_id}/tasks", response_model=list[TaskOut], status_code=201)
def deploy_tasks(
    campaign_id: int, body: TasksIn, session: SessionDep, principal: CurrentPrincipal
) -> list[TaskOut]:
    """Deploy tasks per department and region (the lead department only)."""
    campaign = _led_campaign(session, principal, campaign_id)
    if campaign.lead_department != principal.department_code:
        raise PermissionDenied(f"tasks of campaign {campaign_id} are deployed by its lead")
    tasks = campaigns.deploy_tasks(
        session,
        campaign,
        [campaigns.TaskDraft(t.department_code, t.region_code, t.instructions) for t in body.tasks],
        Actor.of(principal),
    )
    session.commit()
    return [_task_out(task, _instance(session, campaigns, task.id), campaign) for task in tasks]


@router.get("/campaigns/tasks/inbox", response_model=TaskPage)
def task_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: State = None,
    department: Department = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> TaskPage:
    """Campaign tasks deployed to your department."""
    query = (
        select(CampaignTask, WorkflowInstance, Campaign)
        .join(WorkflowInstance, _instance_of(CampaignTask, campaigns.WORKFLOW, campaigns.SUBJECT))
        .join(Campaign, Campaign.id == CampaignTask.campaign_id)
        .where(*_inbox(principal, department, state))
    )
    total, rows = _paged(session, query, page, page_size)
    return TaskPage(items=[_task_out(t, i, c) for t, i, c in rows], total=total)


def _task_action(
    session: Session,
    principal: Principal,
    task_id: int,
    act: Callable[[CampaignTask], object],
) -> TaskOut:
    task = _held(session, principal, CampaignTask, task_id, campaigns.WORKFLOW, campaigns.SUBJECT)
    with _conflict(session):
        act(task)
    campaign = session.get_one(Campaign, task.campaign_id)
    return _task_out(task, _instance(session, campaigns, task.id), campaign)


@router.post("/campaigns/tasks/{task_id}/receive", response_model=TaskOut)
def receive_task(
    task_id: int, body: Transition, session: SessionDep, principal: CurrentPrincipal
) -> TaskOut:
    """签收 a task."""
    actor = Actor.of(principal)
    return _task_action(
        session,
        principal,
        task_id,
        lambda task: campaigns.receive_task(
            session, task, actor, expected_state=body.expected_state
        ),
    )


@router.post("/campaigns/tasks/{task_id}/progress", response_model=TaskOut)
def report_progress(
    task_id: int, body: ProgressIn, session: SessionDep, principal: CurrentPrincipal
) -> TaskOut:
    """Report progress (as often as needed)."""
    actor = Actor.of(principal)
    return _task_action(
        session,
        principal,
        task_id,
        lambda task: campaigns.report_progress(
            session, task, actor, progress_percent=body.progress_percent, content=body.content
        ),
    )


@router.post("/campaigns/tasks/{task_id}/result", response_model=TaskOut)
def report_task_result(
    task_id: int, body: ResultIn, session: SessionDep, principal: CurrentPrincipal
) -> TaskOut:
    """Report the task's result: it is completed and the lead department is told."""
    actor = Actor.of(principal)
    return _task_action(
        session,
        principal,
        task_id,
        lambda task: campaigns.report_result(
            session, task, actor, result=body.result, expected_state=body.expected_state
        ),
    )


@router.get("/campaigns/{campaign_id}/completion", response_model=CompletionOut)
def campaign_completion(
    campaign_id: int, session: SessionDep, principal: CurrentPrincipal
) -> CompletionOut:
    """Per department and region: tasks, completed, late, escalated, mean progress."""
    campaign = _led_campaign(session, principal, campaign_id)
    rows = campaigns.completion(session, campaign)
    return CompletionOut(
        campaign=_campaign_out(campaign),
        tasks=sum(row.tasks for row in rows),
        completed=sum(row.completed for row in rows),
        late=sum(row.late for row in rows),
        rows=[
            CompletionRowOut(
                department_code=row.department_code,
                region_code=row.region_code,
                tasks=row.tasks,
                completed=row.completed,
                late=row.late,
                escalated=row.escalated,
                progress_percent=row.progress_percent,
            )
            for row in rows
        ],
    )


# 审批联动 ------------------------------------------------------------------------------


class ClaimOut(BaseModel):
    id: int
    action_number: str
    licence_kind: str
    item_name: str | None
    accepting_department: str
    department_code: str
    region_code: str | None
    rule: str
    rule_explanation: str
    result_code: str | None
    result_note: str | None
    supervised_at: datetime | None
    standing: Standing


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    total: int


class ClaimTransition(BaseModel):
    expected_state: str | None = Field(default=None, max_length=30)
    reason: str | None = Field(default=None, max_length=4000)
    department_code: str | None = Field(default=None, max_length=50)


class SupervisionIn(BaseModel):
    expected_state: str | None = Field(default=None, max_length=30)
    result: str = Field(min_length=1, max_length=30, description="a supervision_results code")
    note: str | None = Field(default=None, max_length=approvals.NOTE_MAX_LENGTH)


def _claim_out(claim: ApprovalClaim, instance: WorkflowInstance) -> ClaimOut:
    return ClaimOut(
        id=claim.id,
        action_number=claim.action_number,
        licence_kind=claim.licence_kind,
        item_name=claim.item_name,
        accepting_department=claim.accepting_department,
        department_code=claim.department_code,
        region_code=claim.region_code,
        rule=claim.rule,
        rule_explanation=claim.rule_explanation,
        result_code=claim.result_code,
        result_note=claim.result_note,
        supervised_at=claim.supervised_at,
        standing=Standing.of(instance),
    )


def _claims_query() -> Select[ApprovalClaim, WorkflowInstance]:
    return select(ApprovalClaim, WorkflowInstance).join(
        WorkflowInstance, _instance_of(ApprovalClaim, approvals.WORKFLOW, approvals.SUBJECT)
    )


@router.get("/approvals/inbox", response_model=ClaimPage)
def claim_inbox(
    session: SessionDep,
    principal: CurrentPrincipal,
    state: State = None,
    department: Department = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> ClaimPage:
    """Licensing cases for your department to claim and supervise."""
    query = _claims_query().where(*_inbox(principal, department, state))
    total, rows = _paged(session, query, page, page_size)
    return ClaimPage(items=[_claim_out(c, i) for c, i in rows], total=total)


@router.get("/approvals/returned", response_model=ClaimPage)
def returned_claims(
    session: SessionDep, principal: CurrentPrincipal, page: Page = 1, page_size: PageSize = 50
) -> ClaimPage:
    """Claims handed back as wrongly routed, for the dispatching centre to re-route."""
    if not (_dispatches(principal) or principal.sees_all_departments):
        raise PermissionDenied("returned claims are re-routed by the dispatching centre")
    query = _claims_query().where(
        WorkflowInstance.state == "returned",
        *scope_clauses(principal, region=WorkflowInstance.region_code),
    )
    total, rows = _paged(session, query, page, page_size)
    return ClaimPage(items=[_claim_out(c, i) for c, i in rows], total=total)


@router.post("/approvals/{claim_id}/result", response_model=ClaimOut)
def report_supervision(
    claim_id: int, body: SupervisionIn, session: SessionDep, principal: CurrentPrincipal
) -> ClaimOut:
    """The supervision result: published, and sent back to the government services platform."""
    claim = _claim(session, principal, claim_id)
    with _conflict(session):
        approvals.report_supervision(
            session,
            claim,
            Actor.of(principal),
            result=body.result,
            note=body.note,
            expected_state=body.expected_state,
        )
    return _claim_out(claim, _instance(session, approvals, claim.id))


@router.post("/approvals/{claim_id}/{transition}", response_model=ClaimOut)
def fire_claim(
    claim_id: int,
    transition: Literal["claim", "return_claim", "reroute"],
    body: ClaimTransition,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> ClaimOut:
    """``claim`` (认领), ``return_claim`` (退回, a reason) or ``reroute`` (改派, the dispatching
    centre: a reason and the ``department_code``)."""
    claim = _claim(session, principal, claim_id)
    with _conflict(session):
        approvals.fire_claim(
            session,
            claim,
            transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            reason=body.reason,
            department_code=body.department_code,
        )
    return _claim_out(claim, _instance(session, approvals, claim.id))


def _claim(session: Session, principal: Principal, claim_id: int) -> ApprovalClaim:
    """A claim the caller holds, or (the dispatching centre) a returned one in its region."""
    claim = session.get(ApprovalClaim, claim_id)
    if claim is not None:
        instance = _instance(session, approvals, claim.id)
        dispatching = _dispatches(principal) and instance.state == "returned"
        if (_holds(principal, instance.department_code) or dispatching) and principal.in_region(
            instance.region_code
        ):
            return claim
    raise NotFoundError(f"no approval claim {claim_id}")


# Feedback ------------------------------------------------------------------------------


class FeedbackOut(BaseModel):
    id: int
    subject_type: str
    subject_id: int
    kind: str
    from_department: str | None
    message: str
    details: dict[str, Any]
    created_at: datetime


@router.get("/feedback", response_model=list[FeedbackOut])
def feedback(
    session: SessionDep,
    principal: CurrentPrincipal,
    since: datetime | None = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> list[FeedbackOut]:
    """What your department was told about the collaborations it started, latest first."""
    query = select(CollaborationFeedback).where(
        CollaborationFeedback.to_department == principal.department_code
    )
    if since is not None:
        query = query.where(CollaborationFeedback.created_at > since)
    rows = session.scalars(
        query.order_by(CollaborationFeedback.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return [
        FeedbackOut(
            id=row.id,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            kind=row.kind,
            from_department=row.from_department,
            message=row.message,
            details=row.details,
            created_at=row.created_at,
        )
        for row in rows
    ]


class AlertOut(BaseModel):
    id: int
    workflow: str
    subject_type: str
    subject_id: int
    kind: str
    level: int
    state: str
    department_code: str | None
    due_at: datetime | None
    provisional: bool
    created_at: datetime


COLLABORATION_WORKFLOWS = (
    notices.WORKFLOW,
    assistance.WORKFLOW,
    campaigns.WORKFLOW,
    approvals.WORKFLOW,
)


@router.get("/alerts", response_model=list[AlertOut])
def alerts(
    session: SessionDep, principal: CurrentPrincipal, page: Page = 1, page_size: PageSize = 50
) -> list[AlertOut]:
    """Reminders (催办) to your department and escalations (督办) addressed to it, latest
    first, for the four collaborations."""
    rows = session.execute(
        select(WorkflowAlert, WorkflowInstance)
        .join(WorkflowInstance, WorkflowInstance.id == WorkflowAlert.instance_id)
        .where(
            WorkflowAlert.addressee_department == principal.department_code,
            WorkflowInstance.workflow.in_(COLLABORATION_WORKFLOWS),
        )
        .order_by(WorkflowAlert.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return [
        AlertOut(
            id=alert.id,
            workflow=instance.workflow,
            subject_type=instance.subject_type,
            subject_id=instance.subject_id,
            kind=alert.kind,
            level=alert.level,
            state=alert.state,
            department_code=alert.department_code,
            due_at=alert.due_at,
            provisional=alert.provisional,
            created_at=alert.created_at,
        )
        for alert, instance in rows
    ]


# Shared scoping ----------------------------------------------------------------------


def _holds(principal: Principal, department_code: str | None) -> bool:
    """Whether the caller acts for ``department_code`` (leaders and admins for any)."""
    return principal.sees_all_departments or department_code == principal.department_code


def _dispatches(principal: Principal) -> bool:
    return principal.department_code.partition("-")[0] == DISPATCHING_LINE


def _instance_of(model: type[Any], workflow: str, subject_type: str) -> ColumnElement[bool]:
    """The join of a subject table to its workflow instances."""
    return (
        (WorkflowInstance.subject_id == model.id)
        & (WorkflowInstance.subject_type == subject_type)
        & (WorkflowInstance.workflow == workflow)
    )


def _instance(session: Session, module: Any, subject_id: int) -> WorkflowInstance:
    """The instance of a subject of ``module`` (one of the collaboration modules)."""
    return workflow_instance(session, module.WORKFLOW, module.SUBJECT, subject_id)


def _inbox(
    principal: Principal, department: str | None, state: str | None
) -> list[ColumnElement[bool]]:
    """Conditions of an inbox: held by the caller's department (or, for a leader, the named
    one), within the caller's region, optionally in ``state``."""
    holder = department or principal.department_code
    if holder != principal.department_code and not principal.sees_all_departments:
        raise PermissionDenied(f"you act for {principal.department_code}, not {holder}")
    conditions = [
        WorkflowInstance.department_code == holder,
        *scope_clauses(principal, region=WorkflowInstance.region_code),
    ]
    if state:
        conditions.append(WorkflowInstance.state == state)
    return conditions


def _paged(
    session: Session, query: Select[*tuple[Any, ...]], page: int, page_size: int
) -> tuple[int, list[Any]]:
    """The total and one page of ``query``, soonest due first."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(WorkflowInstance.due_at, WorkflowInstance.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return int(total), [tuple(row) for row in rows]


def _held(
    session: Session,
    principal: Principal,
    model: type[Subject],
    subject_id: int,
    workflow: str,
    subject_type: str,
) -> Subject:
    """A subject whose instance the caller's department holds, in its region (else 404)."""
    subject = session.get(model, subject_id)
    if subject is not None:
        instance = workflow_instance(session, workflow, subject_type, subject_id)
        if _holds(principal, instance.department_code) and principal.in_region(
            instance.region_code
        ):
            return subject
    raise NotFoundError(f"no {subject_type} {subject_id}")


@contextmanager
def _conflict(session: Session) -> Iterator[None]:
    """Commit what the block did; a stale state is HTTP 409, anything else rolls back."""
    try:
        yield
    except StaleState as exc:
        session.rollback()
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=str(exc)) from None
    except Exception:
        session.rollback()
        raise
    session.commit()
