"""Intake: every stored complaint becomes a case, or joins the open case it repeats (并单).

``take_new_complaints`` (the job ``job__cases_intake``, run after every channel that stored
something; ``hub cases intake``) takes the complaints no case holds yet, oldest first, in
chunks of ``CHUNK`` committed one by one, so a crash loses nothing and a rerun takes in only
what is left: a complaint's link to its case is unique. ``take_in`` takes in one complaint
the same way (the public interfaces, the demo). For each complaint of a chunk, in order:

1. its keyed phone digest is filled in if it has none (the pipeline stores it; a complaint
   written otherwise may lack it);
2. it joins the open case it repeats (:mod:`hub.cases.merging`), with its similarity and the
   blocking key recorded, the merge audited, and its system told where the case stands
   (the case's last status message, and for recorded sources its handling:
   :mod:`hub.cases.intake_status`);
3. or it opens a case (category from :mod:`hub.cases.categories`; region from the complaint,
   else from the business complained of), routed to manual triage with the reason when it
   cannot be routed (:func:`hub.cases.routing.triage_reason`, or no rule matched), else
   accepted and assigned to the rule's department, the rule and the explanation kept on
   the case.

Nothing is dropped: a complaint that cannot be routed is a case in the triage queue.

Set-based, so that a million complaints go through in minutes: a chunk's complaints are read
in one query, the open cases sharing a blocking key with any of them in one more
(:func:`hub.cases.merging.open_cases`, then an in-memory index that also holds the cases the
chunk opens), their businesses in one (:class:`hub.cases.routing.RoutingLookups`); routing
runs in memory; cases, links, workflow instances with their transitions
(:func:`hub.workflow.engine.start_many`), audit entries (one per opened case listing its
transitions, one per merge: :func:`hub.audit.append_many`) and status messages are each
written in one statement per chunk. The outcome is the one taking the complaints in one by
one would have, in the same order. Finding the pending complaints costs what is pending, not
the size of the store: the run looks only above a watermark below which every complaint is
held by a case (``intake_pending``), and on PostgreSQL the tables it searches are analysed as
they grow (:func:`hub.store.bulk.keep_statistics`), so that its queries keep their index
plans.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, LargeBinary, Table, exists, func, select, text, type_coerce
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from hub.audit import AuditRecord, anchor_after_commit, append_many, default_anchor
from hub.cases.categories import classify
from hub.cases.drafts import Arrival, CaseDraft, Merge, merged_case_id
from hub.cases.handling import SUBJECT, TRIAGE, WORKFLOW
from hub.cases.identity import address_key, phone_digest
from hub.cases.intake_status import tell_sources
from hub.cases.merging import MergeCandidate, MergeIndex, OpenCase, case_text, open_cases
from hub.cases.routing import RoutingLookups, route_with, triage_reason
from hub.cases.settings import case_settings
from hub.exchange.cursors import read_cursor, write_cursor
from hub.security.crypto import get_key_ring
from hub.store.bulk import (
    among,
    collector_paused,
    insert_values,
    keep_statistics,
    reserve_ids,
    update_rows,
)
from hub.store.models.cases import Case, CaseComplaint
from hub.store.models.complaints import Complaint
from hub.store.models.workflow import WorkflowInstance, WorkflowTransition
from hub.workflow import Actor, load_workflow
from hub.workflow.engine import NewInstance, StartedInstance, Step, start_many
from hub.workflow.timing import utc

CHUNK = 2000
_CASES = cast(Table, Case.__table__)
_LINKS = cast(Table, CaseComplaint.__table__)
_COMPLAINTS = cast(Table, Complaint.__table__)
_SEARCHED = (
    _COMPLAINTS,
    _LINKS,
    _CASES,
    cast(Table, WorkflowInstance.__table__),
    cast(Table, WorkflowTransition.__table__),
)  # the tables the intake's queries search, kept analysed (``keep_statistics``)
BEIJING = ZoneInfo("Asia/Shanghai")
INTAKE = Actor.system("intake")
_HANDLING_FIELDS = ("status", "handling_department_code", "answer", "closed_at", "updated_at")


@dataclass
class IntakeReport:
    """What one intake run did; ``opened + merged`` is every complaint taken in."""

    opened: int = 0
    merged: int = 0
    routed: int = 0
    triaged: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    triage_reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "opened": self.opened,
            "merged": self.merged,
            "routed": self.routed,
            "triaged": self.triaged,
            "by_rule": dict(sorted(self.by_rule.items())),
            "triage_reasons": dict(sorted(self.triage_reasons.items())),
        }


def take_new_complaints() -> dict[str, object]:
    """The job: take in what is pending in the store of ``HUB_DATABASE_URL``; the report is
    returned as a small dict (XCom)."""
    from hub.store.engine import get_engine

    return intake_pending(get_engine()).as_dict()


# In the order of ``Arrival``'s fields, then the stored digest and the sealed personal fields
# (``_pending_arrival``). Those come sealed: the digest the pipeline stored answers for most
# complaints (``_reachable``), and opening them would cost more than the rest of reading it.
_PENDING_COLUMNS = (
    Complaint.id,
    Complaint.source,
    Complaint.source_number,
    Complaint.kind,
    Complaint.received_at,
    Complaint.title,
    Complaint.content,
    Complaint.category,
    Complaint.region_code,
    Complaint.address,
    Complaint.latitude,
    Complaint.longitude,
    Complaint.target_uscc,
    Complaint.target_name,
    Complaint.complainant_phone_digest,
    type_coerce(Complaint.complainant_phone, LargeBinary).label("sealed_phone"),
    type_coerce(Complaint.complainant_address, LargeBinary).label("sealed_address"),
)


def intake_pending(engine: Engine, *, chunk: int = CHUNK) -> IntakeReport:
    """Take in every complaint that no case holds yet, a chunk per transaction (idempotent).

    The search for them stays proportional to what is pending, not to the store: every
    complaint up to the watermark (``_WATERMARK``, kept in ``channel_cursors``) is held by a
    case, so only those above it are looked at. The run first fixes ``top``, the highest
    complaint id, while no complaint is being written (``_complaints_settled``): every id up
    to ``top`` is then committed, and every later one is higher. Once all of them are taken
    in, the watermark moves to ``top``; a run that fails leaves it where it was.
    """
    report = IntakeReport()
    through = int(read_cursor(engine, *_WATERMARK) or 0)
    with Session(engine) as session, session.begin():
        top = _complaints_settled(session)
    keep_statistics(engine, _SEARCHED)
    with Session(engine) as session:
        waiting = _waiting(session, through, top)
    for first in range(0, len(waiting), chunk):
        if first:
            keep_statistics(engine, _SEARCHED)  # the run's own chunks grow what it searches
        with collector_paused(), Session(engine) as session, session.begin():
            anchor_after_commit(session, default_anchor())
            arrivals = _pending(session, waiting[first : first + chunk])
            if arrivals:
                take_in_many(session, arrivals, report=report)
    if top > through:
        write_cursor(engine, _WATERMARK[0], str(top), name=_WATERMARK[1])
    return report


_WATERMARK = ("cases.intake", "complaints_through")
"""The ``channel_cursors`` row holding the id up to which every complaint is held by a case."""


def _complaints_settled(session: Session) -> int:
    """The highest complaint id, read once no transaction is still writing complaints.

    PostgreSQL: a SHARE lock on the table waits for the writers in progress (new ones wait
    for this short transaction); SQLite: the database's single write lock. Complaint ids come
    from the table's own sequence when a row is inserted, so no id at or below the one read
    can be committed later.
    """
    if session.connection().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE complaints IN SHARE MODE"))
    else:
        session.execute(text("UPDATE complaints SET id = id WHERE 1 = 0"))
    return session.scalar(select(func.max(Complaint.id))) or 0


def _waiting(session: Session, through: int, top: int) -> list[int]:
    """The ids of the complaints above ``through`` (up to ``top``) no case holds, in the
    order they are taken in: oldest first (received, then id)."""
    rows = session.execute(
        select(Complaint.id, Complaint.received_at)
        .where(
            Complaint.id > through,
            Complaint.id <= top,
            ~exists().where(CaseComplaint.complaint_id == Complaint.id),
        )
        .order_by(Complaint.id)
        .limit(max(top - through, 0))  # a pk range scan, whatever the statistics say
    ).all()
    # One column of one store: all its times aware (PostgreSQL) or all naive UTC (SQLite).
    return [row[0] for row in sorted(rows, key=itemgetter(1, 0))]


def _pending(session: Session, ids: Sequence[int]) -> list[Arrival]:
    """The complaints of ``ids`` still held by no case, in the order of ``ids``."""
    rows = session.connection().execute(  # rows as the driver gives them, not ORM-loaded
        select(*_PENDING_COLUMNS).where(
            among(session, Complaint.id, ids),
            ~exists().where(CaseComplaint.complaint_id == Complaint.id),
        )
    )
    by_id = {row[0]: row for row in rows.all()}
    return [_pending_arrival(by_id[i]) for i in ids if i in by_id]


def _pending_arrival(row: Row[*tuple[Any, ...]]) -> Arrival:
    """The arrival of a ``_pending`` row, read by position: by column name, the seventeen
    columns of a complaint took 6.7 µs, by position 1.3. The columns from ``title`` to
    ``target_name`` are the arrival's fields of those names, in order."""
    (
        complaint_id,
        source,
        source_number,
        kind,
        received_at,
        *texts_and_places,
        stored_digest,
        sealed_phone,
        sealed_address,
    ) = row
    digest, has_contact = _reachable(
        stored_digest, lambda: (_opened(sealed_phone), _opened(sealed_address))
    )
    fresh = digest is not None and stored_digest is None
    email = None  # given by the public interfaces (``take_in``), not stored on the complaint
    return Arrival._make(
        (
            complaint_id,
            source,
            source_number,
            kind,
            utc(received_at),
            *texts_and_places,
            digest,
            fresh,
            has_contact,
            email,
        )
    )


