"""The audit log table and the digest that chains its rows.

Each row carries ``prev_hash`` (the previous row's ``entry_hash``; 64 zeros for the first row)
and ``entry_hash``, a SHA-256 over a canonical JSON serialisation of the row's content
including ``prev_hash``. Editing a row breaks its own hash; recomputing that hash breaks the
next row's link; deleting a row leaves a gap in ``seq``, which the writer assigns as previous
seq + 1 (never by the database's autoincrement, which would silently skip numbers).

The digest is defined here, next to the columns it covers, so that anyone holding a database
dump can recompute it without the rest of the hub:

    sha256(utf8(json.dumps({seq, recorded_at, actor, action, object_type, object_id,
                            department_code, details, prev_hash},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)))

with ``recorded_at`` written as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC, microseconds). Both
SQLite and PostgreSQL keep microseconds, and the column type below hands the value back as
an aware UTC datetime on both, so the digest is the same whichever engine stored the row.

The audit log holds no personal data: ``details`` carries codes, counts, record ids and
reasons, never names, phone numbers or ID numbers (``hub.audit.append`` refuses the obvious
ones). Personal data lives in the tables that seal it (``hub.store.types.EncryptedText``).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Index, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from hub.store.base import Base, BigId

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime that is always stored and returned in UTC.

    SQLite keeps no offset (SQLAlchemy returns a naive value) while PostgreSQL returns the
    session's time zone; normalising both to aware UTC makes the hashed timestamp identical.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def format_timestamp(value: datetime) -> str:
    """The hashed form of a timestamp: ISO 8601, UTC, always with microseconds and ``Z``."""
    if value.tzinfo is None:
        # Only SQLite hands back naive values, and the writer always stores UTC.
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no whitespace: one byte string per value.

    NaN and infinities are refused because JSON has no spelling for them that every reader
    agrees on; anything not JSON-serialisable raises ``ValueError`` or ``TypeError``.
    """
    text = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def compute_entry_hash(
    *,
    seq: int,
    recorded_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    department_code: str | None,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """Hex SHA-256 of an entry's canonical content (see the module docstring)."""
    payload = {
        "seq": seq,
        "recorded_at": format_timestamp(recorded_at),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "department_code": department_code,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(payload)).hexdigest()


class AuditEntry(Base):
    """One step recorded by a module (a draw committed, a catalog item published, ...).

    Rows are only ever inserted, through ``hub.audit.append``; see the module docstring for
    the chain. ``actor`` is a user name or ``system:<component>``; ``action`` a dotted verb
    such as ``draw.commit``; ``object_type``/``object_id`` name the record acted on (an
    internal id or a code, never a personal identifier); ``details`` is a JSON object without
    personal data.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint("seq >= 1", name="seq_positive"),
        Index("ix_audit_log_object", "object_type", "object_id"),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str | None] = mapped_column(String(50))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))

    def compute_hash(self) -> str:
        """The digest this row should carry given its current content."""
        return compute_entry_hash(
            seq=self.seq,
            recorded_at=self.recorded_at,
            actor=self.actor,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            department_code=self.department_code,
            details=self.details,
            prev_hash=self.prev_hash,
        )
