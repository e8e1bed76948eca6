"""What the national system refused (and what the hub held back), for operators to fix and
send again.

A record's latest push-log entry tells its state: ``rejected`` (the national system's
reasons, from the receipt or from a batch refused whole) or ``held`` (it failed the national
schema here and was never sent). ``replay`` marks rejected entries ``replayed`` (their
reasons stay in the log) so that the next push sends the records again, as they are in the
store then, normally after the data was fixed. A held record needs no replay: the next push
checks it again as soon as its content changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import NotFoundError
from hub.store.models.national import NationalBatch, NationalSentRecord


@dataclass(frozen=True)
class Rejection:
    """A record the national system does not hold as the hub has it, and why."""

    data_type: str
    key: str
    operation: str
    status: str  # rejected (by the national system) or held (by the hub's schema check)
    batch_number: str | None
    reasons: list[str]
    at: datetime


def _latest_entries(session: Session) -> list[NationalSentRecord]:
    latest: dict[tuple[str, str], NationalSentRecord] = {}
    for entry in session.scalars(select(NationalSentRecord).order_by(NationalSentRecord.id)):
        latest[(entry.data_type, entry.record_key)] = entry
    return list(latest.values())


def rejections(engine: Engine, *, include_held: bool = True) -> list[Rejection]:
    """Every record whose latest entry is rejected (or held), by data type and key."""
    wanted = {"rejected", "held"} if include_held else {"rejected"}
    with sessionmaker(bind=engine)() as session:
        rows = session.execute(select(NationalBatch.id, NationalBatch.batch_number))
        numbers = {batch_id: number for batch_id, number in rows}
        found = [
            Rejection(
                entry.data_type,
                entry.record_key,
                entry.operation,
                entry.status,
                numbers.get(entry.batch_id) if entry.batch_id is not None else None,
                list(entry.reasons or []),
                entry.updated_at,
            )
            for entry in _latest_entries(session)
            if entry.status in wanted
        ]
    return sorted(found, key=lambda rejection: (rejection.data_type, rejection.key))


def replay(engine: Engine, keys: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """Mark the rejected records with ``keys`` (every one when None) for sending again;
    returns their (data type, key). Asked keys none of which is rejected: ``NotFoundError``."""
    wanted = set(keys) if keys is not None else None
    with sessionmaker(bind=engine).begin() as session:
        chosen = [
            entry
            for entry in _latest_entries(session)
            if entry.status == "rejected" and (wanted is None or entry.record_key in wanted)
        ]
        if wanted and not chosen:
            raise NotFoundError(f"no rejected national record has key {', '.join(sorted(wanted))}")
        for entry in chosen:
            entry.status = "replayed"
        return [(entry.data_type, entry.record_key) for entry in chosen]
