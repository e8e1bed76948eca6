"""Pushing the province's supervision data to the national system, in signed batches.

One run (``push``) does two things, each safe to repeat:

1. **Plan** (one transaction): for each data type, what the national system should hold now
   (``messages.current_messages``) is compared with the push log (``national_sent_records``):
   a key it never accepted goes as ``i``, an accepted key whose content changed as ``u``, an
   accepted key the store no longer has (or withdrew) as ``d``; an unchanged key, a key in
   a batch still waiting for its receipt, and a key the national system rejected (until an
   operator replays it) are left alone. Every message is checked against the national
   schema first: one that fails is ``held`` with the reasons, never sent. The rest are cut
   into batches (number = China Standard Time date + sequence of that day), each stored
   with its idempotency key and its document, sealed.
2. **Send**, oldest batch first, through the REST adapter (retries, Retry-After, receipt
   pointer) with every request signed (``config.open_adapter``). The receipt settles each
   record: accepted with its receipt id, or rejected with the national system's reasons; a
   repeated result for a record is counted and ignored. A batch that got no receipt (the
   remote timed out or is down) stays pending and is sent again, byte for byte under the
   same key, by the next run: the national system answers a known key with the receipt it
   gave, so nothing is applied twice. When the remote is unavailable the run stops there.

Why not the outbox dispatcher: it sends one message per row and keeps a receipt's verdict,
not its per-record results, while the national interface takes batches of up to 1000
records answered record by record. The batch table plays the outbox's part (same
transaction discipline: claimed, pushed and settled in one transaction).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.base import OutboundMessage, Receipt
from adapters.rest.client import RestAdapter
from hub.errors import RetryLater
from hub.national.config import NationalConfig, load_config, open_adapter
from hub.national.messages import CHINA_STANDARD_TIME, Message, current_messages
from hub.national.profile import DATA_TYPES, checksum, content_hash, problems
from hub.store.base import utcnow
from hub.store.models.national import NationalBatch, NationalSentRecord

log = logging.getLogger(__name__)

DELETED = "deleted"
"""The content hash of a ``d`` entry (it carries no content)."""


def china_day(moment: datetime | None = None) -> date:
    """The date in China Standard Time (the batch date's calendar)."""
    return (moment or utcnow()).astimezone(CHINA_STANDARD_TIME).date()


@dataclass
class PushReport:
    """What one run did: operations planned per data type, held records, batches sent and
    the records they settled, and why it stopped early if it did (``pending_batches`` then
    counts the batches left for the next run)."""

    planned: dict[str, Counter[str]] = field(default_factory=dict)
    held: int = 0
    batches_sent: int = 0
    accepted: int = 0
    rejected: int = 0
    repeated_results: int = 0
    pending_batches: int = 0
    stopped: str | None = None

    def plan(self, data_type: str, operation: str) -> None:
        self.planned.setdefault(data_type, Counter())[operation] += 1


@dataclass(frozen=True)
class PlannedRecord:
    """One record to send: its operation, key, message (None for ``d``) and content hash."""

    operation: str
    key: str
    data: Message | None
    content_hash: str


def push(
    engine: Engine,
    config: NationalConfig | None = None,
    *,
    data_types: Iterable[str] = DATA_TYPES,
    now: datetime | None = None,
) -> PushReport:
    """Plan what changed and send every pending batch (see the module docstring)."""
    settings = config or load_config()
    report = PushReport()
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions.begin() as session:
        for data_type in data_types:
            _plan(session, settings, data_type, report, now)
    send_pending(engine, settings, report)
    return report


def send_pending(engine: Engine, config: NationalConfig, report: PushReport) -> None:
    """Send the batches still waiting for a receipt, oldest first."""
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    with sessions() as session:
        waiting = list(
            session.scalars(
                select(NationalBatch.id)
                .where(NationalBatch.state == "pending")
                .order_by(NationalBatch.id)
            )
        )
    if not waiting:
        return
    with open_adapter(config) as adapter:
        for position, batch_id in enumerate(waiting):
            failure = _send(sessions, adapter, batch_id, report)
            if failure is not None:
                report.stopped = f"the national system is unavailable: {failure}"
                report.pending_batches = len(waiting) - position
                log.warning("national push stopped: %s", failure)
                return


def _plan(
    session: Session,
    config: NationalConfig,
    data_type: str,
    report: PushReport,
    now: datetime | None,
) -> None:
    """Queue ``data_type``'s changes since what the national system accepted."""
    latest, latest_accepted = _push_log(session, data_type)
    planned: list[PlannedRecord] = []
    messages = current_messages(session, data_type)
    for key, data in messages.items():
        digest = content_hash(data)
        last = latest.get(key)
        if last is not None and last.status in ("pending", "rejected"):
            continue  # waiting for its receipt, or for an operator's replay
        if (
            last is not None
            and last.status in ("accepted", "held")
            and last.operation != "d"
            and last.content_hash == digest
        ):
            continue
        accepted = latest_accepted.get(key)
        operation = "u" if accepted is not None and accepted.operation != "d" else "i"
        reasons = problems(data_type, data)
        if reasons:
            session.add(
                NationalSentRecord(
                    data_type=data_type,
                    record_key=key,
                    operation=operation,
                    content_hash=digest,
                    status="held",
                    reasons=reasons,
                )
            )
            report.held += 1
            continue
        planned.append(PlannedRecord(operation, key, data, digest))
    for key, accepted in latest_accepted.items():
        last = latest[key]
        if key in messages or accepted.operation == "d" or last.status in ("pending", "rejected"):
            continue
        planned.append(PlannedRecord("d", key, None, DELETED))
    for record in planned:
        report.plan(data_type, record.operation)
    for start in range(0, len(planned), config.batch_size):
        new_batch(session, config, data_type, planned[start : start + config.batch_size], now)


def _push_log(
    session: Session, data_type: str
) -> tuple[dict[str, NationalSentRecord], dict[str, NationalSentRecord]]:
    """The latest entry of every key of ``data_type``, and its latest accepted one."""
    latest: dict[str, NationalSentRecord] = {}
    latest_accepted: dict[str, NationalSentRecord] = {}
    query = (
        select(NationalSentRecord)
        .where(NationalSentRecord.data_type == data_type)
        .order_by(NationalSentRecord.id)
    )
    for entry in session.scalars(query):
        latest[entry.record_key] = entry
        if entry.status == "accepted":
            latest_accepted[entry.record_key] = entry
    return latest, latest_accepted


def new_batch(
    session: Session,
    config: NationalConfig,
    data_type: str,
    records: list[PlannedRecord],
    now: datetime | None,
    day: date | None = None,
) -> NationalBatch:
    """A pending batch of ``records`` numbered in ``day`` (default: today, CST; reconciliation
    re-sends what a day lacks in a batch of that day, so that both sides count it there)."""
    batch_day = day or china_day(now)
    sequence = (
        session.scalar(
            select(func.max(NationalBatch.sequence)).where(NationalBatch.batch_day == batch_day)
        )
        or 0
    ) + 1
    number = f"{batch_day:%Y%m%d}{sequence:05d}"
    document = {
        "batch_number": number,
        "data_type": data_type,
        "region_code": config.region_code,
        "department_code": config.department_code,
        "sent_at": (now or utcnow()).astimezone(CHINA_STANDARD_TIME).isoformat(timespec="seconds"),
        "records": [
            {"op": record.operation, "key": record.key}
            | ({"data": record.data} if record.data is not None else {})
            for record in records
        ],
    }
    batch = NationalBatch(
        batch_number=number,
        data_type=data_type,
        batch_day=batch_day,
        sequence=sequence,
        record_count=len(records),
        checksum=checksum(record.key for record in records),
        state="pending",
        idempotency_key=f"{config.region_code}-{number}",
        payload=json.dumps(document, ensure_ascii=False),
        attempts=0,
        accepted_count=0,
        rejected_count=0,
    )
    session.add(batch)
    session.flush()
    session.add_all(
        NationalSentRecord(
            data_type=data_type,
            record_key=record.key,
            operation=record.operation,
            content_hash=record.content_hash,
            batch_id=batch.id,
            status="pending",
            reasons=[],
        )
        for record in records
    )
    return batch


def _send(
    sessions: sessionmaker[Session], adapter: RestAdapter, batch_id: int, report: PushReport
) -> RetryLater | None:
    """Push one batch and settle its records in one transaction; a transient failure leaves
    it pending (its attempt and error recorded) and is returned."""
    with sessions.begin() as session:
        query = select(NationalBatch).where(
            NationalBatch.id == batch_id, NationalBatch.state == "pending"
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        batch = session.scalars(query).one_or_none()
        if batch is None or batch.payload is None:
            return None  # settled by another run since it was listed
        batch.attempts += 1
        message = OutboundMessage("batch", batch.payload.encode(), batch.idempotency_key)
        try:
            receipt = adapter.push(message)
        except RetryLater as exc:
            batch.last_error = str(exc)
            return exc
        entries = list(
            session.scalars(
                select(NationalSentRecord)
                .where(NationalSentRecord.batch_id == batch.id)
                .order_by(NationalSentRecord.id)
            )
        )
        _settle(batch, entries, receipt, report)
        report.batches_sent += 1
        return None


def _settle(
    batch: NationalBatch,
    entries: list[NationalSentRecord],
    receipt: Receipt,
    report: PushReport,
) -> None:
    """Write the receipt's verdict on every record of the batch."""
    answer = _json(receipt.raw)
    batch.answered_at, batch.payload = utcnow(), None
    if not receipt.accepted:  # refused whole (HTTP 4xx): every record carries the reasons
        errors = answer.get("errors") if isinstance(answer.get("errors"), list) else None
        reasons = [str(error) for error in errors] if errors else [receipt.detail]
        batch.state, batch.last_error, batch.receipt = "refused", receipt.detail, answer or None
        for entry in entries:
            entry.status, entry.reasons = "rejected", reasons
        batch.rejected_count = len(entries)
        report.rejected += len(entries)
        return
    results: dict[int, dict[str, Any]] = {}
    for result in answer.get("results", []):
        if result.get("index") in results:
            report.repeated_results += 1  # a receipt repeating a record's result
            continue
        results[int(result["index"])] = result
    accepted = 0
    for index, entry in enumerate(entries):
        result = results.get(index)
        if result is not None and result.get("accepted") and result.get("key") == entry.record_key:
            entry.status, entry.receipt_id, entry.reasons = "accepted", result["receipt_id"], []
            accepted += 1
        else:
            entry.status = "rejected"
            entry.reasons = list(result.get("reasons", [])) if result else ["no result in receipt"]
    batch.state = str(answer.get("status", "accepted"))
    batch.receipt_id = receipt.remote_id
    batch.receipt = answer
    batch.accepted_count, batch.rejected_count = accepted, len(entries) - accepted
    report.accepted += accepted
    report.rejected += len(entries) - accepted


def _json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}
