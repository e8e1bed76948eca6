"""What the intake tells the systems its complaints came from, in bulk.

For each transition of a case the intake opens, the status message ``fire_case`` would send
(:mod:`hub.cases.status_flow`: to 12345 and 12315 on accept) and, for the recorded sources
(the national system), the handling written onto the complaint. A complaint merged into a
case (并单) is told where the case stands: the case's last status message, stating the
case's state now, and its handling. The standing of cases opened in the same chunk is known in
memory; that of stored cases is read in two queries per chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from hub.cases.drafts import Arrival, CaseDraft, Merge, merged_case_id
from hub.cases.handling import SUBJECT, WORKFLOW
from hub.cases.settings import case_settings
from hub.cases.status_flow import StatusNotice, send_notices
from hub.store.bulk import update_rows
from hub.store.models.cases import Case
from hub.store.models.complaints import Complaint
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow.engine import StartedInstance
from hub.workflow.timing import aware

_COMPLAINTS = cast(Table, Complaint.__table__)


@dataclass(frozen=True)
class _Standing:
    """Where a case stands, as a complaint merged into it is told."""

    case_id: int
    tracking_no: str
    state: str
    department_code: str | None
    answer: str | None
    closed_at: datetime | None
    last_fired_at: datetime
    last_status: tuple[str, int, datetime, str | None] | None  # transition, sequence, at, answer


def tell_sources(
    session: Session,
    drafts: Sequence[CaseDraft],
    started: Sequence[StartedInstance],
    merges: Sequence[Merge],
    moment: datetime,
) -> None:
    """The status messages and (recorded sources) the handling on the complaint record, as
    ``fire_case`` sends them for each transition of a new case; a complaint merged into a
    case gets the case's last status message (in the case's state now) and its handling."""
    settings = case_settings()
    recorded = settings.recorded_sources
    notices: list[StatusNotice] = []
    handling: list[dict[str, Any]] = []
    for draft, instance in zip(drafts, started, strict=True):
        arrival = draft.arrival
        for step in instance.steps[1:]:
            if step.transition not in settings.status_transitions:
                continue  # sends no status (as ``send_notices`` would decide)
            notices.append(
                StatusNotice(
                    case_id=draft.id,
                    tracking_no=draft.tracking_no,
                    complaint_id=arrival.id,
                    source=arrival.source,
                    source_number=arrival.source_number,
                    transition=step.transition,
                    sequence=step.sequence,
                    fired_at=moment,
                    state=step.to_state,
                    department_code=step.department_code,
                    answer=None,
                )
            )
        if arrival.source in recorded:
            handling.append(
                _handling(arrival, instance.state, instance.department_code, None, None, moment)
            )
    standing = _standing(session, merges, drafts, started, moment)
    for merge in merges:
        arrival = merge.arrival
        case = standing[merged_case_id(merge, drafts)]
        if arrival.source in recorded:
            handling.append(
                _handling(
                    arrival,
                    case.state,
                    case.department_code,
                    case.answer,
                    case.closed_at,
                    case.last_fired_at,
                )
            )
        if case.last_status is not None:
            transition, sequence, fired_at, answer = case.last_status
            notices.append(
                StatusNotice(
                    case_id=case.case_id,
                    tracking_no=case.tracking_no,
                    complaint_id=arrival.id,
                    source=arrival.source,
                    source_number=arrival.source_number,
                    transition=transition,
                    sequence=sequence,
                    fired_at=fired_at,
                    state=case.state,
                    department_code=case.department_code,
                    answer=answer,
                )
            )
    send_notices(session, notices, fresh=True)  # every complaint here is taken in now
    update_rows(session, _COMPLAINTS, handling)


def _handling(
    arrival: Arrival,
    state: str,
    department_code: str | None,
    answer: str | None,
    closed_at: datetime | None,
    at: datetime,
) -> dict[str, Any]:
    """The handling written onto a recorded source's complaint (status_flow.record_handling)."""
    return {
        "id": arrival.id,
        "status": case_settings().complaint_statuses.get(state, "received"),
        "handling_department_code": department_code,
        "answer": answer,
        "closed_at": closed_at,
        "updated_at": at,
    }


def _standing(
    session: Session,
    merges: Sequence[Merge],
    drafts: Sequence[CaseDraft],
    started: Sequence[StartedInstance],
    moment: datetime,
) -> dict[int, _Standing]:
    """Where each case a complaint was merged into stands: the chunk's own cases from memory,
    stored ones from two queries."""
    status_transitions = case_settings().status_transitions
    standing: dict[int, _Standing] = {}
    stored: set[int] = set()
    for merge in merges:
        if merge.case.case_id is not None:
            stored.add(merge.case.case_id)
            continue
        draft, instance = drafts[merge.case.draft], started[merge.case.draft]
        last = next(
            (s for s in reversed(instance.steps) if s.transition in status_transitions), None
        )
        standing[draft.id] = _Standing(
            case_id=draft.id,
            tracking_no=draft.tracking_no,
            state=instance.state,
            department_code=instance.department_code,
            answer=None,
            closed_at=None,
            last_fired_at=moment,
            last_status=None if last is None else (last.transition, last.sequence, moment, None),
        )
    if stored:
        standing.update(_stored_standing(session, stored, status_transitions))
    return standing


def _stored_standing(
    session: Session, case_ids: set[int], status_transitions: frozenset[str]
) -> dict[int, _Standing]:
    cases = session.execute(
        select(
            Case.id,
            Case.tracking_no,
            Case.answer,
            Case.closed_at,
            WorkflowInstance.id.label("instance_id"),
            WorkflowInstance.state,
            WorkflowInstance.department_code,
        )
        .join(
            WorkflowInstance,
            (WorkflowInstance.workflow == WORKFLOW)
            & (WorkflowInstance.subject_type == SUBJECT)
            & (WorkflowInstance.subject_id == Case.id),
        )
        .where(Case.id.in_(sorted(case_ids)))
    ).all()
    history: dict[int, list[Row[Any]]] = {}
    for step in session.execute(
        select(
            WorkflowTransition.instance_id,
            WorkflowTransition.transition,
            WorkflowTransition.sequence,
            WorkflowTransition.fired_at,
            WorkflowTransition.payload,
            WorkflowTransition.reason,
        )
        .where(WorkflowTransition.instance_id.in_([case.instance_id for case in cases]))
        .order_by(WorkflowTransition.instance_id, WorkflowTransition.sequence.desc())
    ):
        history.setdefault(step.instance_id, []).append(step)
    standing = {}
    for case in cases:
        steps = history[case.instance_id]
        last = next((s for s in steps if s.transition in status_transitions), None)
        last_status = None
        if last is not None:
            answer = (
                last.reason
                if last.transition == "not_accept"
                else last.payload.get("answer") or case.answer
            )
            last_status = (last.transition, last.sequence, aware(last.fired_at), answer)
        standing[case.id] = _Standing(
            case_id=case.id,
            tracking_no=case.tracking_no,
            state=case.state,
            department_code=case.department_code,
            answer=case.answer if case.state != "not_accepted" else steps[0].reason,
            closed_at=case.closed_at,
            last_fired_at=aware(steps[0].fired_at),
            last_status=last_status,
        )
    return standing
