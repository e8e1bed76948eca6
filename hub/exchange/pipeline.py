"""The one pipeline every channel uses.

    parse → validate (source schema) → map → validate (canonical schema) → store guards
    (the mapping's checks against the store) → upsert on the natural key → provenance →
    outbox events, committed chunk by chunk; any failing record goes to quarantine with its
    step, reason and raw bytes, and the batch goes on.

A run's counts always balance: received = stored + duplicates + quarantined. Replaying an
envelope changes nothing: its bytes are stored once (by checksum), unchanged records are
counted as duplicates, and quarantine entries are keyed by (envelope, message, position).
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import KeyConflictError
from hub.exchange.channels import ChannelConfig
from hub.exchange.coalesce import JoinedArrival
from hub.exchange.envelopes import Arrival, open_payload, store_envelope
from hub.exchange.guards import StoreGuard, store_guard
from hub.exchange.outbox import enqueue_record_events
from hub.exchange.parsers import SourceRecord, parse_records
from hub.exchange.processing import Chunk, RecordProcessor
from hub.exchange.quarantine import QuarantineWriter
from hub.exchange.report import RunReport, reason_key
from hub.exchange.upsert import KeyTuple, Origin, Row, Upserter
from hub.exchange.workers import PARALLEL_THRESHOLD_BYTES, chunks_from_worker, worth_a_worker
from hub.store.base import utcnow
from hub.store.models.exchange import Envelope, ExchangeRun
from hub.store.records import RecordType

ProgressCallback = Callable[[RunReport], None]


class _OverlappedWriter:
    """Stores chunks on one background thread while the next chunk is being processed.

    At most one chunk is in flight: submitting waits for the previous one, so chunks commit
    in order, memory stays bounded and an error surfaces at the next submit or at ``drain``.
    The database does its share of the work (and the driver waits for it without the GIL)
    while Python maps the next records, or an adapter fetches the next batch.

    ``then`` queues a callback (an acknowledgement, a cursor) to run on the submitting
    thread once everything submitted so far is committed: it never runs before the commit,
    and it runs where the adapter's connection lives.
    """

    # The storing thread waits on the server many times per chunk; each time it wakes it
    # must win the GIL back from the mapping thread, which by default holds it for up to
    # 5 ms. A shorter switch interval while a run lasts keeps those waits short (measured
    # here: 13.6k -> 17.6k rows/s into PostgreSQL).
    SWITCH_INTERVAL_SECONDS = 0.0002

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-store")
        self._in_flight: Future[None] | None = None
        self._after: list[Callable[[], None]] = []
        self._previous_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._previous_interval, self.SWITCH_INTERVAL_SECONDS))

    def submit(self, work: Callable[[], None]) -> None:
        self.drain()
        self._in_flight = self._executor.submit(work)

    def then(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the work submitted so far is committed (now if none is)."""
        if self._in_flight is None:
            callback()
        else:
            self._after.append(callback)

    def drain(self) -> None:
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is None:
            return
        in_flight.result()
        after, self._after = self._after, []
        for callback in after:
            callback()

    def close(self) -> None:
        try:
            self.drain()
        finally:
            self.abandon()

    def abandon(self) -> None:
        """Wait for the work in flight but run none of its callbacks (the run failed; what
        was not acknowledged is delivered again and absorbed by the idempotent store)."""
        self._after.clear()
        self._in_flight = None
        self._executor.shutdown(wait=True)
        sys.setswitchinterval(self._previous_interval)


