"""The two libraries of 双随机, read from the store at freeze time: entities and inspectors.

``CandidateStream`` turns the entity library (市场主体名录库) into each stratum's candidates:
entities passing the plan's filter (region, industry, entity type, status, licensed
items), put in the stratum of their latest credit class, weighted by complaints and credit
lists, and left out once drawn ``frequency_cap`` times in the plan's year (unless their
class is exempt, ``hub.draws.caps``). It streams: rows come from a server-side cursor in
code-point order of the USCC, so millions of entities are never held in memory at once.
``inspector_pool`` turns the inspector library (执法检查人员名录库) into the pool: certified,
active officers of the plan's departments and region, with their assignments so far this
year and the candidates they must withdraw from (回避).

Everything that could depend on the database is pinned: ordering uses the binary collation
(code point order, as Python sorts), dates are compared as dates, and timestamps near a
window's edge are decided in Python on aware UTC values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import SQLCoreOperations

from hub.draws.algorithm import Candidate
from hub.draws.assignment import Inspector
from hub.draws.caps import FrequencyCap
from hub.draws.plan import EntityFilter, PlanSpec
from hub.security.tokens import region_prefix
from hub.store.models.actions import Inspection, Licensing
from hub.store.models.complaints import Complaint
from hub.store.models.credit import CreditRecord
from hub.store.models.draws import (
    Draw,
    DrawAssignment,
    DrawCandidate,
    DrawPick,
    InspectorInterest,
)
from hub.store.models.entities import RegulatedEntity
from hub.store.models.personnel import EnforcementOfficer

COUNTED_STATUSES = ("drawn", "revealed", "assigned")
"""Draws whose picks and teams count towards frequency caps and workload."""

COMPLAINT_KINDS = ("complaint", "report")
"""Complaints and reports (投诉、举报) raise the weight; consultations and praise do not."""

GRANTED = "granted"
"""The licensing decision that makes an entity a licence holder."""

STREAM_ROWS = 20_000
"""Rows fetched per round trip when streaming the entity library."""


def binary(session: Session, column: SQLCoreOperations[Any]) -> Any:
    """``column`` compared by code point, as Python compares strings, on every engine.

    SQLite's default collation is already binary; PostgreSQL's depends on the database, so
    ``"C"`` is named.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column.collate("C")
    return column


def _prefixed(
    column: InstrumentedAttribute[str | None], codes: Iterable[str]
) -> ColumnElement[bool]:
    return or_(*(column.startswith(region_prefix(code), autoescape=True) for code in codes))


def _licensed(items: list[str], on: date) -> ColumnElement[bool]:
    """The entity holds a licence granted under one of ``items`` (catalog codes), in force."""
    return exists().where(
        Licensing.entity_uscc == RegulatedEntity.uscc,
        Licensing.catalog_code.in_(items),
        Licensing.decision == GRANTED,
        or_(Licensing.valid_from.is_(None), Licensing.valid_from <= on),
        or_(Licensing.valid_until.is_(None), Licensing.valid_until >= on),
    )


def entity_conditions(
    rules: EntityFilter, default_region: str | None, on: date
) -> list[ColumnElement[bool]]:
    """An entity filter as SQL conditions on ``entities``; empty lists do not filter.

    ``rules.regions`` empty means ``default_region`` (the plan's), or anywhere when that is
    ``None`` too.
    """
    conditions: list[ColumnElement[bool]] = []
    regions = rules.regions or ([default_region] if default_region else [])
    if regions:
        conditions.append(_prefixed(RegulatedEntity.region_code, regions))
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
    if rules.licensed_items:
        conditions.append(_licensed(rules.licensed_items, on))
    return conditions


def _in_force(on: date) -> ColumnElement[bool]:
    return and_(
        CreditRecord.listed_on <= on,
        or_(CreditRecord.removed_on.is_(None), CreditRecord.removed_on > on),
    )


def latest_classes(session: Session, on: date) -> Any:
    """A subquery ``(uscc, credit_class)``: each entity's credit class in force on ``on``,
    the latest listed (then the largest document number, by code point)."""
    ranked = (
        select(
            CreditRecord.entity_uscc.label("uscc"),
            CreditRecord.credit_class.label("credit_class"),
            func.row_number()
            .over(
                partition_by=CreditRecord.entity_uscc,
                order_by=(
                    CreditRecord.listed_on.desc(),
                    binary(session, CreditRecord.document_number).desc(),
                    binary(session, CreditRecord.credit_class).desc(),
                ),
            )
            .label("latest"),
        )
        .where(
            CreditRecord.record_kind == "credit_class",
            CreditRecord.credit_class.is_not(None),
            CreditRecord.credit_class != "",
            _in_force(on),
        )
        .subquery()
    )
    return select(ranked.c.uscc, ranked.c.credit_class).where(ranked.c.latest == 1).subquery()


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


