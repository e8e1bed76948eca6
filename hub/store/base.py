"""Declarative base and the column conventions every canonical table shares.

Canonical records (entities, actions, complaints, ...) are written by the exchange pipeline
through an idempotent upsert on their natural key. For that they carry:

- ``content_hash``: a digest of the mapped record, so a replay that changes nothing is
  recognised in SQL without comparing every column;
- ``source_version``: a sortable text (ISO 8601 UTC timestamp, or any string that orders the
  same way) so that an older version arriving late never overwrites a newer one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin:
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CanonicalMixin(IdMixin, TimestampMixin):
    """Columns the pipeline's idempotent upsert relies on (see module docstring)."""

    content_hash: Mapped[str] = mapped_column(String(32))
    source_version: Mapped[str] = mapped_column(String(40), default="")
