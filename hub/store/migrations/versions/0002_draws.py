"""random inspection draws (双随机): plans and draws, frozen lists, picks, teams, interests

Written by hand to match ``hub/store/models/draws.py`` (``tests/unit/store/test_migrations.py``
compares the two on every engine).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.store.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def _draw_id(table: str) -> list[sa.SchemaItem]:
    """The ``draw_id`` column of a child table and its cascading foreign key."""
    return [
        sa.Column("draw_id", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f(f"fk_{table}_draw_id_draws"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "draws",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("plan_hash", sa.String(length=64), nullable=True),
        sa.Column("candidate_hashes", sa.JSON(), nullable=True),
        sa.Column("inspector_hash", sa.String(length=64), nullable=True),
        sa.Column("seed_hash", sa.String(length=64), nullable=True),
        sa.Column("sealed_seed", hub.store.types.EncryptedText(), nullable=True),
        sa.Column("seed", sa.String(length=64), nullable=True),
        sa.Column("commitment", sa.String(length=64), nullable=True),
        sa.Column("public_value", sa.Text(), nullable=True),
        sa.Column("public_value_source", sa.Text(), nullable=True),
        sa.Column("frozen_at", TIMESTAMP, nullable=True),
        sa.Column("committed_at", TIMESTAMP, nullable=True),
        sa.Column("keyed_at", TIMESTAMP, nullable=True),
        sa.Column("drawn_at", TIMESTAMP, nullable=True),
        sa.Column("revealed_at", TIMESTAMP, nullable=True),
        sa.Column("assigned_at", TIMESTAMP, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
    )
    for column in ("department_code", "region_code", "status", "year"):
        op.create_index(op.f(f"ix_draws_{column}"), "draws", [column], unique=False)

    op.create_table(
        "inspector_interests",
        sa.Column("certificate_number", sa.String(length=50), nullable=False),
        sa.Column("entity_uscc", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspector_interests")),
        sa.UniqueConstraint(
            "certificate_number",
            "entity_uscc",
            "declared_on",
            name=op.f("uq_inspector_interests_certificate_number_entity_uscc_declared_on"),
        ),
    )
    for column in ("certificate_number", "entity_uscc"):
        op.create_index(
            op.f(f"ix_inspector_interests_{column}"), "inspector_interests", [column], unique=False
        )

    op.create_table(
        "draw_candidates",
        *_draw_id("draw_candidates"),
        sa.Column("stratum", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entity_uscc", sa.String(length=18), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", "stratum", "position", name=op.f("pk_draw_candidates")),
    )

    op.create_table(
        "draw_inspectors",
        *_draw_id("draw_inspectors"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("certificate_number", sa.String(length=50), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("qualifications", sa.JSON(), nullable=False),
        sa.Column("load", sa.Integer(), nullable=False),
        sa.Column("avoid", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", "position", name=op.f("pk_draw_inspectors")),
    )

    op.create_table(
        "draw_picks",
        *_draw_id("draw_picks"),
        sa.Column("stratum", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("entity_uscc", sa.String(length=18), nullable=False),
        sa.PrimaryKeyConstraint("draw_id", "stratum", "rank", name=op.f("pk_draw_picks")),
        sa.UniqueConstraint("draw_id", "entity_uscc", name=op.f("uq_draw_picks_draw_id_entity_uscc")),
    )
    op.create_index(op.f("ix_draw_picks_entity_uscc"), "draw_picks", ["entity_uscc"], unique=False)

    op.create_table(
        "draw_assignments",
        *_draw_id("draw_assignments"),
        sa.Column("entity_uscc", sa.String(length=18), nullable=False),
        sa.Column("certificate_number", sa.String(length=50), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint(
            "draw_id", "entity_uscc", "certificate_number", name=op.f("pk_draw_assignments")
        ),
    )
    op.create_index(
        op.f("ix_draw_assignments_certificate_number"),
        "draw_assignments",
        ["certificate_number"],
        unique=False,
    )


def downgrade() -> None:
    for table in ("draw_assignments", "draw_picks", "draw_inspectors", "draw_candidates"):
        op.drop_table(table)
    for column in ("entity_uscc", "certificate_number"):
        op.drop_index(op.f(f"ix_inspector_interests_{column}"), table_name="inspector_interests")
    op.drop_table("inspector_interests")
    for column in ("year", "status", "region_code", "department_code"):
        op.drop_index(op.f(f"ix_draws_{column}"), table_name="draws")
    op.drop_table("draws")