class CandidateStream:
    """Every candidate of the plan as ``(stratum, Candidate)``, in code-point order of the id.

    Iterate once. Each stratum's candidates therefore come in the sorted order they are
    hashed in; ``left_out`` counts, per stratum, the entities the frequency cap excluded.
    The small sets (complained about, listed, drawn this year) are read first; the entity
    library itself is streamed.
    """

    def __init__(self, session: Session, spec: PlanSpec, as_of: datetime, draw_id: int) -> None:
        self.session, self.spec, self.as_of, self.draw_id = session, spec, as_of, draw_id
        self.left_out: Counter[str] = Counter()

    def __iter__(self) -> Iterator[tuple[str, Candidate]]:
        session, spec, on = self.session, self.spec, self.as_of.date()
        flagged = {
            "complaint": _complained_about(session, self.as_of, spec.complaint_days),
            "abnormal_list": _listed(session, "abnormal_list", on),
            "serious_violation": _listed(session, "serious_violation", on),
        }
        factors = spec.weights.model_dump()
        drawn = _times_drawn(session, spec.year, self.draw_id)
        cap = FrequencyCap.of(spec)
        classes = latest_classes(session, on)
        rows = session.connection().execute(
            select(RegulatedEntity.uscc, classes.c.credit_class)
            .outerjoin(classes, classes.c.uscc == RegulatedEntity.uscc)
            .where(*entity_conditions(spec.entity_filter, spec.region_code, on))
            .order_by(binary(session, RegulatedEntity.uscc))
            .execution_options(yield_per=STREAM_ROWS)
        )
        for uscc, credit_class in rows:
            stratum = credit_class or spec.unclassified_as
            if stratum is None or stratum not in spec.quotas:
                continue
            if not cap.admits(stratum, drawn[uscc]):
                self.left_out[stratum] += 1
                continue
            weight = 1
            for condition, members in flagged.items():
                if uscc in members:
                    weight *= factors[condition]
            yield stratum, Candidate(uscc, weight)


def _loads(session: Session, year: int, draw_id: int) -> Counter[str]:
    rows = session.scalars(
        select(DrawAssignment.certificate_number)
        .join(Draw, Draw.id == DrawAssignment.draw_id)
        .where(Draw.year == year, Draw.id != draw_id, Draw.status.in_(COUNTED_STATUSES))
    )
    return Counter(rows)


def _conflicts(
    session: Session, spec: PlanSpec, as_of: datetime, draw_id: int
) -> dict[str, set[str]]:
    """Certificate number → frozen candidates of ``draw_id`` the inspector must withdraw from.

    Joined with the draw's stored candidates, so only conflicts that matter are read.
    """
    conflicts: dict[str, set[str]] = {}
    on = as_of.date()
    candidate = DrawCandidate.draw_id == draw_id
    interests = session.execute(
        select(InspectorInterest.certificate_number, InspectorInterest.entity_uscc)
        .join(DrawCandidate, DrawCandidate.entity_uscc == InspectorInterest.entity_uscc)
        .where(
            candidate,
            InspectorInterest.declared_on <= on,
            or_(InspectorInterest.ended_on.is_(None), InspectorInterest.ended_on > on),
        )
    )
    for certificate, uscc in interests:
        conflicts.setdefault(certificate, set()).add(uscc)
    if spec.avoid_recent_days:
        recent = session.execute(
            select(Inspection.entity_uscc, Inspection.officers, Inspection.acted_at)
            .join(DrawCandidate, DrawCandidate.entity_uscc == Inspection.entity_uscc)
            .where(candidate, _window(Inspection.acted_at, as_of, spec.avoid_recent_days))
        )
        for inspected, officers, acted_at in recent:
            if inspected and _within(acted_at, as_of, spec.avoid_recent_days):
                for certificate in officers or []:
                    conflicts.setdefault(certificate, set()).add(inspected)
    return conflicts


def inspector_pool(
    session: Session, spec: PlanSpec, as_of: datetime, draw_id: int
) -> list[Inspector]:
    """The pool sorted by certificate number: who may be sent, with load and conflicts
    (with the draw's candidates, which must be stored first)."""
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
    conflicts = _conflicts(session, spec, as_of, draw_id)
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
