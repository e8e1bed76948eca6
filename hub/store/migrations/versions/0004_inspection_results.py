"""inspection results of random inspections (双随机抽查结果) and their publication

Written by hand to match ``hub/store/models/inspection_results.py``
(``tests/unit/store/test_migrations.py`` compares the two on every engine).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)
TABLE = "inspection_results"
INDEXED = (
    "catalog_code",
    "department_code",
    "draw_id",
    "entity_uscc",
    "publication_due_at",
    "published_at",
    "result_code",
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("draw_id", BIG_ID, nullable=False),
        sa.Column("entity_uscc", sa.String(length=18), nullable=False),
        sa.Column("stratum", sa.String(length=20), nullable=False),
        sa.Column("catalog_code", sa.String(length=14), nullable=False),
        sa.Column("department_code", sa.String(length=50), nullable=False),
        sa.Column("result_number", sa.String(length=100), nullable=False),
        sa.Column("inspection_id", BIG_ID, nullable=False),
        sa.Column("result_code", sa.String(length=20), nullable=False),
        sa.Column("problem_found", sa.Boolean(), nullable=False),
        sa.Column("officers", sa.JSON(), nullable=False),
        sa.Column("inspection_ended_at", TIMESTAMP, nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("publication_due_at", TIMESTAMP, nullable=False),
        sa.Column("publication_provisional", sa.Boolean(), nullable=False),
        sa.Column("publication_key", sa.String(length=100), nullable=True),
        sa.Column("publication_requested_at", TIMESTAMP, nullable=True),
        sa.Column("published_at", TIMESTAMP, nullable=True),
        sa.Column("publication_receipt", sa.String(length=200), nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f("fk_inspection_results_draw_id_draws")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_results_inspection_id_inspections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_results")),
        sa.UniqueConstraint(
            "draw_id", "entity_uscc", name=op.f("uq_inspection_results_draw_id_entity_uscc")
        ),
        sa.UniqueConstraint("inspection_id", name=op.f("uq_inspection_results_inspection_id")),
        sa.UniqueConstraint("publication_key", name=op.f("uq_inspection_results_publication_key")),
        sa.UniqueConstraint("result_number", name=op.f("uq_inspection_results_result_number")),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_{TABLE}_{column}"), TABLE, [column], unique=False)


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(op.f(f"ix_{TABLE}_{column}"), table_name=TABLE)
    op.drop_table(TABLE)