class MessageRun:
    """Runs one message type of one channel over envelopes, sharing a run row and report."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        channel: ChannelConfig,
        message: str,
        report: RunReport,
        *,
        chunk_size: int,
        subscribers: Callable[[str], list[str]],
        progress: ProgressCallback | None = None,
        parallel_threshold: int = PARALLEL_THRESHOLD_BYTES,
        writer: _OverlappedWriter | None = None,
    ) -> None:
        self.sessions = sessions
        self.channel = channel
        self.message = message
        self.report = report
        self.chunk_size = chunk_size
        self.progress = progress
        self.processor = RecordProcessor(channel, message)
        self.target: RecordType = self.processor.target
        self.upserter = Upserter(self.target, self.processor.columns)
        self.guards: list[StoreGuard] = [
            store_guard(name) for name in self.processor.mapping.guards
        ]
        self.event_destinations = subscribers(f"{self.target.name}.stored")
        self.parallel_threshold = parallel_threshold
        self.writer = writer

    def run_arrival(self, arrival: Arrival) -> None:
        """Store the arrival's envelope, then run its records through the pipeline (a large
        file's per-record work in a worker process)."""
        with self.sessions() as session, session.begin():
            envelope, new = store_envelope(
                session, arrival, personal=self.channel.personal_data, run_id=self.report.run_id
            )
        self.report.envelopes += 1
        default_version = envelope.received_at.isoformat()
        if isinstance(arrival.payload, Path) and worth_a_worker(
            arrival.payload, self.parallel_threshold
        ):
            chunks = chunks_from_worker(
                self.channel.path, self.message, arrival.payload, default_version, self.chunk_size
            )
            self.store_chunks(envelope, chunks, new_envelope=new)
            return
        with arrival.open() as stream:
            records = parse_records(stream, self.processor.mapping.source)
            self.store_chunks(
                envelope,
                self.processor.chunks(records, default_version, self.chunk_size),
                new_envelope=new,
            )

    def run_envelope(self, envelope: Envelope, only_positions: set[int] | None = None) -> None:
        """Re-run a stored envelope (replay), optionally only some record positions."""
        default_version = envelope.received_at.isoformat()
        with self.sessions() as reader:
            stream = open_payload(reader, envelope)
            records: Iterable[SourceRecord] = parse_records(stream, self.processor.mapping.source)
            if only_positions is not None:
                records = (record for record in records if record.position in only_positions)
            self.store_chunks(
                envelope, self.processor.chunks(records, default_version, self.chunk_size)
            )

    def store_chunks(
        self, envelope: Envelope, chunks: Iterable[Chunk], *, new_envelope: bool = False
    ) -> None:
        """Store each chunk on the writer thread while the next one is being made.

        With the run's shared writer (``ingest``), the last chunk may still be in flight on
        return, so that the next arrival is fetched and processed while it commits.
        Otherwise an envelope of one chunk (a replayed message, a page) is stored right
        here, without a thread, and every chunk is committed on return."""
        quarantine, origin = self._destinations(envelope, new_envelope)
        if self.writer is not None:
            for made in chunks:
                self.writer.submit(partial(self._store, made, origin, quarantine))
            return
        remaining = iter(chunks)
        first, second = next(remaining, None), next(remaining, None)
        if second is None:
            if first is not None:
                self._store(first, origin, quarantine)
            return
        writer = _OverlappedWriter()
        try:
            for chunk in chain((first, second), remaining):
                if chunk is not None:
                    writer.submit(partial(self._store, chunk, origin, quarantine))
        finally:
            writer.close()

    def _destinations(
        self, envelope: Envelope, new_envelope: bool
    ) -> tuple[QuarantineWriter, Origin]:
        """Where an envelope's failures and the provenance of its stored records go."""
        quarantine = QuarantineWriter(
            self.channel,
            self.message,
            envelope.id,
            self.report.run_id,
            self.sessions,
            new_envelope=new_envelope,
        )
        return quarantine, Origin(self.target.name, envelope.id, self.report.run_id)

    def _store(self, chunk: Chunk, origin: Origin, quarantine: QuarantineWriter) -> None:
        """One chunk in one transaction: key check, upsert with provenance, outbox events,
        quarantine entries and the run's counts so far."""
        with self.sessions() as session, session.begin():
            rows = self._refuse_key_changes(session, chunk, quarantine)
            rows = self._apply_guards(session, chunk, rows, quarantine)
            stored = self.upserter.upsert(session, list(rows.values()), origin)
            enqueue_record_events(session, self.event_destinations, self.target.name, stored, rows)
            positions = [position for _, position in rows.values()]
            quarantine.write(
                session, chunk.quarantined, resolved_positions=[*positions, *chunk.passed_positions]
            )
            report = self.report
            report.received += chunk.received
            report.stored += len(stored)
            report.duplicates += chunk.duplicates + len(rows) - len(stored)
            report.quarantined += len(chunk.quarantined)
            for item in chunk.quarantined:
                report.reasons[reason_key(item.step, item.reason)] += 1
            session.execute(
                update(ExchangeRun)
                .where(ExchangeRun.id == report.run_id)
                .values(
                    received=report.received,
                    stored=report.stored,
                    duplicates=report.duplicates,
                    quarantined=report.quarantined,
                )
            )
        if self.progress is not None:
            self.progress(self.report)

    def _apply_guards(
        self,
        session: Session,
        chunk: Chunk,
        rows: dict[KeyTuple, tuple[Row, int]],
        quarantine: QuarantineWriter,
    ) -> dict[KeyTuple, tuple[Row, int]]:
        """Quarantine the rows the mapping's store guards refuse; keep the rest."""
        if not self.guards:
            return rows
        kept = dict(rows)
        for guard in self.guards:
            refused = guard.check(session, {key: row for key, (row, _) in kept.items()})
            for key, reason in refused.items():
                _, position = kept.pop(key)
                chunk.quarantined.append(
                    quarantine.entry(
                        position, guard.step, f"{guard.name}: {reason}", chunk.raws[key]
                    )
                )
        return kept

    def _refuse_key_changes(
        self, session: Session, chunk: Chunk, quarantine: QuarantineWriter
    ) -> dict[KeyTuple, tuple[Row, int]]:
        """Quarantine records whose source id is bound to another natural key, by a stored
        record or by an earlier record of the same chunk (the first one binds: a chunk is
        stored at once, so without this both keys would be inserted for one source id)."""
        binding = self.target.binding
        if binding is None:
            return chunk.rows
        system_column, id_column = binding
        source_ids = {
            row[id_column] for row, _ in chunk.rows.values() if row.get(id_column) is not None
        }
        if not source_ids:
            return chunk.rows
        bound: dict[tuple[Any, Any], KeyTuple] = {}
        for system, source_id, *bound_key in bound_keys(
            session, self.upserter.table.name, binding, self.target.key, sorted(source_ids)
        ):
            bound.setdefault((system, source_id), tuple(bound_key))
        kept: dict[KeyTuple, tuple[Row, int]] = {}
        for key, (row, position) in chunk.rows.items():
            system, source_id = row.get(system_column), row.get(id_column)
            owner = key if source_id is None else bound.setdefault((system, source_id), key)
            if owner == key:
                kept[key] = (row, position)
                continue
            error = KeyConflictError(
                f"{system or ''}:{source_id} is bound to {self.target.name} "
                f"{'/'.join(map(str, owner))}; this record carries "
                f"{'/'.join(map(str, key))} (a natural key cannot change)"
            )
            chunk.quarantined.append(
                quarantine.entry(position, error.step, str(error), chunk.raws[key])
            )
        return kept