def _opened(sealed: bytes | None) -> str | None:
    return None if sealed is None else get_key_ring().open(bytes(sealed)).decode("utf-8")


def _reachable(
    digest: str | None, personal: Callable[[], tuple[str | None, str | None]]
) -> tuple[str | None, bool]:
    """A complaint's phone digest and whether it gives any contact. A stored digest answers
    both (one is stored only for a phone); else ``personal`` gives the phone and address,
    asked only then: opening them costs more than the rest of reading a complaint."""
    if digest is not None:
        return digest, True
    phone, address = personal()
    return phone_digest(phone), bool(phone or address)


def _arrival(
    complaint: Complaint, digest: str | None, has_contact: bool, email: str | None = None
) -> Arrival:
    """What the intake reads of a complaint object (``take_in``), with its phone digest and
    whether it gives a phone, an address or an email."""
    fresh = digest is not None and complaint.complainant_phone_digest is None
    return Arrival(
        id=complaint.id,
        source=complaint.source,
        source_number=complaint.source_number,
        kind=complaint.kind,
        received_at=utc(complaint.received_at),
        title=complaint.title,
        content=complaint.content,
        category=complaint.category,
        region_code=complaint.region_code,
        address=complaint.address,
        latitude=complaint.latitude,
        longitude=complaint.longitude,
        target_uscc=complaint.target_uscc,
        target_name=complaint.target_name,
        phone_digest=digest,
        digest_is_new=fresh,
        has_contact=has_contact or bool(email),
        email=email,
    )


