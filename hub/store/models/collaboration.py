"""Collaboration between departments: 抄告抄送, 协查协办, 专项整治 and 审批联动.

Each of these tables holds what a collaboration *is* (who sent what to whom, the results);
where it stands (state, holder, deadline, history, reminders and escalations) is the
workflow engine's (``workflow_instances``, one per notice recipient, assistance request,
campaign task and approval claim; see :mod:`hub.collaboration`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId, IdMixin, utcnow


class Notice(IdMixin, Base):
    """A notice (抄告抄送) of a lead found in a case or an inspection, to other departments.

    ``feedback_at`` is set when every recipient has reported its result (the sender is told
    then, and after each result: ``collaboration_feedback``).
    """

    __tablename__ = "collaboration_notices"

    origin_type: Mapped[str] = mapped_column(String(20))
    origin_reference: Mapped[str] = mapped_column(String(100), index=True)
    sender_department: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NoticeRecipient(IdMixin, Base):
    """One department a notice went to, and the result it reported."""

    __tablename__ = "collaboration_notice_recipients"
    __table_args__ = (UniqueConstraint("notice_id", "department_code"),)

    notice_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("collaboration_notices.id", ondelete="CASCADE"), index=True
    )
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    result: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AssistanceRequest(IdMixin, Base):
    """A request for another department's help (协查协办), its answer and its result."""

    __tablename__ = "collaboration_assistance"

    requester_department: Mapped[str] = mapped_column(String(50), index=True)
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(Text)
    entity_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Campaign(IdMixin, Base):
    """A special campaign (专项整治): its goal, period, lead and the departments and regions
    it covers."""

    __tablename__ = "collaboration_campaigns"

    name: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    lead_department: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    departments: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CampaignTask(IdMixin, Base):
    """A campaign's task for one department in one region."""

    __tablename__ = "collaboration_campaign_tasks"
    __table_args__ = (UniqueConstraint("campaign_id", "department_code", "region_code"),)

    campaign_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("collaboration_campaigns.id", ondelete="CASCADE"), index=True
    )
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    instructions: Mapped[str] = mapped_column(Text)
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CampaignReport(IdMixin, Base):
    """One report of a task's department: progress (any number) or the final result."""

    __tablename__ = "collaboration_campaign_reports"

    task_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("collaboration_campaign_tasks.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    progress_percent: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApprovalClaim(IdMixin, Base):
    """A licensing case (审批联动) to be claimed and supervised by the responsible department.

    ``rule`` and ``rule_explanation`` say why that department (谁审批、谁监管 or 谁主管、谁监管,
    ``standards/collaboration/approval_routing.yaml``). ``published_at`` is set with the
    supervision result, which then appears at ``GET /api/v1/public/approvals``.
    """

    __tablename__ = "approval_claims"
    __table_args__ = (UniqueConstraint("licensing_id"),)

    licensing_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("licensing_actions.id", ondelete="CASCADE")
    )
    action_number: Mapped[str] = mapped_column(String(100), index=True)
    licence_kind: Mapped[str] = mapped_column(String(40))
    item_name: Mapped[str | None] = mapped_column(String(300))
    accepting_department: Mapped[str] = mapped_column(String(50))
    department_code: Mapped[str] = mapped_column(String(50), index=True)
    region_code: Mapped[str | None] = mapped_column(String(12), index=True)
    rule: Mapped[str] = mapped_column(String(30))
    rule_explanation: Mapped[str] = mapped_column(Text)
    result_code: Mapped[str | None] = mapped_column(String(30))
    result_note: Mapped[str | None] = mapped_column(Text)
    supervised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CollaborationFeedback(IdMixin, Base):
    """Feedback sent automatically to whoever started a collaboration (反馈): a recipient's
    result, every recipient done, a request accepted, declined or completed."""

    __tablename__ = "collaboration_feedback"

    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigId)
    kind: Mapped[str] = mapped_column(String(30))
    to_department: Mapped[str] = mapped_column(String(50), index=True)
    from_department: Mapped[str | None] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
