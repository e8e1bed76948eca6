"""审批联动 under ``/collaboration/approvals``: licensing cases claimed by the responsible
department, returned and re-routed, and their supervision results."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.api.deps import CurrentPrincipal, SessionDep, scope_clauses
from hub.api.routers.collaboration.common import (
    Department,
    Page,
    PageSize,
    Standing,
    State,
    conflict,
    dispatches,
    holds,
    inbox_conditions,
    instance_for,
    instance_join,
    paged,
)
from hub.collaboration import approvals
from hub.errors import NotFoundError, PermissionDenied
from hub.security.tokens import Principal
from hub.store.models.collaboration import ApprovalClaim
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import Actor

router = APIRouter()


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
        WorkflowInstance, instance_join(ApprovalClaim, approvals.WORKFLOW, approvals.SUBJECT)
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
    query = _claims_query().where(*inbox_conditions(principal, department, state))
    total, rows = paged(session, query, page, page_size)
    return ClaimPage(items=[_claim_out(c, i) for c, i in rows], total=total)


@router.get("/approvals/returned", response_model=ClaimPage)
def returned_claims(
    session: SessionDep, principal: CurrentPrincipal, page: Page = 1, page_size: PageSize = 50
) -> ClaimPage:
    """Claims handed back as wrongly routed, for the dispatching centre to re-route."""
    if not (dispatches(principal) or principal.sees_all_departments):
        raise PermissionDenied("returned claims are re-routed by the dispatching centre")
    query = _claims_query().where(
        WorkflowInstance.state == "returned",
        *scope_clauses(principal, region=WorkflowInstance.region_code),
    )
    total, rows = paged(session, query, page, page_size)
    return ClaimPage(items=[_claim_out(c, i) for c, i in rows], total=total)


@router.post("/approvals/{claim_id}/result", response_model=ClaimOut)
def report_supervision(
    claim_id: int, body: SupervisionIn, session: SessionDep, principal: CurrentPrincipal
) -> ClaimOut:
    """The supervision result: published, and sent back to the government services platform."""
    claim = _claim(session, principal, claim_id)
    with conflict(session):
        approvals.report_supervision(
            session,
            claim,
            Actor.of(principal),
            result=body.result,
            note=body.note,
            expected_state=body.expected_state,
        )
    return _claim_out(claim, instance_for(session, approvals, claim.id))


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
    with conflict(session):
        approvals.fire_claim(
            session,
            claim,
            transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            reason=body.reason,
            department_code=body.department_code,
        )
    return _claim_out(claim, instance_for(session, approvals, claim.id))


def _claim(session: Session, principal: Principal, claim_id: int) -> ApprovalClaim:
    """A claim the caller holds, or (the dispatching centre) a returned one in its region."""
    claim = session.get(ApprovalClaim, claim_id)
    if claim is not None:
        instance = instance_for(session, approvals, claim.id)
        dispatching = dispatches(principal) and instance.state == "returned"
        if (holds(principal, instance.department_code) or dispatching) and principal.in_region(
            instance.region_code
        ):
            return claim
    raise NotFoundError(f"no approval claim {claim_id}")
