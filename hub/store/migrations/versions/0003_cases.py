"""complaint cases (投诉举报) and the workflow engine: instances, transitions, alerts

Written by hand to match ``hub/store/models/workflow.py`` and ``hub/store/models/cases.py``
(``tests/unit/store/test_migrations.py`` compares them on every engine).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def _indexes(table: str, columns: Sequence[str]) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _instance_id(table: str) -> list[sa.SchemaItem]:
    """The ``instance_id`` column of a child table and its cascading foreign key."""
    return [
        sa.Column("instance_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["workflow_instances.id"],
            name=op.f(f"fk_{table}_instance_id_workflow_instances"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "workflow_instances",
        sa.Column("workflow", sa.String(length=50), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("terminal", sa.Boolean(), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("state_entered_at", TIMESTAMP, nullable=False),
        sa.Column("due_at", TIMESTAMP, nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_instances")),
        sa.UniqueConstraint(
            "subject_type",
            "subject_id",
            "workflow",
            name=op.f("uq_workflow_instances_subject_type_subject_id_workflow"),
        ),
    )
    _indexes("workflow_instances", ("department_code", "region_code", "state"))
    op.create_index(
        "ix_workflow_instances_open_due", "workflow_instances", ["terminal", "due_at"], unique=False
    )

    op.create_table(
        "workflow_transitions",
        *_instance_id("workflow_transitions"),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("transition", sa.String(length=50), nullable=False),
        sa.Column("from_state", sa.String(length=30), nullable=True),
        sa.Column("to_state", sa.String(length=30), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_department", sa.String(length=50), nullable=True),
        sa.Column("actor_role", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("fired_at", TIMESTAMP, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_transitions")),
    )
    _indexes("workflow_transitions", ("instance_id",))

    op.create_table(
        "workflow_alerts",
        *_instance_id("workflow_alerts"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("state_version", sa.Integer(), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=True),
        sa.Column("addressee_department", sa.String(length=50), nullable=True),
        sa.Column("due_at", TIMESTAMP, nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_alerts")),
        sa.UniqueConstraint(
            "instance_id",
            "kind",
            "level",
            "state_version",
            name=op.f("uq_workflow_alerts_instance_id_kind_level_state_version"),
        ),
    )
    _indexes("workflow_alerts", ("addressee_department", "department_code", "instance_id"))

    op.create_table(
        "cases",
        sa.Column("tracking_no", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("category_text", sa.String(length=100), nullable=True),
        sa.Column("category_code", sa.String(length=50), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("address_key", sa.String(length=300), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("target_uscc", sa.String(length=18), nullable=True),
        sa.Column("target_name", sa.String(length=200), nullable=True),
        sa.Column("phone_digest", sa.String(length=64), nullable=True),
        sa.Column("routing_rule", sa.String(length=100), nullable=True),
        sa.Column("routing_explanation", sa.Text(), nullable=True),
        sa.Column("triage_reason", sa.String(length=300), nullable=True),
        sa.Column("transfer_count", sa.Integer(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("satisfaction", sa.String(length=30), nullable=True),
        sa.Column("closed_at", TIMESTAMP, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("tracking_no", name=op.f("uq_cases_tracking_no")),
    )
    _indexes(
        "cases",
        (
            "address_key",
            "category_code",
            "phone_digest",
            "received_at",
            "region_code",
            "target_uscc",
        ),
    )

    op.create_table(
        "case_complaints",
        sa.Column("case_id", BIG_ID, nullable=False),
        sa.Column("complaint_id", BIG_ID, nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("blocking_key", sa.String(length=30), nullable=True),
        sa.Column("complainant_email", hub.store.types.EncryptedText(), nullable=True),
        sa.Column("linked_at", TIMESTAMP, nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_complaints_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_case_complaints_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_complaints")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_case_complaints_complaint_id")),
    )
    _indexes("case_complaints", ("case_id",))


def downgrade() -> None:
    op.drop_index(op.f("ix_case_complaints_case_id"), table_name="case_complaints")
    op.drop_table("case_complaints")
    for column in (
        "address_key",
        "category_code",
        "phone_digest",
        "received_at",
        "region_code",
        "target_uscc",
    ):
        op.drop_index(op.f(f"ix_cases_{column}"), table_name="cases")
    op.drop_table("cases")
    for column in ("addressee_department", "department_code", "instance_id"):
        op.drop_index(op.f(f"ix_workflow_alerts_{column}"), table_name="workflow_alerts")
    op.drop_table("workflow_alerts")
    op.drop_index(op.f("ix_workflow_transitions_instance_id"), table_name="workflow_transitions")
    op.drop_table("workflow_transitions")
    op.drop_index("ix_workflow_instances_open_due", table_name="workflow_instances")
    for column in ("department_code", "region_code", "state"):
        op.drop_index(op.f(f"ix_workflow_instances_{column}"), table_name="workflow_instances")
    op.drop_table("workflow_instances")
