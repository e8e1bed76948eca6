"""The two libraries of 双随机, read from the store at freeze time: entities and inspectors.

``candidates`` turns the entity library (市场主体名录库) into each stratum's candidates:
entities passing the plan's filter, put in the stratum of their latest credit class,
weighted by complaints and credit lists, and left out once drawn ``frequency_cap`` times in
the plan's year (unless their class is exempt). ``inspector_pool`` turns the inspector
library (执法检查人员名录库) into the pool: certified, active officers of the plan's
departments and region, with their assignments so far this year and the candidates they
must withdraw from (回避).

Everything that could depend on the database (row order, collation, time zones) is settled
here in Python: rows are read unordered and sorted by code point, dates compared as dates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from hub.draws.algorithm import Candidate
from hub.draws.assignment import Inspector
from hub.draws.plan import PlanSpec
from hub.security.tokens import region_prefix
from hub.store.models.actions import Inspection
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.draws import Draw, DrawAssignment, DrawPick, InspectorInterest
from hub.store.models.entities import RegulatedEntity
from hub.store.models.personnel import EnforcementOfficer

COUNTED_STATUSES = ("drawn", "revealed", "assigned")
"""Draws whose picks and teams count towards frequency caps and workload."""

COMPLAINT_KINDS = ("complaint", "report")
"""Complaints and reports (投诉、举报) raise the weight; consultations and praise do not."""


def _prefixed(
    column: InstrumentedAttribute[str | None], codes: Iterable[str]
) -> ColumnElement[bool]:
    return or_(*(column.startswith(region_prefix(code), autoescape=True) for code in codes))


def _filtered_entities(session: Session, spec: PlanSpec) -> list[str]:
    rules = spec.entity_filter
    conditions = [_prefixed(RegulatedEntity.region_code, rules.regions or [spec.region_code])]
    if rules.industries:
        conditions.append(
            or_(
                *(
                    RegulatedEntity.industry_code.startswith(code, autoescape=True)
                    for code in rules.industries
                )
            )
        )
    if rules.entity_types:
        conditions.append(RegulatedEntity.entity_type.in_(rules.entity_types))
    if rules.statuses:
        conditions.append(RegulatedEntity.status.in_(rules.statuses))
    return list(session.scalars(select(RegulatedEntity.uscc).where(*conditions)))


def _in_force(on: date) -> ColumnElement[bool]:
    return and_(
        CreditRecord.listed_on <= on,
        or_(CreditRecord.removed_on.is_(None), CreditRecord.removed_on > on),
    )


def credit_classes(session: Session, on: date) -> dict[str, str]:
    """Each entity's credit class in force on ``on``: the latest listed (then the largest
    document number, compared in Python so every engine agrees)."""
    rows = session.execute(
        select(
            CreditRecord.entity_uscc,
            CreditRecord.listed_on,
            CreditRecord.document_number,
            CreditRecord.credit_class,
        ).where(
            CreditRecord.record_kind == "credit_class",
            CreditRecord.credit_class.is_not(None),
            _in_force(on),
        )
    )
    latest: dict[str, tuple[date, str, str]] = {}
    for uscc, listed_on, document, credit_class in rows:
        current = latest.get(uscc)
        if credit_class and (current is None or (listed_on, document) > current[:2]):
            latest[uscc] = (listed_on, document, credit_class)
    return {uscc: value[2] for uscc, value in latest.items()}


def _listed(session: Session, kind: str, on: date) -> set[str]:
    return set(
        session.scalars(
            select(CreditRecord.entity_uscc).where(CreditRecord.record_kind == kind, _in_force(on))
        )
    )


def _utc(moment: datetime) -> datetime:
    """An aware UTC datetime; SQLite hands back naive values, which the hub writes in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _window(
    column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None],
    as_of: datetime,
    days: int,
) -> ColumnElement[bool]:
    """A coarse SQL filter (one day of margin each side) for what ``_within`` decides exactly.

    The margin absorbs how engines compare stored timestamps with a bound one; the exact
    test is then made in Python on aware UTC values, the same on every engine.
    """
    return and_(column > as_of - timedelta(days=days + 1), column <= as_of + timedelta(days=1))


def _within(moment: datetime | None, as_of: datetime, days: int) -> bool:
    return moment is not None and as_of - timedelta(days=days) < _utc(moment) <= as_of


def _complained_about(session: Session, as_of: datetime, days: int) -> set[str]:
    rows = session.execute(
        select(Complaint.target_uscc, Complaint.received_at).where(
            Complaint.target_uscc.is_not(None),
            Complaint.kind.in_(COMPLAINT_KINDS),
            _window(Complaint.received_at, as_of, days),
        )
    )
    return {uscc for uscc, received_at in rows if uscc and _within(received_at, as_of, days)}


