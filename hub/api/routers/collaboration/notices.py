"""抄告抄送 under ``/collaboration/notices``: send a lead found in a case or an inspection
to other departments; each recipient signs for it, handles it and reports its result."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

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
    holds,
    inbox_conditions,
    instance_for,
    instance_join,
    paged,
)
from hub.collaboration import notices
from hub.errors import NotFoundError
from hub.store.models.collaboration import Notice, NoticeRecipient
from hub.store.models.workflow import WorkflowInstance
from hub.workflow import Actor

router = APIRouter()


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
        holds(principal, origin.department_code)
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
        .join(WorkflowInstance, instance_join(NoticeRecipient, notices.WORKFLOW, notices.SUBJECT))
        .join(Notice, Notice.id == NoticeRecipient.notice_id)
        .where(*inbox_conditions(principal, department, state))
    )
    total, rows = paged(session, query, page, page_size)
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
    recipient = held(
        session, principal, NoticeRecipient, recipient_id, notices.WORKFLOW, notices.SUBJECT
    )
    with conflict(session):
        notices.fire_recipient(
            session,
            recipient,
            transition,
            Actor.of(principal),
            expected_state=body.expected_state,
            result=body.result,
        )
    notice = session.get_one(Notice, recipient.notice_id)
    return _recipient_out(notice, recipient, instance_for(session, notices, recipient.id))
