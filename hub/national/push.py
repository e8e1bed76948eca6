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
2. **Send**, oldest batch first, over the configured transport (``transport`` in push.yaml,
   ``rest`` by default): the REST adapter (retries, Retry-After, receipt pointer) with every
   request signed (``config.open_adapter``), or SOAP ``SubmitBatch`` with the same payload
   as its ``batch`` text, the same idempotency key and the same key signing its
   ``BatchSignature`` header (``config.open_soap_adapter``). The receipt settles each
   record: accepted with its receipt id, or rejected with the national system's reasons; a
   repeated result for a record is counted and ignored. A batch that got no receipt (the
   remote timed out or is down) stays pending and is sent again, byte for byte under the
   same key, by the next run: the national system answers a known key with the receipt it
   gave, so nothing is applied twice. When the remote is unavailable the run stops there.

   Both transports answer in the REST receipt's shape, so one settlement serves both
   (``hub.national.soap_transport``: the SOAP answer read as that receipt, its faults
   sorted into refusals, wrong credentials and transient failures as over REST). The SOAP
   adapter does not retry within a call: a transient failure ends the run, and the next
   one resends.

Concurrent runs: planning and batch numbering take one lock (``claim_numbering``: a
transaction-scoped advisory lock on PostgreSQL, the database's write lock on SQLite), so a
second run plans after the first committed and finds its records pending; sending locks each
batch row (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite a claiming write first), so
a batch goes out from one run only.

The push log is read and written in bulk (``hub.store.bulk``), a few statements a batch
rather than one a record: 10,000 records of a type are planned, sent and settled in seconds.

Why not the outbox dispatcher: it sends one message per row and keeps a receipt's verdict,
not its per-record results, while the national interface takes batches of up to 1000
records answered record by record. The batch table plays the outbox's part (same
transaction discipline: claimed, pushed and settled in one transaction).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from adapters.base import OutboundMessage, Receipt
from hub.errors import RetryLater
from hub.national.config import (
    NationalConfig,
    Transport,
    load_config,
    open_adapter,
    open_soap_adapter,
)
from hub.national.messages import CHINA_STANDARD_TIME, Message, current_messages
from hub.national.profile import DATA_TYPES, checksum, content_hash, problems
from hub.national.soap_transport import submit_batch
from hub.store.base import utcnow
from hub.store.bulk import insert_rows, update_rows
from hub.store.models.national import NationalBatch, NationalSentRecord

log = logging.getLogger(__name__)

DELETED = "deleted"
"""The content hash of a ``d`` entry (it carries no content)."""
NUMBERING_LOCK = 0x4E415450  # "NATP": the advisory lock of national planning and numbering
SENT_RECORDS = cast(Table, NationalSentRecord.__table__)
BatchSender = Callable[[str, str], Receipt]
"""Sends a batch (its JSON text, its idempotency key); the receipt's ``raw`` is the national
receipt as JSON (``receipt.json``), or, when the batch was refused whole, its reasons."""


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
        claim_numbering(session)
        for data_type in data_types:
            _plan(session, settings, data_type, report, now)
    send_pending(engine, settings, report)
    return report


