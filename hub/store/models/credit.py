"""Credit records (信用信息) pooled per entity: lists, publicity, risk classes, repair.

One table holds every kind, told apart by ``record_kind``:

- ``abnormal_list``: 经营异常名录 listing (and its removal);
- ``serious_violation``: 严重违法失信名单 listing (and its removal);
- ``penalty_publicity``: a penalty decision published on the credit platform;
- ``credit_class``: an enterprise credit-risk class A-D (国市监信发〔2022〕6号), reissued
  monthly, with the classification batch as ``document_number``;
- ``credit_repair``: a 信用修复 decision that removes a record early.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type


class CreditRecord(CanonicalMixin, Base):
    """One credit fact (信用记录) about an entity, keyed by kind, entity and document number."""

    __tablename__ = "credit_records"
    __table_args__ = (UniqueConstraint("record_kind", "entity_uscc", "document_number"),)

    record_kind: Mapped[str] = mapped_column(String(30), index=True)
    entity_uscc: Mapped[str] = mapped_column(String(18), index=True)
    entity_name: Mapped[str | None] = mapped_column(String(200))
    document_number: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    listed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(Text)
    credit_class: Mapped[str | None] = mapped_column(String(1))
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)


register_record_type(
    RecordType(
        name="credit_record",
        model=CreditRecord,
        key=("record_kind", "entity_uscc", "document_number"),
        schema="canonical/credit_record.json",
        department_field="department_code",
    )
)
