"""Regulated entities (市场主体), keyed by 统一社会信用代码."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class RegulatedEntity(CanonicalMixin, Base):
    """A market entity or other regulated object, one row per 统一社会信用代码."""

    __tablename__ = "entities"
    __table_args__ = (
        UniqueConstraint("uscc"),
        # The pipeline looks up which USCC a source's own id is bound to, chunk by chunk.
        Index("ix_entities_source_id", "source_id", "source_system"),
    )

    uscc: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    entity_type: Mapped[str] = mapped_column(String(30), default="enterprise")
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    registered_address: Mapped[str | None] = mapped_column(String(300))
    business_address: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), default="active")
    established_on: Mapped[date | None] = mapped_column(Date)
    deregistered_on: Mapped[date | None] = mapped_column(Date)
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    registration_authority: Mapped[str | None] = mapped_column(String(100))
    code_check_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    source_system: Mapped[str | None] = mapped_column(String(100))
    source_id: Mapped[str | None] = mapped_column(String(100))


register_record_type(
    RecordType(
        name="entity",
        model=RegulatedEntity,
        key=("uscc",),
        schema="canonical/entity.json",
        binding=("source_system", "source_id"),
    )
)