def bound_keys(
    session: Session,
    table: str,
    binding: tuple[str, str],
    key: tuple[str, ...],
    source_ids: list[Any],
) -> list[tuple[Any, ...]]:
    """(system, source id, *natural key) of stored records with one of ``source_ids``.

    The ids go to the server as one array (PostgreSQL) or one JSON text (SQLite), not as
    thousands of bound parameters.
    """
    system_column, id_column = binding
    columns = ", ".join(f'"{name}"' for name in (system_column, id_column, *key))
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sql = f'SELECT {columns} FROM "{table}" WHERE "{id_column}" = ANY(%(ids)s)'
        return list(connection.exec_driver_sql(sql, {"ids": source_ids}))
    sql = f'SELECT {columns} FROM "{table}" WHERE "{id_column}" IN (SELECT value FROM json_each(?))'
    return list(connection.exec_driver_sql(sql, (json.dumps(source_ids, ensure_ascii=False),)))


def start_run(sessions: sessionmaker[Session], channel: str, kind: str = "ingest") -> RunReport:
    with sessions() as session, session.begin():
        run = ExchangeRun(run_uid=str(uuid.uuid4()), channel=channel, kind=kind)
        session.add(run)
        session.flush()
        return RunReport(channel=channel, run_id=run.id, run_uid=run.run_uid)


