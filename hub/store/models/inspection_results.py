"""Results of random inspections (双随机抽查结果) and their publication (一公开).

One row per drawn entity of a draw, recorded once its team has inspected it. The inspection
itself is a supervision action like any other (an ``inspections`` row, ``inspection_id``),
created in the same transaction, so that reports, the national push and the public list see
random inspections and the others alike; this row adds what only a draw has: the draw, the
stratum (credit class) the entity was drawn from, the team, and the publication.

``result_code`` is a code of ``standards/draws/result_categories.json``; ``problem_found`` is
that category's flag, copied when recorded so that statistics (problem rate per class and
per item) need no dictionary lookup. The publication is due at the end of the 20th working
day after the inspection ended (``publication_due_at``, provisional when a year without an
official holiday schedule was counted); it is queued in the outbox under
``publication_key`` (``publication_requested_at``) and published when the credit publicity
system's receipt comes back (``published_at``, ``publication_receipt``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, TimestampMixin


class InspectionResult(IdMixin, TimestampMixin, Base):
    """The result of inspecting one drawn entity, and where its publication stands."""

    __tablename__ = "inspection_results"
    __table_args__ = (
        UniqueConstraint("draw_id", "entity_uscc"),
        UniqueConstraint("result_number"),
        UniqueConstraint("inspection_id"),
        UniqueConstraint("publication_key"),
    )

    draw_id: Mapped[int] = mapped_column(BigId, ForeignKey("draws.id"), index=True)
    entity_uscc: Mapped[str] = mapped_column(String(18), index=True)
    stratum: Mapped[str] = mapped_column(String(20))
    catalog_code: Mapped[str] = mapped_column(String(14), index=True)
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    result_number: Mapped[str] = mapped_column(String(100))
    inspection_id: Mapped[int] = mapped_column(BigId, ForeignKey("inspections.id"))
    result_code: Mapped[str] = mapped_column(String(20), index=True)
    problem_found: Mapped[bool] = mapped_column(Boolean)
    officers: Mapped[list[str]] = mapped_column(JSON)
    inspection_ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(100))
    publication_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    publication_provisional: Mapped[bool] = mapped_column(Boolean)
    publication_key: Mapped[str | None] = mapped_column(String(100))
    publication_requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    publication_receipt: Mapped[str | None] = mapped_column(String(200))