def claim_numbering(session: Session) -> None:
    """Hold, until the transaction ends, the lock under which the push log is planned from
    and batches are numbered: two runs never plan the same records or number two batches
    alike. PostgreSQL: a transaction-scoped advisory lock (re-entrant). SQLite: the
    database's single write lock, taken now by a write that matches no row (the busy
    timeout makes a second writer wait)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": NUMBERING_LOCK})
    else:
        session.execute(text("UPDATE national_batches SET id = id WHERE 1 = 0"))


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
    with _open_sender(config) as sender:
        for position, batch_id in enumerate(waiting):
            failure = _send(sessions, sender, batch_id, report)
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
    held: list[dict[str, Any]] = []
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
            held.append(_log_row(data_type, key, operation, digest, None, "held", reasons))
            continue
        planned.append(PlannedRecord(operation, key, data, digest))
    insert_rows(session, SENT_RECORDS, held)
    report.held += len(held)
    for key, accepted in latest_accepted.items():
        last = latest[key]
        if key in messages or accepted.operation == "d" or last.status in ("pending", "rejected"):
            continue
        planned.append(PlannedRecord("d", key, None, DELETED))
    for record in planned:
        report.plan(data_type, record.operation)
    for start in range(0, len(planned), config.batch_size):
        new_batch(session, config, data_type, planned[start : start + config.batch_size], now)


class LogEntry(NamedTuple):
    """What planning reads of a push log row (plain columns: no ORM object per row)."""

    record_key: str
    operation: str
    content_hash: str
    status: str


def _push_log(session: Session, data_type: str) -> tuple[dict[str, LogEntry], dict[str, LogEntry]]:
    """The latest entry of every key of ``data_type``, and its latest accepted one."""
    latest: dict[str, LogEntry] = {}
    latest_accepted: dict[str, LogEntry] = {}
    query = (
        select(
            NationalSentRecord.record_key,
            NationalSentRecord.operation,
            NationalSentRecord.content_hash,
            NationalSentRecord.status,
        )
        .where(NationalSentRecord.data_type == data_type)
        .order_by(NationalSentRecord.id)
    )
    for row in session.execute(query):
        entry = LogEntry(*row)
        latest[entry.record_key] = entry
        if entry.status == "accepted":
            latest_accepted[entry.record_key] = entry
    return latest, latest_accepted


def _log_row(
    data_type: str,
    key: str,
    operation: str,
    digest: str,
    batch_id: int | None,
    status: str,
    reasons: list[str],
) -> dict[str, Any]:
    """A push log row for ``insert_rows`` (which applies no column defaults)."""
    moment = utcnow()
    return {
        "data_type": data_type,
        "record_key": key,
        "operation": operation,
        "content_hash": digest,
        "batch_id": batch_id,
        "status": status,
        "receipt_id": None,
        "reasons": reasons,
        "created_at": moment,
        "updated_at": moment,
    }


def new_batch(
    session: Session,
    config: NationalConfig,
    data_type: str,
    records: list[PlannedRecord],
    now: datetime | None,
    day: date | None = None,
) -> NationalBatch:
    """A pending batch of ``records`` numbered in ``day`` (default: today, CST; reconciliation
    re-sends what a day lacks in a batch of that day, so that both sides count it there).
    Takes the numbering lock (``claim_numbering``) if the caller has not."""
    claim_numbering(session)
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
    insert_rows(
        session,
        SENT_RECORDS,
        [
            _log_row(data_type, r.key, r.operation, r.content_hash, batch.id, "pending", [])
            for r in records
        ],
    )
    return batch


@contextmanager
def _open_sender(config: NationalConfig) -> Iterator[BatchSender]:
    """The transport ``config.transport`` names, signing every batch with the province key."""
    if config.transport is Transport.SOAP:
        with open_soap_adapter(config) as soap:
            yield lambda payload, key: submit_batch(soap, payload, key)
        return
    with open_adapter(config) as adapter:
        yield lambda payload, key: adapter.push(OutboundMessage("batch", payload.encode(), key))


def _send(
    sessions: sessionmaker[Session], sender: BatchSender, batch_id: int, report: PushReport
) -> RetryLater | None:
    """Push one batch and settle its records in one transaction; a transient failure leaves
    it pending (its attempt and error recorded) and is returned."""
    with sessions.begin() as session:
        batch = _claim(session, batch_id)
        if batch is None or batch.payload is None:
            return None  # settled by another run since it was listed, or being sent by one
        batch.attempts += 1
        try:
            receipt = sender(batch.payload, batch.idempotency_key)
        except RetryLater as exc:
            batch.last_error = str(exc)
            return exc
        entries: list[tuple[int, str]] = [
            (entry_id, key)
            for entry_id, key in session.execute(
                select(NationalSentRecord.id, NationalSentRecord.record_key)
                .where(NationalSentRecord.batch_id == batch.id)
                .order_by(NationalSentRecord.id)
            )
        ]
        update_rows(session, SENT_RECORDS, _settle(batch, entries, receipt, report))
        report.batches_sent += 1
        return None


def _claim(session: Session, batch_id: int) -> NationalBatch | None:
    """The batch, still pending, held by this transaction until it is settled.

    PostgreSQL: its row locked, skipped when another run holds it. SQLite: the database's
    write lock taken first (a store with one writer: a second run waits, then finds the
    batch settled); a write before any read, so that WAL never has to upgrade a stale
    snapshot."""
    query = select(NationalBatch).where(
        NationalBatch.id == batch_id, NationalBatch.state == "pending"
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    else:
        claim_numbering(session)
    return session.scalars(query).one_or_none()


def _settle(
    batch: NationalBatch,
    entries: list[tuple[int, str]],
    receipt: Receipt,
    report: PushReport,
) -> list[dict[str, Any]]:
    """Write the receipt's verdict on the batch; answer its records' new columns (id,
    status, receipt id, reasons, updated_at) for one bulk update."""
    answer = _json(receipt.raw)
    moment = utcnow()
    batch.answered_at, batch.payload = moment, None
    if not receipt.accepted:  # refused whole (HTTP 4xx): every record carries the reasons
        errors = answer.get("errors") if isinstance(answer.get("errors"), list) else None
        reasons = [str(error) for error in errors] if errors else [receipt.detail]
        batch.state, batch.last_error, batch.receipt = "refused", receipt.detail, answer or None
        batch.rejected_count = len(entries)
        report.rejected += len(entries)
        return [_verdict(entry_id, "rejected", None, reasons, moment) for entry_id, _ in entries]
    results: dict[int, dict[str, Any]] = {}
    for result in answer.get("results", []):
        if result.get("index") in results:
            report.repeated_results += 1  # a receipt repeating a record's result
            continue
        results[int(result["index"])] = result
    verdicts = []
    for index, (entry_id, key) in enumerate(entries):
        result = results.get(index)
        if result is not None and result.get("accepted") and result.get("key") == key:
            verdicts.append(_verdict(entry_id, "accepted", result["receipt_id"], [], moment))
        else:
            reasons = list(result.get("reasons", [])) if result else ["no result in receipt"]
            verdicts.append(_verdict(entry_id, "rejected", None, reasons, moment))
    accepted = sum(1 for verdict in verdicts if verdict["status"] == "accepted")
    batch.state = str(answer.get("status", "accepted"))
    batch.receipt_id = receipt.remote_id
    batch.receipt = answer
    batch.accepted_count, batch.rejected_count = accepted, len(entries) - accepted
    report.accepted += accepted
    report.rejected += len(entries) - accepted
    return verdicts


def _verdict(
    entry_id: int, status: str, receipt_id: str | None, reasons: list[str], moment: datetime
) -> dict[str, Any]:
    return {
        "id": entry_id,
        "status": status,
        "receipt_id": receipt_id,
        "reasons": reasons,
        "updated_at": moment,
    }


def _json(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}
