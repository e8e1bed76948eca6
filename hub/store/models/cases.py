"""Complaint cases (投诉举报案件): one case per matter, however many complaints report it.

A stored complaint (``complaints``, one per source and source number) becomes a case, or
joins one (并单), through ``case_complaints``: every original is kept with its source, and a
merged one records the similarity and the blocking key that brought it in. The case holds no
personal data: the complainants' sealed details stay on their complaints, and the case keeps
only the keyed phone digest used to find repeats. Its state, handling department and time
limit live on its workflow instance (``hub.store.models.workflow``, subject type ``case``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, TimestampMixin, utcnow
from hub.store.types import EncryptedText


class Case(IdMixin, TimestampMixin, Base):
    """A complaint case: what it is about, where, against whom, and how it was routed."""

    __tablename__ = "cases"

    tracking_no: Mapped[str] = mapped_column(String(30), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="complaint")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[str | None] = mapped_column(Text)
    category_text: Mapped[str | None] = mapped_column(String(100))
    category_code: Mapped[str | None] = mapped_column(String(50), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    address_key: Mapped[str | None] = mapped_column(String(300), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    target_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    target_name: Mapped[str | None] = mapped_column(String(200))
    phone_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    routing_rule: Mapped[str | None] = mapped_column(String(100))
    routing_explanation: Mapped[str | None] = mapped_column(Text)
    triage_reason: Mapped[str | None] = mapped_column(String(300))
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(30))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseComplaint(IdMixin, Base):
    """A complaint of a case: the one that opened it, or one merged into it (并单).

    ``complainant_email`` is the one contact detail the ``complaints`` table has no column
    for (the public interfaces take it); it is sealed like the others.
    """

    __tablename__ = "case_complaints"

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("complaints.id", ondelete="CASCADE"), unique=True
    )
    relation: Mapped[str] = mapped_column(String(20), default="original")
    similarity: Mapped[float | None] = mapped_column(Float)
    blocking_key: Mapped[str | None] = mapped_column(String(30))
    complainant_email: Mapped[str | None] = mapped_column(EncryptedText())
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
