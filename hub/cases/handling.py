"""Firing a case's transitions: the engine's checks, then what a transition means for a case.

``fire_case`` is the only way a case moves. After the engine (:func:`hub.workflow.fire`) has
checked and recorded the transition it:

- keeps the case's own record in step: the answer, the satisfaction of the 回访, the time it
  closed, the triage reason;
- counts 退单 (``return_dispatch``) and, past ``max_transfers``
  (``standards/cases/settings.yaml``), sends the case to manual triage instead of letting it
  bounce between departments again;
- refuses to dispatch to a department the hub does not know;
- on ``accept``, takes the dispatcher's correction of what the intake could not decide for a
  case in manual triage (an unknown category, no region or one outside the province):
  ``category_code`` and ``region_code`` fields, checked before anything fires, become the
  case's and its instance's, so that its statistics, its area's view, its time limits by
  category and region and its escalations follow the corrected values;
- sends the status back to the systems the complaints came from (:mod:`hub.cases.status_flow`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.cases.categories import categories
from hub.cases.settings import case_settings
from hub.cases.status_flow import COMPLAINT_WORKFLOW, flow_status
from hub.catalog.dictionaries import department
from hub.errors import NotFoundError
from hub.store.models.cases import Case
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, MissingFields, fire, instance_of
from hub.workflow.timing import utc
from standards.codes.regions import load_regions

WORKFLOW = COMPLAINT_WORKFLOW
SUBJECT = "case"
TRIAGE = "to_triage"
RECLASSIFIED_ON = "accept"
RECLASSIFIED = ("category_code", "region_code")


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
    corrections = _corrections(transition, values)
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
    if corrections:
        _reclassify(session, case, instance, corrections)
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


def _corrections(transition: str, values: Mapping[str, Any]) -> dict[str, str]:
    """The category and region the dispatcher gives on ``accept``, checked: a category of
    ``standards/cases/categories.yaml`` and a GB/T 2260 region of the province; refused on
    any other transition, where they would be recorded and ignored."""
    given = {name: str(values[name]).strip() for name in RECLASSIFIED if values.get(name)}
    if not given:
        return {}
    problems = []
    if transition != RECLASSIFIED_ON:
        problems.append(f"{', '.join(given)}: corrected on {RECLASSIFIED_ON} only")
    category = given.get("category_code")
    if category is not None and category not in categories():
        problems.append(f"category_code: {category!r} is not one of {', '.join(categories())}")
    region = given.get("region_code")
    province = case_settings().province_region_prefix
    if region is not None and not (
        load_regions().is_valid(region) and load_regions().in_province(region, province)
    ):
        problems.append(f"region_code: {region!r} is not a GB/T 2260 region of {province}xxxx")
    if problems:
        raise MissingFields(f"cannot {transition}: " + "; ".join(problems))
    return given


def _reclassify(
    session: Session, case: Case, instance: WorkflowInstance, corrections: Mapping[str, str]
) -> None:
    """The corrected category and region on the case and on its instance (whose attributes
    choose the time limits of the states to come, and whose region the escalations)."""
    case.category_code = corrections.get("category_code", case.category_code)
    case.region_code = corrections.get("region_code", case.region_code)
    instance.attributes = {**(instance.attributes or {}), **corrections}
    instance.region_code = case.region_code
    session.flush()
