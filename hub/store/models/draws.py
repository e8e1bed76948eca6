"""Random inspection draws (双随机、一公开): plans, frozen lists, picks, teams, conflicts.

One ``Draw`` row follows a plan from draft to assigned teams (``hub.draws.service`` holds
the steps). What the draw was decided from is kept beside it, in the order it was hashed,
so that ``hub draw verify`` can recompute every digest and re-run the draw:

- ``draw_candidates``: each stratum's candidates (entity USCC and weight), by position in
  the sorted list, with the cumulative weight up to each (how the draw finds the candidate a
  draw number lands on, by index: ``hub/draws/ranking.py``);
- ``draw_inspectors``: the frozen inspector pool (department, qualifications, prior load,
  entities to withdraw from);
- ``draw_picks`` and ``draw_assignments``: the result.

Positions, not the database's collation, keep the order, so the lists read back the same
on SQLite and PostgreSQL. ``inspector_interests`` records who must withdraw (回避) from
which entity. The secret seed is sealed at rest until it is revealed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, TimestampMixin
from hub.store.types import EncryptedText


class Draw(IdMixin, TimestampMixin, Base):
    """A 双随机 plan and its draw: status draft → frozen → committed → keyed → drawn →
    revealed → assigned.

    ``plan`` is the editable plan while in draft and the frozen plan document afterwards;
    the digests, the commitment and (once entered) the public value are published; the
    seed is sealed in ``sealed_seed`` until revealed into ``seed``, and loaded only by the
    steps that need it (deferred), so reading a draw never opens it.
    """

    __tablename__ = "draws"

    name: Mapped[str] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    plan_hash: Mapped[str | None] = mapped_column(String(64))
    candidate_hashes: Mapped[dict[str, str] | None] = mapped_column(JSON)
    inspector_hash: Mapped[str | None] = mapped_column(String(64))
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    sealed_seed: Mapped[str | None] = mapped_column(EncryptedText(), deferred=True)
    seed: Mapped[str | None] = mapped_column(String(64))
    commitment: Mapped[str | None] = mapped_column(String(64))
    public_value: Mapped[str | None] = mapped_column(Text)
    public_value_source: Mapped[str | None] = mapped_column(Text)
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    committed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    keyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    drawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DrawCandidate(Base):
    """One candidate entity of a stratum, at its position in the sorted, hashed list.

    ``cumulative_weight`` is the sum of the weights up to and including this candidate's
    (C_i in ``hub/draws/README.md``): the candidate a ticket ``t`` lands on is the first
    whose cumulative weight exceeds ``t``, one index probe.
    """

    __tablename__ = "draw_candidates"
    __table_args__ = (
        Index("ix_draw_candidates_cumulative", "draw_id", "stratum", "cumulative_weight"),
    )

    draw_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("draws.id", ondelete="CASCADE"), primary_key=True
    )
    stratum: Mapped[str] = mapped_column(String(20), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_uscc: Mapped[str] = mapped_column(String(18))
    weight: Mapped[int] = mapped_column(Integer)
    cumulative_weight: Mapped[int] = mapped_column(BigInteger)


class DrawInspector(Base):
    """One inspector of the frozen pool, at its position in the sorted, hashed list."""

    __tablename__ = "draw_inspectors"

    draw_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("draws.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    certificate_number: Mapped[str] = mapped_column(String(50))
    department_code: Mapped[str] = mapped_column(String(50))
    qualifications: Mapped[list[str]] = mapped_column(JSON)
    load: Mapped[int] = mapped_column(Integer)
    avoid: Mapped[list[str]] = mapped_column(JSON)


class DrawPick(Base):
    """A drawn entity: its stratum and rank (1 = drawn first)."""

    __tablename__ = "draw_picks"
    __table_args__ = (UniqueConstraint("draw_id", "entity_uscc"),)

    draw_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("draws.id", ondelete="CASCADE"), primary_key=True
    )
    stratum: Mapped[str] = mapped_column(String(20), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_uscc: Mapped[str] = mapped_column(String(18), index=True)


class DrawAssignment(Base):
    """One member of the team assigned to a drawn entity."""

    __tablename__ = "draw_assignments"

    draw_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("draws.id", ondelete="CASCADE"), primary_key=True
    )
    entity_uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    certificate_number: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)
    department_code: Mapped[str] = mapped_column(String(50))


class InspectorInterest(IdMixin, TimestampMixin, Base):
    """An inspector's recorded interest in an entity (利害关系): he or she must withdraw.

    Active from ``declared_on`` until ``ended_on`` (open when null). ``reason`` is free
    text, kept here and never copied to the audit log.
    """

    __tablename__ = "inspector_interests"
    __table_args__ = (UniqueConstraint("certificate_number", "entity_uscc", "declared_on"),)

    certificate_number: Mapped[str] = mapped_column(String(50), index=True)
    entity_uscc: Mapped[str] = mapped_column(String(18), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    declared_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
