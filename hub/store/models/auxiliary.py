"""Auxiliary data (辅助数据): organisations, regions, key events, risk warnings.

Organisations and regions are reference tables the work endpoints and statistics group by;
key events and risk warnings are what the risk module and outside monitoring systems raise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class Organisation(CanonicalMixin, Base):
    """A department, implementing agency or township government (监管部门/实施机构)."""

    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("code"),)

    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(50), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="department")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Region(CanonicalMixin, Base):
    """An administrative division (行政区划, GB/T 2260; 12 digits below the county).

    ``vintage`` names the code table the row comes from (e.g. ``"2023"``), since codes
    change every year.
    """

    __tablename__ = "regions"
    __table_args__ = (UniqueConstraint("code"),)

    code: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))
    parent_code: Mapped[str | None] = mapped_column(String(12), index=True)
    vintage: Mapped[str | None] = mapped_column(String(20))


class KeyEvent(CanonicalMixin, Base):
    """A major event (重大事件) such as an accident or a food-safety incident."""

    __tablename__ = "key_events"
    __table_args__ = (UniqueConstraint("event_number"),)

    event_number: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    severity: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)


class RiskWarning(CanonicalMixin, Base):
    """A risk warning (风险预警) about an entity, an area or an industry.

    ``level`` runs blue < yellow < orange < red; ``entity_uscc`` is null for a warning about
    an area or industry as a whole.
    """

    __tablename__ = "risk_warnings"
    __table_args__ = (UniqueConstraint("warning_number"),)

    warning_number: Mapped[str] = mapped_column(String(100))
    entity_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    industry_code: Mapped[str | None] = mapped_column(String(5), index=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    source: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    detected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)


register_record_type(
    RecordType(
        name="organisation",
        model=Organisation,
        key=("code",),
        schema="canonical/organisation.json",
    )
)

register_record_type(
    RecordType(
        name="region",
        model=Region,
        key=("code",),
        schema="canonical/region.json",
        region_field=None,
    )
)

register_record_type(
    RecordType(
        name="key_event",
        model=KeyEvent,
        key=("event_number",),
        schema="canonical/key_event.json",
        department_field="department_code",
    )
)

register_record_type(
    RecordType(
        name="risk_warning",
        model=RiskWarning,
        key=("warning_number",),
        schema="canonical/risk_warning.json",
        department_field="department_code",
    )
)