def take_in(
    session: Session,
    complaint: Complaint,
    *,
    email: str | None = None,
    report: IntakeReport | None = None,
    now: datetime | None = None,
) -> Case:
    """The case ``complaint`` now belongs to (see the module docstring)."""
    session.flush()
    [case_id] = take_in_many(
        session,
        [_arrival(complaint, *_stored_contact(complaint), email)],
        report=report or IntakeReport(),
        now=now,
    )
    session.expire(complaint, ["complainant_phone_digest", *_HANDLING_FIELDS])
    case = session.get(Case, case_id)
    assert case is not None  # inserted or found open just now, in this transaction
    return case


def _stored_contact(complaint: Complaint) -> tuple[str | None, bool]:
    """``_reachable`` of a complaint object."""
    return _reachable(
        complaint.complainant_phone_digest,
        lambda: (complaint.complainant_phone, complaint.complainant_address),
    )


def take_in_many(
    session: Session,
    arrivals: Sequence[Arrival],
    *,
    report: IntakeReport,
    now: datetime | None = None,
) -> list[int]:
    """Take ``arrivals`` in, in order, in the caller's transaction; the case id of each."""
    moment = utc(now)
    lookups = RoutingLookups(session)
    lookups.prefetch_entities({a.target_uscc for a in arrivals if a.target_uscc})
    candidates = [_candidate(arrival) for arrival in arrivals]
    index = MergeIndex(open_cases(session, candidates))
    drafts: list[CaseDraft] = []
    merges: list[Merge] = []
    outcome: list[CaseDraft | Merge] = []
    for arrival, candidate in zip(arrivals, candidates, strict=True):
        match = index.find(candidate)
        if match is not None:
            merge = Merge(arrival, match.case, match.similarity, match.blocking_key)
            merges.append(merge)
            outcome.append(merge)
            continue
        draft = CaseDraft(
            arrival=arrival,
            category_code=candidate.category_code,
            region_code=arrival.region_code or _business_region(lookups, arrival.target_uscc),
            address_key=candidate.address_key,
        )
        _route(lookups, draft, report)
        index.add(
            OpenCase(
                case_id=None,
                received_at=arrival.received_at,
                category_code=draft.category_code,
                phone_digest=arrival.phone_digest,
                target_uscc=arrival.target_uscc,
                address_key=draft.address_key,
                text=candidate.text,
                draft=len(drafts),
            )
        )
        drafts.append(draft)
        outcome.append(draft)
    _fill_digests(session, arrivals)
    _insert_cases(session, drafts, moment)
    started = _start_workflows(session, drafts, moment)
    case_ids = [
        item.id if isinstance(item, CaseDraft) else merged_case_id(item, drafts) for item in outcome
    ]
    _link(session, arrivals, outcome, case_ids, moment)
    _audit_merges(session, merges, drafts)
    tell_sources(session, drafts, started, merges, moment)
    report.opened += len(drafts)
    report.merged += len(merges)
    return case_ids


