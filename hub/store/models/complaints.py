"""Complaints and reports (投诉举报) pooled from the national system, 12345, 12315 and portals.

A complaint is keyed by where it came from and that source's own number, so the same
number from two hotlines is two complaints until the cases module merges them (并单). The
complainant's name, phone, ID number and address are personal data, sealed at rest with
:class:`~hub.store.types.EncryptedText`; they cannot be searched in SQL, which is why
``complainant_phone_digest`` exists for deduplication by a keyed hash: the pipeline derives
it as it stores a complaint (the intake fills it in for complaints written otherwise).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.cases.identity import phone_digest
from hub.store.base import Base, CanonicalMixin
from hub.store.records import RecordType, register_record_type
from hub.store.types import EncryptedText


class Complaint(CanonicalMixin, Base):
    """A complaint, report, consultation, suggestion or praise (投诉举报) and its handling.

    ``status`` follows the 12345 loop: received → accepted → dispatched → handling →
    answered → closed, with ``supervised`` (督办) when late and ``rejected`` when not
    accepted. ``due_at`` is computed from ``time_limit_days`` in working days.

    >>> Complaint(source="hotline_12345", source_number="2024051300017").complaint_number
    'hotline_12345:2024051300017'
    """

    __tablename__ = "complaints"
    __table_args__ = (UniqueConstraint("source", "source_number"),)

    source: Mapped[str] = mapped_column(String(20))
    source_number: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="complaint")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    complainant_name: Mapped[str | None] = mapped_column(EncryptedText())
    complainant_phone: Mapped[str | None] = mapped_column(EncryptedText())
    complainant_id_number: Mapped[str | None] = mapped_column(EncryptedText())
    complainant_address: Mapped[str | None] = mapped_column(EncryptedText())
    complainant_phone_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    target_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    target_name: Mapped[str | None] = mapped_column(String(200))
    handling_department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    time_limit_days: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    satisfaction: Mapped[str | None] = mapped_column(String(30))

    @property
    def complaint_number(self) -> str:
        """The hub's number for the complaint: ``"<source>:<source number>"``."""
        return f"{self.source}:{self.source_number}"


register_record_type(
    RecordType(
        name="complaint",
        model=Complaint,
        key=("source", "source_number"),
        schema="canonical/complaint.json",
        department_field="handling_department_code",
        derived={
            "complainant_phone_digest": lambda row: phone_digest(row.get("complainant_phone"))
        },
    )
)
