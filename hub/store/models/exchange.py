"""Exchange bookkeeping: channels, cursors, runs, envelopes, provenance, quarantine, outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, utcnow


class ChannelCursor(Base):
    """Where a channel's last committed fetch ended (page, timestamp, file, delivery)."""

    __tablename__ = "channel_cursors"

    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True, default="default")
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExchangeRun(IdMixin, Base):
    """One run of a channel (an ingest, a fetch, a dispatch) with its balanced counts."""

    __tablename__ = "exchange_runs"

    run_uid: Mapped[str] = mapped_column(String(36), unique=True)
    channel: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="ingest")
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Envelope(IdMixin, Base):
    """A unit received from outside (a file, a page, a message): metadata + raw payload."""

    __tablename__ = "envelopes"
    __table_args__ = (UniqueConstraint("channel", "sha256"),)

    channel: Mapped[str] = mapped_column(String(100), index=True)
    message_type: Mapped[str] = mapped_column(String(100), default="")
    remote_id: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(500))
    offset: Mapped[str | None] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(50), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigId, default=0)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_runs.id"))


class EnvelopeChunk(Base):
    """The raw payload, in slices of at most 1 MiB so no file is held whole in memory."""

    __tablename__ = "envelope_chunks"

    envelope_id: Mapped[int] = mapped_column(
        ForeignKey("envelopes.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Provenance(IdMixin, Base):
    """Which envelope (and where in it) the stored version of a record came from."""

    __tablename__ = "provenance"
    __table_args__ = (Index("ix_provenance_record", "record_type", "record_id"),)

    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(BigId)
    envelope_id: Mapped[int] = mapped_column(ForeignKey("envelopes.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("exchange_runs.id"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QuarantineEntry(IdMixin, Base):
    """A record that failed a pipeline step, kept with the step, the reason and its raw bytes."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("envelope_id", "message_type", "position"),)

    channel: Mapped[str] = mapped_column(String(100), index=True)
    message_type: Mapped[str] = mapped_column(String(100), default="")
    envelope_id: Mapped[int] = mapped_column(ForeignKey("envelopes.id"))
    position: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("exchange_runs.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_run_id: Mapped[int | None] = mapped_column(ForeignKey("exchange_runs.id"))


class OutboxMessage(IdMixin, Base):
    """Outbound work written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"

    destination: Mapped[str] = mapped_column(String(100), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    record_type: Mapped[str | None] = mapped_column(String(50))
    record_id: Mapped[int | None] = mapped_column(BigId)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