def _candidate(arrival: Arrival) -> MergeCandidate:
    return MergeCandidate(
        text=case_text(arrival.title, arrival.content),
        category_code=classify(arrival.category, arrival.title, arrival.content),
        received_at=arrival.received_at,
        phone_digest=arrival.phone_digest,
        target_uscc=arrival.target_uscc,
        address_key=address_key(arrival.address),
    )


def _business_region(lookups: RoutingLookups, uscc: str | None) -> str | None:
    """Where the business complained of is registered: the region of a complaint that states
    none (12315 complaints name the business, not the place)."""
    entity = lookups.entity(uscc) if uscc else None
    return None if entity is None else entity.region_code


def _route(lookups: RoutingLookups, draft: CaseDraft, report: IntakeReport) -> None:
    """Decide the draft's department by rule, or why it goes to manual triage."""
    reason = triage_reason(draft, draft.arrival.has_contact)
    if reason is None:
        routing = route_with(lookups, draft)
        draft.routing_explanation = routing.explanation[:4000]
        if routing.department_code is not None:
            draft.routing_rule = routing.rule
            draft.department_code = lookups.department_code(routing.department_code)
            report.routed += 1
            rule = routing.rule or "?"
            report.by_rule[rule] = report.by_rule.get(rule, 0) + 1
            return
        reason = routing.triage_reason
    draft.triage_reason = (reason or "")[:300] or None
    report.triaged += 1
    kind = (reason or "unknown").partition(":")[0]
    report.triage_reasons[kind] = report.triage_reasons.get(kind, 0) + 1


def _fill_digests(session: Session, arrivals: Sequence[Arrival]) -> None:
    update_rows(
        session,
        _COMPLAINTS,
        [
            {"id": a.id, "complainant_phone_digest": a.phone_digest}
            for a in arrivals
            if a.digest_is_new
        ],
    )


def _insert_cases(session: Session, drafts: Sequence[CaseDraft], moment: datetime) -> None:
    """Number the drafts (the tracking number holds the case's id: ``TS`` + Beijing date +
    id, so the ids are reserved first) and insert them in one statement."""
    prefix = case_settings().tracking_prefix
    for draft, case_id in zip(drafts, reserve_ids(session, _CASES, len(drafts)), strict=True):
        draft.id = case_id
        day = draft.arrival.received_at.astimezone(BEIJING)
        draft.tracking_no = f"{prefix}{day:%Y%m%d}{case_id:06d}"
    insert_values(session, _CASES, _CASE_COLUMNS, [_case_values(draft, moment) for draft in drafts])


