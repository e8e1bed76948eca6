"""Firing a case's transitions: the engine's checks, then what a transition means for a case.

``fire_case`` is the only way a case moves. After the engine (:func:`hub.workflow.fire`) has
checked and recorded the transition it:

- keeps the case's own record in step: the answer, the satisfaction of the 回访, the time it
  closed, the triage reason;
- counts 退单 (``return_dispatch``) and, past ``max_transfers``
  (``standards/cases/settings.yaml``), sends the case to manual triage instead of letting it
  bounce between departments again;
- refuses to dispatch to a department the hub does not know;
- sends the status back to the systems the complaints came from (:mod:`hub.cases.status_flow`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.cases.settings import case_settings
from hub.cases.status_flow import flow_status
from hub.catalog.dictionaries import department
from hub.errors import NotFoundError
from hub.store.models.cases import Case
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, fire, instance_of
from hub.workflow.timing import utc

WORKFLOW = "complaint"
SUBJECT = "case"
TRIAGE = "to_triage"


def case_instance(session: Session, case: Case) -> WorkflowInstance:
    """The case's workflow instance (every case has one from its intake)."""
    instance = instance_of(session, WORKFLOW, SUBJECT, case.id)
    if instance is None:
        raise NotFoundError(f"case {case.tracking_no} has no workflow instance")
    return instance


def fire_case(
    session: Session,
    case: Case,
    transition: str,
    actor: Actor,
    *,
    expected_state: str | None = None,
    reason: str | None = None,
    fields: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> WorkflowTransition:
    """Fire ``transition`` on ``case`` as ``actor`` and apply its consequences."""
    moment = utc(now)
    values = dict(fields or {})
    if values.get("department_code"):
        values["department_code"] = department(str(values["department_code"])).code
    instance = case_instance(session, case)
    fired = fire(
        session,
        instance,
        transition,
        actor,
        expected_state=expected_state,
        reason=reason,
        fields=values,
        now=moment,
    )
    _apply(case, fired, moment)
    flow_status(session, case, instance, fired)
    if (
        fired.transition == "return_dispatch"
        and case.transfer_count > case_settings().max_transfers
    ):
        limit = case_settings().max_transfers
        return fire_case(
            session,
            case,
            TRIAGE,
            Actor.system("cases"),
            reason=f"too many transfers: returned {case.transfer_count} times (limit {limit})",
            now=moment,
        )
    return fired


def _apply(case: Case, fired: WorkflowTransition, moment: datetime) -> None:
    """The case's own fields after ``fired``."""
    payload = fired.payload
    if fired.to_state == "triage":
        case.triage_reason = (fired.reason or "")[:300] or None
    elif fired.transition in ("assign", "reassign"):
        case.triage_reason = None
    if fired.transition == "return_dispatch":
        case.transfer_count += 1
    if fired.transition == "answer":
        case.answer = str(payload["answer"])
    if fired.transition == "visit":
        case.satisfaction = str(payload["satisfaction"])
    if fired.transition == "reopen":
        case.satisfaction = None
    if fired.to_state in ("closed", "not_accepted"):
        case.closed_at = moment
    case.updated_at = moment
