"""collaboration: notices (抄告抄送), assistance (协查协办), campaigns (专项整治), approval
claims (审批联动) and the feedback sent to their senders

Written by hand to match ``hub/store/models/collaboration.py``
(``tests/unit/store/test_migrations.py`` compares the two on every engine).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def _indexes(table: str, columns: Sequence[str]) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _id(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _parent(table: str, column: str, parent: str) -> list[sa.SchemaItem]:
    """A child's column pointing at ``parent``, deleted with it."""
    return [
        sa.Column(column, BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            [column],
            [f"{parent}.id"],
            name=op.f(f"fk_{table}_{column}_{parent}"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "collaboration_notices",
        sa.Column("origin_type", sa.String(length=20), nullable=False),
        sa.Column("origin_reference", sa.String(length=100), nullable=False),
        sa.Column("sender_department", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("feedback_at", TIMESTAMP, nullable=True),
        *_id("collaboration_notices"),
    )
    _indexes("collaboration_notices", ("origin_reference", "region_code", "sender_department"))

    op.create_table(
        "collaboration_notice_recipients",
        *_parent("collaboration_notice_recipients", "notice_id", "collaboration_notices"),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("reported_at", TIMESTAMP, nullable=True),
        *_id("collaboration_notice_recipients"),
        sa.UniqueConstraint(
            "notice_id",
            "department_code",
            name=op.f("uq_collaboration_notice_recipients_notice_id_department_code"),
        ),
    )
    _indexes("collaboration_notice_recipients", ("department_code", "notice_id"))

    op.create_table(
        "collaboration_assistance",
        sa.Column("requester_department", sa.String(length=50), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("entity_uscc", sa.String(length=18), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        *_id("collaboration_assistance"),
    )
    _indexes(
        "collaboration_assistance",
        ("department_code", "entity_uscc", "region_code", "requester_department"),
    )

    op.create_table(
        "collaboration_campaigns",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("lead_department", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        *_id("collaboration_campaigns"),
    )
    _indexes("collaboration_campaigns", ("lead_department", "region_code"))

    op.create_table(
        "collaboration_campaign_tasks",
        *_parent("collaboration_campaign_tasks", "campaign_id", "collaboration_campaigns"),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        *_id("collaboration_campaign_tasks"),
        sa.UniqueConstraint(
            "campaign_id",
            "department_code",
            "region_code",
            name=op.f("uq_collaboration_campaign_tasks_campaign_id_department_code_region_code"),
        ),
    )
    _indexes("collaboration_campaign_tasks", ("campaign_id", "department_code", "region_code"))

    op.create_table(
        "collaboration_campaign_reports",
        *_parent("collaboration_campaign_reports", "task_id", "collaboration_campaign_tasks"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("progress_percent", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=100), nullable=False),
        sa.Column("reported_at", TIMESTAMP, nullable=False),
        *_id("collaboration_campaign_reports"),
    )
    _indexes("collaboration_campaign_reports", ("task_id",))

    op.create_table(
        "approval_claims",
        *_parent("approval_claims", "licensing_id", "licensing_actions"),
        sa.Column("action_number", sa.String(length=100), nullable=False),
        sa.Column("licence_kind", sa.String(length=40), nullable=False),
        sa.Column("item_name", sa.String(length=300), nullable=True),
        sa.Column("accepting_department", sa.String(length=50), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("rule_explanation", sa.Text(), nullable=False),
        sa.Column("result_code", sa.String(length=30), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=True),
        sa.Column("supervised_at", TIMESTAMP, nullable=True),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        *_id("approval_claims"),
        sa.UniqueConstraint("licensing_id", name=op.f("uq_approval_claims_licensing_id")),
    )
    _indexes("approval_claims", ("action_number", "department_code", "published_at", "region_code"))

    op.create_table(
        "collaboration_feedback",
        sa.Column("subject_type", sa.String(length=30), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("to_department", sa.String(length=50), nullable=False),
        sa.Column("from_department", sa.String(length=50), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        *_id("collaboration_feedback"),
    )
    _indexes("collaboration_feedback", ("to_department",))


def downgrade() -> None:
    for table in (
        "collaboration_feedback",
        "approval_claims",
        "collaboration_campaign_reports",
        "collaboration_campaign_tasks",
        "collaboration_campaigns",
        "collaboration_assistance",
        "collaboration_notice_recipients",
        "collaboration_notices",
    ):
        op.drop_table(table)
