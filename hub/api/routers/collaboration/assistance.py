"""协查协办 under ``/collaboration/assistance``: ask another department for help; it
accepts or declines with its reason, then reports the result."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from sqlalchemy import Select, select

from hub.api.deps import CurrentPrincipal, SessionDep
from hub.api.routers.collaboration.common import (
    Department,
    Page,
    PageSize,
    Standing,
    State,
    Transition,
    conflict,
    held,
    inbox_conditions,
    instance_for,
    instance_join,
    paged,
)
from hub.collaboration import assistance
from hub.store.models.collaboration import AssistanceRequest
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import Actor

router = APIRouter()


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
        instance_join(AssistanceRequest, assistance.WORKFLOW, assistance.SUBJECT),
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
    return _assistance_out(request, instance_for(session, assistance, request.id))


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
    query = _assistance_query().where(*inbox_conditions(principal, department, state))
    total, rows = paged(session, query, page, page_size)
    return AssistancePage(items=[_assistance_out(r, i) for r, i in rows], total=total)


@router.get("/assistance/sent", response_model=AssistancePage)
def assistance_sent(
    session: SessionDep, principal: CurrentPrincipal, page: Page = 1, page_size: PageSize = 50
) -> AssistancePage:
    """Your department's requests, with their answers and results."""
    query = _assistance_query().where(
        AssistanceRequest.requester_department == principal.department_code
    )
    total, rows = paged(session, query, page, page_size)
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
    request = held(
        session, principal, AssistanceRequest, request_id, assistance.WORKFLOW, assistance.SUBJECT
    )
    with conflict(session):
        assistance.fire_assistance(
            session,
            request,
            transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            reason=body.reason,
            result=body.result,
        )
    return _assistance_out(request, instance_for(session, assistance, request.id))
