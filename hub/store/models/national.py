"""National docking (国家"互联网+监管"系统): the push log, its batches and the nonce cache.

What the hub pushes is kept as it was sent, so that operations are decided from it and the
daily reconciliation compares against it:

- ``national_batches``: one row per batch (number = batch date + five-digit sequence of that
  day, data type, counts, the checksum of its keys, state). The batch document itself is
  kept sealed (``payload``: it can carry a natural person's ID number) until its receipt
  arrives, so that a batch whose answer was lost is re-sent byte for byte under the same
  idempotency key.
- ``national_sent_records``: one row per record sent (or held back): its key, operation
  (i / u / d), the hash of the content sent, its batch, its receipt status and the national
  system's reasons for a rejection. The latest row of a key is what the national side holds
  of it; a record whose message failed the national schema is ``held`` here with the reason
  and never sent.
- ``national_nonces``: nonces of the national system's signed calls already served, so that
  a replayed call is refused when no Redis is configured.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, TimestampMixin, utcnow
from hub.store.types import EncryptedText


class NationalBatch(IdMixin, TimestampMixin, Base):
    """A batch pushed to the national system: ``state`` pending → accepted,
    partially_accepted or rejected (by the receipt), or refused (the envelope was refused
    whole, HTTP 4xx)."""

    __tablename__ = "national_batches"

    batch_number: Mapped[str] = mapped_column(String(13), unique=True)
    data_type: Mapped[str] = mapped_column(String(30), index=True)
    batch_day: Mapped[date] = mapped_column(Date, index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    record_count: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    payload: Mapped[str | None] = mapped_column(EncryptedText())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt_id: Mapped[str | None] = mapped_column(String(100))
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NationalSentRecord(IdMixin, TimestampMixin, Base):
    """One record as pushed (or held back): ``status`` held, pending, accepted or rejected."""

    __tablename__ = "national_sent_records"
    __table_args__ = (Index("ix_national_sent_records_type_key", "data_type", "record_key"),)

    data_type: Mapped[str] = mapped_column(String(30))
    record_key: Mapped[str] = mapped_column(String(300))
    operation: Mapped[str] = mapped_column(String(1))
    content_hash: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[int | None] = mapped_column(
        BigId,
        ForeignKey("national_batches.id", ondelete="CASCADE"),
        index=True,
    )
    status: Mapped[str] = mapped_column(String(20), index=True)
    receipt_id: Mapped[str | None] = mapped_column(String(100))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class NationalNonce(Base):
    """A nonce of a signed national call already served (kept for the timestamp window)."""

    __tablename__ = "national_nonces"

    nonce: Mapped[str] = mapped_column(String(100), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(100))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
