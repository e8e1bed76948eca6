"""协查协办: a request for another department's help, on ``standards/workflows/assistance.yaml``.

The requested department holds the instance: it accepts the request or declines it with its
reason, then reports the result. The requester is told at each of these steps
(``collaboration_feedback``); a request left unanswered is escalated by the hourly check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.collaboration.common import (
    known_department,
    region_for,
    required_text,
    send_feedback,
    workflow_instance,
)
from hub.errors import DataError
from hub.store.models.collaboration import AssistanceRequest
from hub.store.models.workflow import WorkflowTransition
from hub.workflow import Actor, fire, load_workflow, start
from hub.workflow.timing import utc

WORKFLOW = "assistance"
SUBJECT = "assistance"
FEEDBACK = {
    "accepted": "接收了协查协办请求",
    "declined": "拒绝了协查协办请求",
    "completed": "反馈了协查协办结果",
}


def request_assistance(
    session: Session,
    *,
    department_code: str,
    subject: str,
    content: str,
    requester: Actor,
    entity_uscc: str | None = None,
    region_code: str | None = None,
    now: datetime | None = None,
) -> AssistanceRequest:
    """Ask ``department_code`` for help; the request waits for its acceptance."""
    if requester.department_code is None:
        raise DataError("assistance is requested by a department")
    helper = known_department(department_code.strip())
    if helper == requester.department_code:
        raise DataError("department_code: a department does not request its own help")
    region = region_for(helper, region_code)
    moment = utc(now)
    request = AssistanceRequest(
        requester_department=requester.department_code,
        department_code=helper,
        region_code=region,
        subject=required_text("subject", subject, 300),
        content=required_text("content", content, 4000),
        entity_uscc=entity_uscc,
        created_by=requester.name,
        created_at=moment,
    )
    session.add(request)
    session.flush()
    start(
        session,
        load_workflow(WORKFLOW),
        SUBJECT,
        request.id,
        actor=requester,
        department_code=helper,
        region_code=region,
        now=moment,
    )
    return request


def fire_assistance(
    session: Session,
    request: AssistanceRequest,
    transition: str,
    actor: Actor,
    *,
    expected_state: str | None = None,
    reason: str | None = None,
    result: str | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """Fire ``transition`` on the request and tell the requester what happened."""
    instance = workflow_instance(session, WORKFLOW, SUBJECT, request.id)
    fired = fire(
        session,
        instance,
        transition,
        actor,
        expected_state=expected_state,
        reason=reason,
        fields={"result": result},
        now=now,
    )
    if fired.to_state == "declined":
        request.decline_reason = reason
    if fired.to_state == "completed":
        request.result = str(fired.payload["result"])
    said = FEEDBACK.get(fired.to_state)
    if said is not None:
        detail = request.decline_reason if fired.to_state == "declined" else request.result
        send_feedback(
            session,
            subject_type=SUBJECT,
            subject_id=request.id,
            kind=f"assistance_{fired.to_state}",
            to_department=request.requester_department,
            from_department=request.department_code,
            message=f"{request.department_code} {said}《{request.subject}》"
            + (f"：{detail}" if detail else ""),
            now=fired.fired_at,
        )
    return fired
