"""The hub's records as national messages: one function per data type of the profile.

``current_messages(session, data_type)`` answers what the national system should hold of
a data type now: each record's key and message (``standards/national/<data_type>.json``),
read from the canonical store. A record the national system should no longer hold (a
withdrawn catalog item) is absent, like a deleted one; the push turns absence into ``d``.

Times go out in China Standard Time with their offset; fields the hub does not know are
left out rather than sent empty, so the national schema names what is missing. Where the
profile wants a value the store keeps under another word (a complaint's status), the table
is here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.national.profile import record_key
from hub.store.models.actions import CoerciveMeasure, Inspection, Licensing, Penalty
from hub.store.models.catalog import CatalogItem, ImplementationListItem
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.draws import Draw
from hub.store.models.inspection_results import InspectionResult
from hub.store.models.personnel import EnforcementOfficer

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))
LEVELS = ("national", "province", "city", "county", "township")
# The hub's complaint statuses (the 12345 loop) in the profile's words.
COMPLAINT_STATUS = {
    "received": "accepted",
    "accepted": "accepted",
    "dispatched": "handling",
    "handling": "handling",
    "supervised": "handling",
    "answered": "answered",
    "closed": "closed",
    "rejected": "rejected",
}
NATIONAL_COMPLAINT_SOURCE = "national"
"""Complaints the national system assigned (``mappings/national_complaints``): their handling
goes back to it."""

Message = dict[str, Any]


def beijing(moment: datetime | None) -> str | None:
    """A stored moment (SQLite keeps UTC naive) as ISO 8601 in China Standard Time."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CHINA_STANDARD_TIME).isoformat(timespec="seconds")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def compact(message: Message) -> Message:
    """The message without the fields the hub has no value for."""
    return {name: value for name, value in message.items() if value is not None}


def _officers(session: Session) -> dict[str, str]:
    """Enforcement officers' names by certificate number."""
    rows = session.execute(select(EnforcementOfficer.certificate_number, EnforcementOfficer.name))
    return {certificate: name for certificate, name in rows}


def _action(
    row: Inspection | Penalty | CoerciveMeasure | Licensing, officers: dict[str, str]
) -> Message:
    """The common elements of a supervision action (``common.json#/$defs/action``)."""
    return {
        "action_number": row.action_number,
        "action_name": row.action_name,
        "catalog_code": row.catalog_code,
        "implementation_code": row.implementation_code,
        "agency_name": row.agency_name,
        "agency_uscc": row.agency_uscc,
        "entrusted_department": row.entrusted_department,
        "object_name": row.entity_name,
        "counterpart_name": row.entity_name,
        "counterpart_nature": row.counterpart_kind,
        "counterpart_id_type": row.counterpart_id_type,
        "counterpart_id": row.counterpart_id,
        "registered_address": row.registered_address,
        "business_address": row.business_address,
        "region_code": row.region_code,
        "acted_at": beijing(row.acted_at),
        "officers": [
            {"name": officers.get(number, ""), "certificate_number": number}
            for number in row.officers or []
        ],
        "reported_at": beijing(row.reported_at),
        "reporter": row.reporter,
    }


def _inspections(session: Session) -> Iterator[Message]:
    officers = _officers(session)
    for row in session.scalars(select(Inspection).order_by(Inspection.id)):
        yield {
            **_action(row, officers),
            "plan_id": row.plan_id,
            "inspection_form": row.form,
            "inspection_category": row.category,
            "inspection_manner": row.manner,
            "inspection_result": row.result_code,
            "result_description": row.result,
        }


def _penalties(session: Session) -> Iterator[Message]:
    officers = _officers(session)
    for row in session.scalars(select(Penalty).order_by(Penalty.id)):
        yield {
            **_action(row, officers),
            "case_source": row.case_source,
            "inspection_number": row.inspection_number,
            "facts": row.facts,
            "legal_basis": row.legal_basis,
            "procedure": row.procedure,
            "hearing": row.hearing,
            "filed_on": _day(row.filed_on),
            "criminal_transfer": row.criminal_transfer,
            "major_case": row.major_case,
            "legal_review": row.legal_review,
            "collective_discussion": row.collective_discussion,
            "decision_number": row.decision_number,
            "decided_on": _day(row.decided_on),
            "penalty_kinds": list(row.penalty_kinds or []),
            "fine_amount": _number(row.fine_amount),
            "confiscated_amount": _number(row.confiscated_amount),
            "review_or_lawsuit": row.review_or_lawsuit,
            "closed_on": _day(row.closed_on),
            "amount_paid": _number(row.amount_paid),
        }


def _coercive_measures(session: Session) -> Iterator[Message]:
    officers = _officers(session)
    for row in session.scalars(select(CoerciveMeasure).order_by(CoerciveMeasure.id)):
        yield {
            **_action(row, officers),
            "measure_kind": row.measure_kind,
            "legal_basis": row.legal_basis,
            "decision_number": row.decision_number,
            "started_on": _day(row.started_on),
            "ended_on": _day(row.ended_on),
        }


def _licensing(session: Session) -> Iterator[Message]:
    """Decided cases: one still being handled (办理中) is no licensing action yet."""
    officers = _officers(session)
    query = select(Licensing).where(Licensing.decision.is_not(None)).order_by(Licensing.id)
    for row in session.scalars(query):
        yield {
            **_action(row, officers),
            "licence_kind": row.licence_kind,
            "licence_number": row.licence_number,
            "applied_at": beijing(row.applied_at),
            "decided_at": beijing(row.decided_at),
            "decision": row.decision,
            "valid_from": _day(row.valid_from),
            "valid_until": _day(row.valid_until),
        }


