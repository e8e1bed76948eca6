"""Data-quality figures per source and table, as provincial platforms are judged by them.

For each channel and the record type each of its messages feeds:

- ``correct``: records the channel stored (distinct records with provenance from it);
- ``wrong``: records of the channel still in quarantine;
- ``completeness``: the share of mapped fields that are filled, over the stored records;
- ``timeliness``: the share of records that reached the hub within ``timely_hours`` of their
  source version time (the source's own update or event time, when the mapping sets it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.exchange.channels import ChannelRegistry
from hub.store.models.exchange import Envelope, Provenance, QuarantineEntry
from hub.store.records import record_type


@dataclass(frozen=True)
class QualityRow:
    channel: str
    record_type: str
    correct: int
    wrong: int
    completeness: float | None
    timeliness: float | None

    @property
    def error_rate(self) -> float | None:
        total = self.correct + self.wrong
        return self.wrong / total if total else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "error_rate": self.error_rate}


def _parse_moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def quality_report(
    engine: Engine, registry: ChannelRegistry, *, timely_hours: float = 24.0
) -> list[QualityRow]:
    rows: list[QualityRow] = []
    with Session(engine) as session:
        for channel in registry.all():
            for message in channel.messages:
                target = record_type(channel.mappings[message.name].target)
                rows.append(
                    _row(
                        session,
                        channel.name,
                        message.name,
                        target.name,
                        list(channel.mappings[message.name].fields),
                        timely_hours,
                    )
                )
    return rows


def _row(
    session: Session,
    channel: str,
    message: str,
    type_name: str,
    fields: list[str],
    timely_hours: float,
) -> QualityRow:
    target = record_type(type_name)
    table = target.model.__table__
    from_channel = (
        select(Provenance.record_id)
        .join(Envelope, Envelope.id == Provenance.envelope_id)
        .where(
            Envelope.channel == channel,
            Envelope.message_type == message,
            Provenance.record_type == type_name,
        )
        .distinct()
        .subquery()
    )
    columns = [name for name in fields if name in table.c and name != "source_version"]
    counts = session.execute(
        select(func.count(), *(func.count(table.c[name]) for name in columns)).where(
            table.c.id.in_(select(from_channel.c.record_id))
        )
    ).one()
    correct = int(counts[0])
    wrong = int(
        session.scalar(
            select(func.count()).where(
                QuarantineEntry.channel == channel,
                QuarantineEntry.message_type == message,
                QuarantineEntry.status == "open",
            )
        )
        or 0
    )
    completeness = None
    if correct and columns:
        completeness = sum(int(filled) for filled in counts[1:]) / (correct * len(columns))
    return QualityRow(
        channel,
        type_name,
        correct,
        wrong,
        completeness,
        _timeliness(session, channel, message, type_name, timely_hours),
    )


def _timeliness(
    session: Session, channel: str, message: str, type_name: str, timely_hours: float
) -> float | None:
    """Share of the channel's latest record versions that arrived within ``timely_hours``."""
    table = record_type(type_name).model.__table__
    limit = timedelta(hours=timely_hours)
    timely = total = 0
    result = session.execute(
        select(table.c.source_version, func.min(Envelope.received_at))
        .join(
            Provenance, (Provenance.record_id == table.c.id) & (Provenance.record_type == type_name)
        )
        .join(Envelope, Envelope.id == Provenance.envelope_id)
        .where(Envelope.channel == channel, Envelope.message_type == message)
        .group_by(table.c.id, table.c.source_version)
        .execution_options(yield_per=10000)
    )
    for version, received in result:
        moment = _parse_moment(version or "")
        if moment is None or received is None:
            continue
        if received.tzinfo is None:
            received = received.replace(tzinfo=moment.tzinfo)
        total += 1
        timely += received - moment <= limit
    return timely / total if total else None
