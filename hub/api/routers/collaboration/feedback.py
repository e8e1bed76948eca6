"""What the collaborations tell the departments: the feedback each sends its sender
(``/collaboration/feedback``) and the reminders and escalations of the engine's hourly
check (``/collaboration/alerts``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from hub.api.deps import CurrentPrincipal, SessionDep
from hub.api.routers.collaboration.common import Page, PageSize
from hub.collaboration import approvals, assistance, campaigns, notices
from hub.store.models.collaboration import CollaborationFeedback
from hub.store.models.workflow import WorkflowAlert, WorkflowInstance

router = APIRouter()


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