def catalog_item_message(row: CatalogItem) -> Message:
    """A published catalog item in the profile (``catalog_item.json``)."""
    return {
        "code": row.code,
        "name": row.name,
        "item_type": "main" if row.is_main else "sub",
        "parent_code": row.parent_code,
        "department_code": row.department_code,
        "department_name": row.department_name,
        "supervision_type": row.supervision_type,
        "supervision_manner": row.supervision_manner,
        "measures": row.measures,
        "objects": row.objects,
        "legal_basis": row.legal_basis,
        "process": row.process,
        "result": row.result,
        "implementing_levels": [row.level] if row.level in LEVELS else [],
        "origin": row.origin,
        "region_code": row.region_code if row.origin == "local" else None,
        "status": "published",
        "version": row.version,
        "updated_at": beijing(row.updated_at),
    }


def _catalog_items(session: Session) -> Iterator[Message]:
    """Published items; a withdrawn one leaves the national catalog (``d``)."""
    query = select(CatalogItem).where(CatalogItem.status == "published").order_by(CatalogItem.id)
    for row in session.scalars(query):
        yield catalog_item_message(row)


def _inspection_plans(session: Session) -> Iterator[Message]:
    """双随机 plans once frozen (then public), under the id ``DRAW-<id>``; the agency is the
    planning department's implementing agency (its implementation list)."""
    agencies: dict[str, tuple[str | None, str]] = {}
    for item in session.scalars(select(ImplementationListItem).order_by(ImplementationListItem.id)):
        if item.department_code:
            agencies.setdefault(item.department_code, (item.agency_name, item.agency_uscc))
    query = select(Draw).where(Draw.frozen_at.is_not(None)).order_by(Draw.id)
    for draw in session.scalars(query):
        agency_name, agency_uscc = agencies.get(draw.department_code, (None, None))
        items = draw.plan.get("items", [])
        departments = sorted({str(item["department"]) for item in items} - {draw.department_code})
        yield {
            "plan_id": f"DRAW-{draw.id}",
            "plan_name": draw.name,
            "agency_name": agency_name,
            "agency_uscc": agency_uscc,
            "joint_departments": departments,
            "catalog_codes": sorted({str(item["code"]) for item in items}),
            "region_code": draw.region_code,
            "planned_from": date(draw.year, 1, 1).isoformat(),
            "planned_until": date(draw.year, 12, 31).isoformat(),
            "published_at": beijing(draw.frozen_at),
        }


def _inspection_results(session: Session) -> Iterator[Message]:
    """Published results of 双随机 inspections (一公开), under their draw's plan id."""
    query = (
        select(InspectionResult, Inspection)
        .join(Inspection, Inspection.id == InspectionResult.inspection_id)
        .where(InspectionResult.published_at.is_not(None))
        .order_by(InspectionResult.id)
    )
    for result, inspection in session.execute(query):
        ended = beijing(result.inspection_ended_at)
        yield {
            "result_number": result.result_number,
            "plan_id": f"DRAW-{result.draw_id}",
            "entity_name": inspection.entity_name,
            "entity_uscc": result.entity_uscc,
            "inspection_number": inspection.action_number,
            "inspected_on": ended[:10] if ended else None,
            "result_code": result.result_code,
            "result_description": inspection.result,
            "published_at": beijing(result.published_at),
        }


def _complaint_handling(session: Session) -> Iterator[Message]:
    """The handling of complaints the national system assigned; never the complainant."""
    query = (
        select(Complaint)
        .where(Complaint.source == NATIONAL_COMPLAINT_SOURCE)
        .order_by(Complaint.id)
    )
    for row in session.scalars(query):
        yield {
            "complaint_number": row.source_number,
            "handling_department": row.handling_department_code,
            "handling_department_code": row.handling_department_code,
            "status": COMPLAINT_STATUS.get(row.status, row.status),
            "answer": row.answer,
            "handled_at": beijing(row.updated_at),
            "closed_at": beijing(row.closed_at),
        }


def _credit_records(session: Session) -> Iterator[Message]:
    for row in session.scalars(select(CreditRecord).order_by(CreditRecord.id)):
        yield {
            "record_kind": row.record_kind,
            "entity_uscc": row.entity_uscc,
            "entity_name": row.entity_name,
            "document_number": row.document_number,
            "reason": row.reason,
            "decided_by": row.decided_by,
            "listed_on": _day(row.listed_on),
            "removed_on": _day(row.removed_on),
            "removal_reason": row.removal_reason,
            "credit_class": row.credit_class,
            "region_code": row.region_code,
        }


SOURCES: dict[str, Callable[[Session], Iterator[Message]]] = {
    "catalog_item": _catalog_items,
    "licensing": _licensing,
    "inspection": _inspections,
    "penalty": _penalties,
    "coercive_measure": _coercive_measures,
    "inspection_plan": _inspection_plans,
    "inspection_result": _inspection_results,
    "complaint_handling": _complaint_handling,
    "credit_record": _credit_records,
}


def current_messages(session: Session, data_type: str) -> dict[str, Message]:
    """Every record of ``data_type`` the national system should hold now, by key."""
    messages: dict[str, Message] = {}
    for message in SOURCES[data_type](session):
        present = compact(message)
        messages[record_key(data_type, present)] = present
    return messages
