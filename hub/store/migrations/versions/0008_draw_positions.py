"""draws: the cumulative weight of each candidate, so a draw finds its picks by index

``hub-draw/2`` turns each draw number into a ticket ``t`` below the stratum's total weight
and picks the first candidate whose cumulative weight exceeds ``t``. Candidates frozen
before this revision get their cumulative weights computed here (a window function over
their positions), so every stored draw stays drawable. Written by hand to match
``hub/store/models/draws.py`` (``tests/unit/store/test_migrations.py`` compares the two).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 03:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_draw_candidates_cumulative"
FILL = """
UPDATE draw_candidates SET cumulative_weight = running.total
FROM (
    SELECT draw_id, stratum, position,
        sum(weight) OVER (PARTITION BY draw_id, stratum ORDER BY position) AS total
    FROM draw_candidates
) AS running
WHERE draw_candidates.draw_id = running.draw_id
    AND draw_candidates.stratum = running.stratum
    AND draw_candidates.position = running.position
"""


def upgrade() -> None:
    op.add_column("draw_candidates", sa.Column("cumulative_weight", sa.BigInteger()))
    op.execute(FILL)  # UPDATE ... FROM: PostgreSQL, and SQLite since 3.33
    with op.batch_alter_table("draw_candidates") as batch:
        batch.alter_column("cumulative_weight", existing_type=sa.BigInteger(), nullable=False)
    op.create_index(
        INDEX, "draw_candidates", ["draw_id", "stratum", "cumulative_weight"], unique=False
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="draw_candidates")
    with op.batch_alter_table("draw_candidates") as batch:
        batch.drop_column("cumulative_weight")
