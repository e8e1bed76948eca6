"""Workflow instances, their transitions and the reminders and escalations they caused.

The workflow engine (:mod:`hub.workflow`) keeps one ``WorkflowInstance`` per subject it
drives (a complaint case, a notice, a campaign task...), named by ``subject_type`` and
``subject_id`` so that any module can put its own records on a workflow without a table of
its own for states. ``version`` counts the transitions fired and is what a transition is
conditioned on (optimistic concurrency: a stale state is refused, never overwritten).
"""

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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, utcnow


class WorkflowInstance(IdMixin, Base):
    """A subject on a workflow: where it stands, who holds it, and until when."""

    __tablename__ = "workflow_instances"
    __table_args__ = (
        UniqueConstraint("subject_type", "subject_id", "workflow"),
        Index("ix_workflow_instances_open_due", "terminal", "due_at"),
    )

    workflow: Mapped[str] = mapped_column(String(50))
    workflow_version: Mapped[int] = mapped_column(Integer)
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[int] = mapped_column(BigId)
    state: Mapped[str] = mapped_column(String(30), index=True)
    terminal: Mapped[bool] = mapped_column(Boolean, default=False)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state_entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkflowTransition(IdMixin, Base):
    """One transition fired: who, when, from where to where, why, with what fields.

    ``on_time`` says whether the state left was left within its time limit (None: it had
    none); on-time rates are counted from it.
    """

    __tablename__ = "workflow_transitions"

    instance_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workflow_instances.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    transition: Mapped[str] = mapped_column(String(50))
    from_state: Mapped[str | None] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(100))
    actor_department: Mapped[str | None] = mapped_column(String(50))
    actor_role: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    department_code: Mapped[str | None] = mapped_column(String(50))
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkflowAlert(IdMixin, Base):
    """A reminder (催办) before a time limit or an escalation (督办) after it, sent once.

    Unique per instance, kind, level and ``state_version`` (the instance's version when it
    entered the state), so an hourly check run twice, or by two workers, sends each once.
    """

    __tablename__ = "workflow_alerts"
    __table_args__ = (UniqueConstraint("instance_id", "kind", "level", "state_version"),)

    instance_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workflow_instances.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(30))
    state_version: Mapped[int] = mapped_column(Integer)
    department_code: Mapped[str | None] = mapped_column(String(50), index=True)
    addressee_department: Mapped[str | None] = mapped_column(String(50), index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