def finish_run(
    sessions: sessionmaker[Session], report: RunReport, started: float, error: str | None = None
) -> None:
    """Close the run row with its final counts and record the run in the audit log."""
    from hub.audit import anchor_after_commit, append, default_anchor

    report.elapsed_seconds = time.perf_counter() - started
    status = "failed" if error else "succeeded"
    with sessions() as session, session.begin():
        anchor_after_commit(session, default_anchor())
        session.execute(
            update(ExchangeRun)
            .where(ExchangeRun.id == report.run_id)
            .values(
                status=status,
                finished_at=utcnow(),
                received=report.received,
                stored=report.stored,
                duplicates=report.duplicates,
                quarantined=report.quarantined,
                error=error,
            )
        )
        append(
            session,
            actor=f"system:exchange:{report.channel}",
            action=f"exchange.run.{status}",
            object_type="exchange_run",
            object_id=report.run_uid,
            details={
                "received": report.received,
                "stored": report.stored,
                "duplicates": report.duplicates,
                "quarantined": report.quarantined,
                "envelopes": report.envelopes,
            },
        )


def ingest(
    engine: Engine,
    channel: ChannelConfig,
    arrivals: Iterable[Arrival],
    *,
    subscribers: Callable[[str], list[str]] = lambda _event: [],
    chunk_size: int = 5000,
    progress: ProgressCallback | None = None,
    parallel_threshold: int = PARALLEL_THRESHOLD_BYTES,
    on_stored: Callable[[Arrival], None] | None = None,
) -> RunReport:
    """Run the pipeline over ``arrivals`` of ``channel`` in one run; return its report.

    Files of ``parallel_threshold`` bytes or more are processed in a worker process.
    ``on_stored`` is called with each arrival once all its records are committed (where a
    scheduled run commits its cursor and acknowledges the delivery), on this thread. A
    batch of messages joined into one envelope (``JoinedArrival``) is the exception to
    storing one arrival after the other: its last chunk commits on the writer thread while
    the next batch is fetched and processed here, and ``on_stored`` follows that commit.
    """
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    started = time.perf_counter()
    report = start_run(sessions, channel.name)
    runs: dict[str, MessageRun] = {}
    writer = _OverlappedWriter()
    try:
        for arrival in arrivals:
            if arrival.message_type not in runs:
                runs[arrival.message_type] = MessageRun(
                    sessions,
                    channel,
                    arrival.message_type,
                    report,
                    chunk_size=chunk_size,
                    subscribers=subscribers,
                    progress=progress,
                    parallel_threshold=parallel_threshold,
                    writer=writer,
                )
            runs[arrival.message_type].run_arrival(arrival)
            if not isinstance(arrival, JoinedArrival):
                # A file or a page is settled by moving its cursor or the file: that happens
                # before the next one is fetched, as the adapter expects.
                writer.drain()
            if on_stored is not None:
                writer.then(partial(on_stored, arrival))
        writer.close()
    except BaseException as exc:
        writer.abandon()
        finish_run(sessions, report, started, error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(sessions, report, started)
    return report
