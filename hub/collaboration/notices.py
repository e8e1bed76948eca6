"""抄告抄送: a lead found in a case or an inspection, sent to one or more departments.

Each recipient is its own instance of ``standards/workflows/notice.yaml``, held by the
recipient department: it signs for the notice (签收), handles it and reports its result. A
receipt not signed in time is escalated by the hourly check like any late instance. The
sender is told automatically (``collaboration_feedback``) after each result and once more
when every recipient has reported, with all the results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.collaboration.common import (
    known_department,
    region_for,
    required_text,
    send_feedback,
    workflow_instance,
)
from hub.errors import DataError, NotFoundError
from hub.store.models.actions import Inspection
from hub.store.models.cases import Case
from hub.store.models.collaboration import Notice, NoticeRecipient
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, fire, instance_of, load_workflow, start
from hub.workflow.timing import utc

WORKFLOW = "notice"
SUBJECT = "notice_recipient"
ORIGIN_TYPES = ("case", "inspection")


@dataclass(frozen=True)
class Origin:
    """Where a lead was found: which department holds it, in which region."""

    origin_type: str
    reference: str
    department_code: str | None
    region_code: str | None


def find_origin(session: Session, origin_type: str, reference: str) -> Origin:
    """The case (by tracking number) or inspection (by its number) a notice starts from."""
    if origin_type == "case":
        case = session.scalars(select(Case).where(Case.tracking_no == reference)).one_or_none()
        if case is None:
            raise NotFoundError(f"no case {reference!r}")
        held = instance_of(session, "complaint", "case", case.id)
        return Origin("case", reference, held.department_code if held else None, case.region_code)
    if origin_type == "inspection":
        inspection = session.scalars(
            select(Inspection).where(Inspection.action_number == reference)
        ).one_or_none()
        if inspection is None:
            raise NotFoundError(f"no inspection {reference!r}")
        return Origin("inspection", reference, inspection.department_code, inspection.region_code)
    raise DataError(f"origin_type: {origin_type!r} is not one of {', '.join(ORIGIN_TYPES)}")


def send_notice(
    session: Session,
    origin: Origin,
    *,
    title: str,
    content: str,
    recipients: Sequence[str],
    sender: Actor,
    now: datetime | None = None,
) -> Notice:
    """Send a notice from ``sender``'s department to every recipient department."""
    if sender.department_code is None:
        raise DataError("a notice is sent by a department")
    targets = sorted({known_department(code.strip()) for code in recipients})
    if not targets:
        raise DataError("recipients: at least one department")
    if sender.department_code in targets:
        raise DataError(f"recipients: {sender.department_code} is the sender itself")
    region = region_for(sender.department_code, origin.region_code)
    moment = utc(now)
    notice = Notice(
        origin_type=origin.origin_type,
        origin_reference=origin.reference,
        sender_department=sender.department_code,
        region_code=region,
        title=required_text("title", title, 300),
        content=required_text("content", content, 4000),
        created_by=sender.name,
        created_at=moment,
    )
    session.add(notice)
    session.flush()
    definition = load_workflow(WORKFLOW)
    for code in targets:
        recipient = NoticeRecipient(notice_id=notice.id, department_code=code)
        session.add(recipient)
        session.flush()
        start(
            session,
            definition,
            SUBJECT,
            recipient.id,
            actor=sender,
            attributes={"origin_type": origin.origin_type},
            department_code=code,
            region_code=region_for(code, region),
            now=moment,
        )
    return notice


def fire_recipient(
    session: Session,
    recipient: NoticeRecipient,
    transition: str,
    actor: Actor,
    *,
    expected_state: str | None = None,
    result: str | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """Fire ``transition`` on one recipient's instance; a reported result is fed back."""
    instance = workflow_instance(session, WORKFLOW, SUBJECT, recipient.id)
    fired = fire(
        session,
        instance,
        transition,
        actor,
        expected_state=expected_state,
        fields={"result": result},
        now=now,
    )
    if fired.to_state == "reported":
        _feed_back(session, recipient, str(fired.payload["result"]), fired.fired_at)
    return fired


def _feed_back(session: Session, recipient: NoticeRecipient, result: str, moment: datetime) -> None:
    """Tell the sender this result and, when it was the last, that every recipient reported."""
    notice = session.get_one(Notice, recipient.notice_id)
    recipient.result, recipient.reported_at = result, moment
    send_feedback(
        session,
        subject_type="notice",
        subject_id=notice.id,
        kind="notice_result",
        to_department=notice.sender_department,
        from_department=recipient.department_code,
        message=f"{recipient.department_code} 反馈《{notice.title}》办理结果：{result}",
        details={"recipient": recipient.department_code},
        now=moment,
    )
    session.flush()
    everyone = recipients_of(session, notice)
    if all(each.reported_at is not None for each in everyone):
        notice.feedback_at = moment
        send_feedback(
            session,
            subject_type="notice",
            subject_id=notice.id,
            kind="notice_completed",
            to_department=notice.sender_department,
            from_department=None,
            message=f"《{notice.title}》的 {len(everyone)} 个接收部门均已反馈",
            details={"results": {each.department_code: each.result for each in everyone}},
            now=moment,
        )


def recipients_of(session: Session, notice: Notice) -> list[NoticeRecipient]:
    return list(
        session.scalars(
            select(NoticeRecipient)
            .where(NoticeRecipient.notice_id == notice.id)
            .order_by(NoticeRecipient.department_code)
        )
    )


def recipient_instances(
    session: Session, notice: Notice
) -> list[tuple[NoticeRecipient, WorkflowInstance]]:
    """Every recipient of ``notice`` with where it stands."""
    return [
        (each, workflow_instance(session, WORKFLOW, SUBJECT, each.id))
        for each in recipients_of(session, notice)
    ]
