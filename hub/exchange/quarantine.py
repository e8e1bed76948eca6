"""Quarantine: records that failed a step, kept with the step, the reason and the raw bytes.

Entries are keyed by (envelope, message type, position): running the same envelope again
updates an entry instead of adding one, and a record that now passes resolves its entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from hub.exchange.channels import ChannelConfig
from hub.security.crypto import get_key_ring
from hub.store.base import utcnow
from hub.store.models.exchange import QuarantineEntry

# An over-long raw record is cut at this size; the envelope keeps the whole payload.
MAX_RAW_BYTES = 1024 * 1024

# What a reason may quote of the record: the offending value, repr-quoted by schema, mapping
# and code-check messages, or a bare number. The quoted name of a missing property is no data.
_QUOTED_VALUE = re.compile(r"'(?:[^'\\]|\\.)*'(?! is a required property)" + r'|"(?:[^"\\]|\\.)*"')
_LONG_NUMBER = re.compile(r"\d{6,}(?:\.\d+)?")
WITHHELD = "<withheld>"


def withhold_values(reason: str) -> str:
    """A reason without the values it quotes, for personal-data channels: their raw bytes are
    sealed at rest, and a plain-text reason quoting a phone number would undo that.

    >>> withhold_values("complainant_phone: '13912345678 / 1391234' is too long")
    'complainant_phone: <withheld> is too long'
    >>> withhold_values("latitude: 13912345678.0 is greater than the maximum of 90")
    'latitude: <withheld> is greater than the maximum of 90'
    >>> withhold_values("(record): 'source_number' is a required property")
    "(record): 'source_number' is a required property"
    """
    return _LONG_NUMBER.sub(WITHHELD, _QUOTED_VALUE.sub(WITHHELD, reason))


@dataclass(frozen=True)
class QuarantinedRecord:
    """A failure waiting to be written with its chunk."""

    position: int
    step: str
    reason: str
    raw: bytes


def quarantine_entry(
    personal: bool, position: int, step: str, reason: str, raw: bytes
) -> QuarantinedRecord:
    """A failure as it will be stored: on personal-data channels the reason without values."""
    return QuarantinedRecord(
        position, step, withhold_values(reason) if personal else reason, raw[:MAX_RAW_BYTES]
    )


class QuarantineWriter:
    """Writes one envelope's failures, each chunk's in that chunk's transaction, and resolves
    open entries whose records now pass."""

    def __init__(
        self,
        channel: ChannelConfig,
        message_type: str,
        envelope_id: int,
        run_id: int,
        sessions: sessionmaker[Session],
        *,
        new_envelope: bool = False,
    ) -> None:
        self.channel = channel
        self.message_type = message_type
        self.envelope_id = envelope_id
        self.run_id = run_id
        self._open_positions: set[int] = set()
        if new_envelope:
            return  # an envelope stored just now has no entries yet
        with sessions() as session:
            self._open_positions = set(
                session.scalars(
                    select(QuarantineEntry.position).where(
                        QuarantineEntry.envelope_id == envelope_id,
                        QuarantineEntry.message_type == message_type,
                        QuarantineEntry.status == "open",
                    )
                )
            )

    def entry(self, position: int, step: str, reason: str, raw: bytes) -> QuarantinedRecord:
        return quarantine_entry(self.channel.personal_data, position, step, reason, raw)

    def write(
        self, session: Session, items: list[QuarantinedRecord], *, resolved_positions: list[int]
    ) -> None:
        """Write ``items``; mark entries of positions that now passed as resolved."""
        if items:
            self._write(session, items)
        if self._open_positions and resolved_positions:
            now_passing = self._open_positions.intersection(resolved_positions)
            if now_passing:
                session.execute(
                    update(QuarantineEntry)
                    .where(
                        QuarantineEntry.envelope_id == self.envelope_id,
                        QuarantineEntry.message_type == self.message_type,
                        QuarantineEntry.position.in_(now_passing),
                        QuarantineEntry.status == "open",
                    )
                    .values(status="resolved", resolved_at=utcnow(), resolved_run_id=self.run_id)
                )
                self._open_positions -= now_passing

    def _write(self, session: Session, items: list[QuarantinedRecord]) -> None:
        ring = get_key_ring() if self.channel.personal_data else None
        now = utcnow()
        rows = [
            {
                "channel": self.channel.name,
                "message_type": self.message_type,
                "envelope_id": self.envelope_id,
                "position": item.position,
                "step": item.step,
                "reason": item.reason,
                "raw": ring.seal(item.raw) if ring else item.raw,
                "encrypted": ring is not None,
                "status": "open",
                "department_code": self.channel.department_code,
                "run_id": self.run_id,
                "created_at": now,
            }
            for item in items
        ]
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        statement = insert(QuarantineEntry)
        statement = statement.on_conflict_do_update(
            index_elements=["envelope_id", "message_type", "position"],
            set_={
                "step": statement.excluded.step,
                "reason": statement.excluded.reason,
                "run_id": statement.excluded.run_id,
                "status": "open",
                "resolved_at": None,
                "resolved_run_id": None,
            },
        )
        session.execute(statement, rows)
        self._open_positions.update(item.position for item in items)
