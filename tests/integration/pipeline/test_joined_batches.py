"""Batches of messages joined into one envelope: stored while the next batch is fetched,
settled only after their commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.exchange.channels import ChannelConfig, load_channel
from hub.exchange.coalesce import JoinedArrival, coalesce
from hub.exchange.envelopes import Arrival, checksum
from hub.exchange.pipeline import ingest
from hub.store.models.exchange import Envelope, ExchangeRun, Provenance, QuarantineEntry
from simulators.departmental import DepartmentalEvents

MESSAGE_TYPES = {"inspection": "inspections", "penalty": "penalties"}


@pytest.fixture
def channel(repo_root: Path) -> ChannelConfig:
    return load_channel(repo_root / "mappings" / "departmental_events" / "channel.yaml")


def _batches(
    channel: ChannelConfig, count: int, size: int, *, malformed: float, duplicates: float
) -> list[list[Arrival]]:
    events = [
        Arrival(channel.name, MESSAGE_TYPES[event.message_type], event.payload)
        for event in DepartmentalEvents(11, count, malformed=malformed, duplicates=duplicates)
        if event.message_type in MESSAGE_TYPES
    ]
    return [
        coalesce(channel, events[start : start + size]) for start in range(0, len(events), size)
    ]


def _flat(batches: list[list[Arrival]]) -> Iterator[Arrival]:
    for batch in batches:
        yield from batch


def _stored_records(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Provenance)) or 0


def _committed_of(engine: Engine, arrival: Arrival) -> tuple[int, int]:
    """(provenance rows, quarantine entries) committed for the arrival's envelope."""
    sha256, _ = checksum(arrival)
    with Session(engine) as session:
        envelope = session.scalars(select(Envelope.id).where(Envelope.sha256 == sha256)).one()
        stored = session.scalar(
            select(func.count()).select_from(Provenance).where(Provenance.envelope_id == envelope)
        )
        quarantined = session.scalar(
            select(func.count())
            .select_from(QuarantineEntry)
            .where(QuarantineEntry.envelope_id == envelope)
        )
    return stored or 0, quarantined or 0


def test_joined_batches_balance_and_each_is_settled_only_after_its_commit(
    engine: Engine, channel: ChannelConfig
) -> None:
    batches = _batches(channel, 300, 40, malformed=0.05, duplicates=0.05)
    joined = [arrival for arrival in _flat(batches) if isinstance(arrival, JoinedArrival)]
    settled: list[tuple[Arrival, tuple[int, int]]] = []

    report = ingest(
        engine,
        channel,
        _flat(batches),
        on_stored=lambda arrival: settled.append((arrival, _committed_of(engine, arrival))),
    )

    assert len(joined) > 2
    assert [arrival for arrival, _ in settled] == list(_flat(batches))  # in order, each once
    # Nothing of an arrival was committed after it was settled.
    assert all(seen == _committed_of(engine, arrival) for arrival, seen in settled)
    assert report.stored == _stored_records(engine) > 0
    assert report.received == report.stored + report.duplicates + report.quarantined
    assert report.quarantined > 0 and report.duplicates > 0
    with Session(engine) as session:
        entries = list(session.scalars(select(QuarantineEntry)))
    assert len(entries) == report.quarantined
    assert all(entry.raw for entry in entries)  # the message's own bytes, kept


def test_a_joined_batch_replayed_changes_nothing(engine: Engine, channel: ChannelConfig) -> None:
    batches = _batches(channel, 120, 30, malformed=0.0, duplicates=0.0)
    first = ingest(engine, channel, _flat(batches))

    again = ingest(engine, channel, _flat(batches))

    assert first.stored > 0
    assert (again.received, again.stored, again.duplicates) == (first.stored, 0, first.stored)
    assert _stored_records(engine) == first.stored


def test_a_run_failing_while_a_batch_commits_settles_only_what_was_committed(
    engine: Engine, channel: ChannelConfig
) -> None:
    batches = _batches(channel, 120, 30, malformed=0.0, duplicates=0.0)

    def arrivals() -> Iterator[Arrival]:
        yield from _flat(batches[:2])
        raise RuntimeError("connection lost while fetching")  # the second batch in flight

    settled: list[tuple[Arrival, tuple[int, int]]] = []
    with pytest.raises(RuntimeError, match="connection lost"):
        ingest(
            engine,
            channel,
            arrivals(),
            on_stored=lambda arrival: settled.append((arrival, _committed_of(engine, arrival))),
        )

    fetched = list(_flat(batches[:2]))
    # Every arrival but the last, whose commit was in flight when the run failed: its batch
    # is not acknowledged and comes back (the store absorbs it).
    assert [arrival for arrival, _ in settled] == fetched[:-1]
    assert all(seen == _committed_of(engine, arrival) for arrival, seen in settled)
    with Session(engine) as session:
        [run] = session.scalars(select(ExchangeRun))
    assert run.status == "failed" and "connection lost" in (run.error or "")
