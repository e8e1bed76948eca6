"""Third-party data (第三方数据) and key enterprises (重点企业).

Third-party records come from outside government (an e-commerce platform's merchant list,
an industry association's ratings); their content varies by provider, so it is kept as a
JSON document with only the fields the hub joins on as columns. Key enterprises are the
entities a department watches more closely (safety, quality, public interest), which draws
and risk warnings weigh.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class ThirdPartyRecord(CanonicalMixin, Base):
    """A record from a third-party provider (第三方数据), keyed by provider and its own id."""

    __tablename__ = "third_party_records"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)

    provider: Mapped[str] = mapped_column(String(100))
    external_id: Mapped[str] = mapped_column(String(200))
    subject_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    subject_name: Mapped[str | None] = mapped_column(String(200))
    record_kind: Mapped[str] = mapped_column(String(50), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    observed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class KeyEnterprise(CanonicalMixin, Base):
    """An entity on a key-enterprise list (重点企业), one row per entity and category.

    ``until`` is null while the entity stays on the list.
    """

    __tablename__ = "key_enterprises"
    __table_args__ = (UniqueConstraint("uscc", "category"),)

    uscc: Mapped[str] = mapped_column(String(18), index=True)
    category: Mapped[str] = mapped_column(String(50))
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)


register_record_type(
    RecordType(
        name="third_party_record",
        model=ThirdPartyRecord,
        key=("provider", "external_id"),
        schema="canonical/third_party_record.json",
        region_field=None,
    )
)

register_record_type(
    RecordType(
        name="key_enterprise",
        model=KeyEnterprise,
        key=("uscc", "category"),
        schema="canonical/key_enterprise.json",
        department_field="department_code",
        region_field=None,
    )
)
