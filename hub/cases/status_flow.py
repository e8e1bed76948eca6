"""Status flowing back to the systems a case's complaints came from.

Two paths, both in the transaction of the transition (``standards/cases/settings.yaml``,
``status_flow``):

- **Through the outbox**, to 12345 and 12315: on accept, not accept, answer and close, for each
  complaint of the case whose source has an origin channel (a merged case has several
  complaints, maybe from several systems), a ``case.status`` row to that channel. Its body is
  rendered from ``standards/cases/status_messages.yaml`` in that system's words; the
  channel's ``outbound.case.status`` entry names the message type, and the dispatcher pushes
  it with an idempotency key unique per case, complaint and transition, so a retry never
  sends a status twice.
- **Onto the complaint record**, for the complaints the national system assigned
  (``recorded_sources``): on every transition the case's state (as a canonical complaint
  status), answer, handling department and closing time are written to the complaint, from
  which the national push (``hub.national``, data type ``complaint_handling``) reports the
  handling in its signed batches with per-record receipts: the national interface takes
  batches, not one message per row.

A complaint merged into a case later (并单) is told where the case stands: the last status
message the case sent the others, and for a recorded source the case's handling (the intake
does this, :mod:`hub.cases.intake`). Complaints filed through the public interfaces have
neither path: their status is read back (``hub.cases.public``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.cases.settings import case_settings, read_yaml
from hub.exchange.outbox import enqueue
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import load_workflow
from hub.workflow.timing import aware

EVENT_TYPE = "case.status"
BEIJING = ZoneInfo("Asia/Shanghai")

COMPLAINT_WORKFLOW = "complaint"  # the workflow of standards/workflows/complaint.yaml


@cache
def status_templates() -> dict[str, dict[str, Any]]:
    """Each origin channel's message fields (``status_messages.yaml``)."""
    return dict(read_yaml("status_messages.yaml"))


def department_name(code: str | None) -> str | None:
    """安徽省市场监督管理局 for SCJG-34; the code itself for a line the catalog lacks."""
    from hub.catalog.dictionaries import department
    from hub.catalog.errors import UnknownDepartment

    if code is None:
        return None
    try:
        return department(code).default_name()
    except UnknownDepartment:
        return code


def render_status(template: Mapping[str, Any], values: Mapping[str, str | None]) -> dict[str, str]:
    """A status message's body: each field's value, translated by its table when it has one."""
    body: dict[str, str] = {}
    for target, spec in template.items():
        if isinstance(spec, str):
            value = values.get(spec)
        else:
            raw = values.get(spec["value"])
            value = spec.get("table", {}).get(raw, raw) if raw is not None else None
            extra = values.get(spec.get("append", ""))
            if value is not None and extra:
                value = f"{value}：{extra}"
        if value:
            body[target] = value
    return body


def flow_status(
    session: Session, case: Case, instance: WorkflowInstance, fired: WorkflowTransition
) -> int:
    """Send the status ``fired`` calls for, both ways, for every complaint of the case;
    returns how many outbox messages were queued."""
    complaints = session.scalars(
        select(Complaint)
        .join(CaseComplaint, CaseComplaint.complaint_id == Complaint.id)
        .where(CaseComplaint.case_id == case.id)
        .order_by(Complaint.id)
    ).all()
    return _send(session, case, instance, fired, complaints)


class StatusNotice(NamedTuple):
    """One status message to queue: a transition of a case, told to one of its complaints.

    ``state`` and ``department_code`` are the case's as the message should state them (after
    the transition; now, for a complaint merged later). A named tuple: the intake makes one
    for each complaint.
    """

    case_id: int
    tracking_no: str
    complaint_id: int
    source: str
    source_number: str
    transition: str
    sequence: int
    fired_at: datetime
    state: str
    department_code: str | None
    answer: str | None


