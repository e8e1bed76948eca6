"""Replay quarantined records after a mapping or schema fix.

Each open entry's envelope is read back from the store (opened if sealed) and the entry's
positions are run through the channel's current mapping in a new run. Entries whose record
now passes are marked resolved; the others stay open with their new reason.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import NotFoundError
from hub.exchange.channels import ChannelConfig, ChannelRegistry, default_registry
from hub.exchange.pipeline import MessageRun, finish_run, start_run
from hub.exchange.report import RunReport
from hub.store.models.exchange import Envelope, QuarantineEntry


def replay_quarantine(
    sessions: sessionmaker[Session] | Engine,
    *,
    ids: list[int] | None = None,
    channel: str | None = None,
    actor: str = "system:replay",
    registry: ChannelRegistry | None = None,
) -> dict[str, Any]:
    """Replay open quarantine entries chosen by ``ids`` and/or ``channel``.

    Returns a JSON-ready summary: per channel the balanced counts of the replay run, and the
    numbers of entries resolved and still open.
    """
    if isinstance(sessions, Engine):
        sessions = sessionmaker(bind=sessions, expire_on_commit=False)
    registry = registry or default_registry()
    with sessions() as session:
        query = select(QuarantineEntry).where(QuarantineEntry.status == "open")
        if ids:
            query = query.where(QuarantineEntry.id.in_(ids))
        if channel:
            query = query.where(QuarantineEntry.channel == channel)
        entries = list(session.scalars(query.order_by(QuarantineEntry.id)))
    if ids and not entries:
        raise NotFoundError(f"no open quarantine entries among ids {sorted(ids)}")
    by_channel: dict[str, dict[tuple[int, str], set[int]]] = defaultdict(lambda: defaultdict(set))
    for entry in entries:
        by_channel[entry.channel][(entry.envelope_id, entry.message_type)].add(entry.position)

    summary: dict[str, Any] = {"actor": actor, "entries": len(entries), "channels": {}}
    for channel_name, groups in by_channel.items():
        config = registry.get(channel_name)
        report = _replay_channel(sessions, config, groups, registry)
        summary["channels"][channel_name] = {
            "run_id": report.run_id,
            "received": report.received,
            "stored": report.stored,
            "duplicates": report.duplicates,
            "quarantined": report.quarantined,
            "resolved": report.stored + report.duplicates,
            "still_open": report.quarantined,
            "balanced": report.balanced,
        }
    return summary


def _replay_channel(
    sessions: sessionmaker[Session],
    config: ChannelConfig,
    groups: dict[tuple[int, str], set[int]],
    registry: ChannelRegistry,
) -> RunReport:
    started = time.perf_counter()
    report = start_run(sessions, config.name, kind="replay")
    runs: dict[str, MessageRun] = {}
    try:
        for (envelope_id, message_type), positions in sorted(groups.items()):
            with sessions() as session:
                envelope = session.get(Envelope, envelope_id)
            if envelope is None:
                continue
            if message_type not in runs:
                runs[message_type] = MessageRun(
                    sessions,
                    config,
                    message_type,
                    report,
                    chunk_size=5000,
                    subscribers=registry.subscribers,
                )
            runs[message_type].run_envelope(envelope, only_positions=positions)
    except BaseException as exc:
        finish_run(sessions, report, started, error=f"{type(exc).__name__}: {exc}")
        raise
    finish_run(sessions, report, started)
    return report