def _times_drawn(session: Session, year: int, draw_id: int) -> Counter[str]:
    rows = session.scalars(
        select(DrawPick.entity_uscc)
        .join(Draw, Draw.id == DrawPick.draw_id)
        .where(Draw.year == year, Draw.id != draw_id, Draw.status.in_(COUNTED_STATUSES))
    )
    return Counter(rows)


def candidates(
    session: Session, spec: PlanSpec, as_of: datetime, draw_id: int
) -> tuple[dict[str, list[Candidate]], int]:
    """Each stratum's candidates sorted by id, and how many the frequency cap left out.

    Every stratum of the plan's quotas is present, empty or not, so the commitment covers
    all of them.
    """
    on = as_of.date()
    classes = credit_classes(session, on)
    flagged = {
        "complaint": _complained_about(session, as_of, spec.complaint_days),
        "abnormal_list": _listed(session, "abnormal_list", on),
        "serious_violation": _listed(session, "serious_violation", on),
    }
    factors = spec.weights.model_dump()
    drawn = _times_drawn(session, spec.year, draw_id)
    strata: dict[str, list[Candidate]] = {stratum: [] for stratum in spec.quotas}
    capped = 0
    for uscc in _filtered_entities(session, spec):
        stratum = classes.get(uscc, spec.unclassified_as)
        if stratum is None or stratum not in strata:
            continue
        if drawn[uscc] >= spec.frequency_cap and stratum not in spec.frequency_cap_exempt:
            capped += 1
            continue
        weight = 1
        for condition, members in flagged.items():
            if uscc in members:
                weight *= factors[condition]
        strata[stratum].append(Candidate(uscc, weight))
    for stratum_members in strata.values():
        stratum_members.sort()
    return strata, capped


def _loads(session: Session, year: int, draw_id: int) -> Counter[str]:
    rows = session.scalars(
        select(DrawAssignment.certificate_number)
        .join(Draw, Draw.id == DrawAssignment.draw_id)
        .where(Draw.year == year, Draw.id != draw_id, Draw.status.in_(COUNTED_STATUSES))
    )
    return Counter(rows)


def _conflicts(
    session: Session, spec: PlanSpec, as_of: datetime, entities: Collection[str]
) -> dict[str, set[str]]:
    """Certificate number → candidate entities the inspector must withdraw from."""
    conflicts: dict[str, set[str]] = {}
    on = as_of.date()
    interests = session.execute(
        select(InspectorInterest.certificate_number, InspectorInterest.entity_uscc).where(
            InspectorInterest.declared_on <= on,
            or_(InspectorInterest.ended_on.is_(None), InspectorInterest.ended_on > on),
        )
    )
    for certificate, uscc in interests:
        if uscc in entities:
            conflicts.setdefault(certificate, set()).add(uscc)
    if spec.avoid_recent_days:
        recent = session.execute(
            select(Inspection.entity_uscc, Inspection.officers, Inspection.acted_at).where(
                Inspection.entity_uscc.is_not(None),
                _window(Inspection.acted_at, as_of, spec.avoid_recent_days),
            )
        )
        for inspected, officers, acted_at in recent:
            if inspected is None or inspected not in entities:
                continue
            if _within(acted_at, as_of, spec.avoid_recent_days):
                for certificate in officers or []:
                    conflicts.setdefault(certificate, set()).add(inspected)
    return conflicts


def inspector_pool(
    session: Session, spec: PlanSpec, as_of: datetime, draw_id: int, entities: Collection[str]
) -> list[Inspector]:
    """The pool sorted by certificate number: who may be sent, with load and conflicts."""
    prefix = region_prefix(spec.region_code)
    officers = session.execute(
        select(
            EnforcementOfficer.certificate_number,
            EnforcementOfficer.department_code,
            EnforcementOfficer.qualifications,
        ).where(
            EnforcementOfficer.department_code.in_(spec.departments),
            EnforcementOfficer.certified.is_(True),
            EnforcementOfficer.status == "active",
            or_(
                EnforcementOfficer.valid_until.is_(None),
                EnforcementOfficer.valid_until >= as_of.date(),
            ),
            or_(
                EnforcementOfficer.region_code.is_(None),
                EnforcementOfficer.region_code.startswith(prefix, autoescape=True),
            ),
        )
    )
    loads = _loads(session, spec.year, draw_id)
    conflicts = _conflicts(session, spec, as_of, entities)
    pool = [
        Inspector(
            id=certificate,
            department=department,
            qualifications=frozenset(qualifications or []),
            load=loads[certificate],
            avoid=frozenset(conflicts.get(certificate, ())),
        )
        for certificate, department, qualifications in officers
    ]
    return sorted(pool, key=lambda inspector: inspector.id)