def send_notices(session: Session, notices: Sequence[StatusNotice], *, fresh: bool = False) -> int:
    """Queue the outbox messages of ``notices`` (one statement); those whose transition sends
    no status, or whose source has no origin channel, are skipped. Returns how many.
    ``fresh``: each notice's complaint is taken in by the caller's transaction
    (``enqueue``'s ``fresh``: a message's key holds its complaint's id)."""
    settings = case_settings()
    templates = status_templates()
    names: dict[str | None, str | None] = {}
    stamps: dict[datetime, str] = {}
    messages = []
    for notice in notices:
        channel = settings.origin_channels.get(notice.source)
        template = templates.get(channel or "")
        if channel is None or template is None:
            continue
        if notice.transition not in settings.status_transitions:
            continue
        if notice.department_code not in names:
            names[notice.department_code] = department_name(notice.department_code)
        if notice.fired_at not in stamps:
            stamps[notice.fired_at] = _beijing(notice.fired_at)
        values = {
            "source_number": notice.source_number,
            "tracking_no": notice.tracking_no,
            "state": notice.state,
            "answer": notice.answer,
            "handled_at": stamps[notice.fired_at],
            "department_code": notice.department_code,
            "department_name": names[notice.department_code],
        }
        messages.append(
            {
                "destination": channel,
                "event_type": EVENT_TYPE,
                "record_type": "complaint",
                "record_id": notice.complaint_id,
                "payload": {
                    "body": render_status(template, values),
                    "case": notice.tracking_no,
                    "transition": notice.transition,
                },
                "idempotency_key": (
                    f"{channel}:case:{notice.case_id}:{notice.complaint_id}:{notice.sequence}"
                ),
            }
        )
    enqueue(session, messages, fresh=fresh)
    return len(messages)


def _send(
    session: Session,
    case: Case,
    instance: WorkflowInstance,
    fired: WorkflowTransition,
    complaints: Sequence[Complaint],
    *,
    record: bool = True,
) -> int:
    settings = case_settings()
    if record:
        for complaint in complaints:
            if complaint.source in settings.recorded_sources:
                record_handling(complaint, case, instance, fired)
    if fired.transition not in settings.status_transitions:
        return 0
    answer = fired.payload.get("answer") or case.answer
    if fired.transition == "not_accept":
        answer = not_accepted_answer(fired)
    return send_notices(
        session,
        [
            StatusNotice(
                case_id=case.id,
                tracking_no=case.tracking_no,
                complaint_id=complaint.id,
                source=complaint.source,
                source_number=complaint.source_number,
                transition=fired.transition,
                sequence=fired.sequence,
                fired_at=fired.fired_at,
                state=instance.state,
                department_code=instance.department_code,
                answer=answer,
            )
            for complaint in complaints
        ],
    )


def not_accepted_answer(fired: WorkflowTransition) -> str | None:
    """What the complainant is told of a complaint not accepted: the legal ground it was
    refused on (its text in the workflow's ``not_accepted_grounds``), then the reason."""
    grounds = load_workflow(COMPLAINT_WORKFLOW).dictionaries.get("not_accepted_grounds", {})
    ground = grounds.get(str(fired.payload.get("legal_ground", "")))
    if ground is None:
        return fired.reason
    return f"{ground}：{fired.reason}" if fired.reason else ground


def record_handling(
    complaint: Complaint, case: Case, instance: WorkflowInstance, fired: WorkflowTransition
) -> None:
    """The case's handling written onto ``complaint`` (see the module docstring)."""
    statuses = case_settings().complaint_statuses
    complaint.status = statuses.get(instance.state, complaint.status)
    complaint.handling_department_code = instance.department_code
    complaint.answer = (
        case.answer if instance.state != "not_accepted" else not_accepted_answer(fired)
    )
    complaint.closed_at = case.closed_at
    complaint.updated_at = fired.fired_at


def _beijing(moment: datetime) -> str:
    return aware(moment).astimezone(BEIJING).isoformat(timespec="seconds")