_CASE_COLUMNS = (
    "id",
    "tracking_no",
    "source",
    "kind",
    "received_at",
    "title",
    "content",
    "category_text",
    "category_code",
    "region_code",
    "address",
    "address_key",
    "latitude",
    "longitude",
    "target_uscc",
    "target_name",
    "phone_digest",
    "routing_rule",
    "routing_explanation",
    "triage_reason",
    "transfer_count",
    "created_at",
    "updated_at",
)
"""The columns the intake writes of a new case (the rest start empty)."""


def _case_values(draft: CaseDraft, moment: datetime) -> tuple[Any, ...]:
    """A new case's values of ``_CASE_COLUMNS``."""
    arrival = draft.arrival
    return (
        draft.id,
        draft.tracking_no,
        arrival.source,
        arrival.kind,
        arrival.received_at,
        arrival.title,
        arrival.content,
        arrival.category,
        draft.category_code,
        draft.region_code,
        arrival.address,
        draft.address_key,
        arrival.latitude,
        arrival.longitude,
        arrival.target_uscc,
        arrival.target_name,
        arrival.phone_digest,
        draft.routing_rule,
        draft.routing_explanation,
        draft.triage_reason,
        0,
        moment,
        moment,
    )


def _start_workflows(
    session: Session, drafts: Sequence[CaseDraft], moment: datetime
) -> list[StartedInstance]:
    """Each new case on the complaint workflow: to triage with its reason, or accepted and
    assigned by its rule."""
    subjects = []
    shared: dict[tuple[str | None, ...], tuple[Step, ...]] = {}  # by drafts routed alike
    for draft in drafts:
        routed = (draft.routing_rule, draft.department_code, draft.triage_reason)
        steps = shared.get(routed)
        if steps is None:
            steps = shared[routed] = _steps(draft)
        subjects.append(
            NewInstance(
                subject_id=draft.id,
                attributes={
                    "source": draft.source,
                    "kind": draft.kind,
                    "category_code": draft.category_code,
                    "region_code": draft.region_code,
                },
                region_code=_supervised_in(draft.region_code),
                steps=steps,
            )
        )
    return start_many(session, load_workflow(WORKFLOW), SUBJECT, subjects, actor=INTAKE, now=moment)


def _steps(draft: CaseDraft) -> tuple[Step, ...]:
    if draft.department_code is None:
        return (Step(TRIAGE, reason=draft.triage_reason),)
    return (
        Step("accept"),
        Step(
            "assign",
            reason=f"routing rule {draft.routing_rule}",
            fields={"department_code": draft.department_code},
        ),
    )


def _supervised_in(region_code: str | None) -> str:
    """The region whose supervisor a case's reminders and escalations reach: its own inside
    the province; the province's for a case without one or outside it (it waits in triage,
    and its lateness goes to the province's dispatching centre, not to nobody)."""
    province = case_settings().province_region_prefix
    if region_code and region_code.startswith(province):
        return region_code
    return province.ljust(6, "0")


def _link(
    session: Session,
    arrivals: Sequence[Arrival],
    outcome: Sequence[CaseDraft | Merge],
    case_ids: Sequence[int],
    moment: datetime,
) -> None:
    rows = []
    for arrival, item, case_id in zip(arrivals, outcome, case_ids, strict=True):
        merge = item if isinstance(item, Merge) else None
        rows.append(
            (
                case_id,
                arrival.id,
                "original" if merge is None else "merged",
                None if merge is None else merge.similarity,
                None if merge is None else merge.blocking_key,
                arrival.email,
                moment,
            )
        )
    insert_values(session, _LINKS, _LINK_COLUMNS, rows)


_LINK_COLUMNS = (
    "case_id",
    "complaint_id",
    "relation",
    "similarity",
    "blocking_key",
    "complainant_email",
    "linked_at",
)


def _audit_merges(session: Session, merges: Sequence[Merge], drafts: Sequence[CaseDraft]) -> None:
    append_many(
        session,
        [
            AuditRecord(
                actor=INTAKE.name,
                action="case.merge",
                object_type=SUBJECT,
                object_id=str(merged_case_id(merge, drafts)),
                details={
                    "complaint": merge.arrival.id,
                    "source": merge.arrival.source,
                    "similarity": round(merge.similarity, 1),
                    "blocking_key": merge.blocking_key,
                },
            )
            for merge in merges
        ],
    )
