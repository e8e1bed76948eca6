"""national docking: pushed batches, the per-record push log, the nonce cache

Written by hand to match ``hub/store/models/national.py`` (``tests/unit/store/test_migrations.py``
compares the two on every engine).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hub.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "national_batches",
        sa.Column("batch_number", sa.String(length=13), nullable=False),
        sa.Column("data_type", sa.String(length=30), nullable=False),
        sa.Column("batch_day", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("payload", hub.store.types.EncryptedText(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("receipt_id", sa.String(length=100), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("accepted_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("answered_at", TIMESTAMP, nullable=True),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_batches")),
        sa.UniqueConstraint("batch_number", name=op.f("uq_national_batches_batch_number")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_national_batches_idempotency_key")),
    )
    for column in ("batch_day", "data_type", "state"):
        op.create_index(
            op.f(f"ix_national_batches_{column}"), "national_batches", [column], unique=False
        )

    op.create_table(
        "national_sent_records",
        sa.Column("data_type", sa.String(length=30), nullable=False),
        sa.Column("record_key", sa.String(length=300), nullable=False),
        sa.Column("operation", sa.String(length=1), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("batch_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("receipt_id", sa.String(length=100), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["national_batches.id"],
            name=op.f("fk_national_sent_records_batch_id_national_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_sent_records")),
    )
    op.create_index(
        op.f("ix_national_sent_records_batch_id"),
        "national_sent_records",
        ["batch_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_national_sent_records_status"), "national_sent_records", ["status"], unique=False
    )
    op.create_index(
        "ix_national_sent_records_type_key",
        "national_sent_records",
        ["data_type", "record_key"],
        unique=False,
    )

    op.create_table(
        "national_nonces",
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=100), nullable=False),
        sa.Column("seen_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_national_nonces")),
    )
    op.create_index(
        op.f("ix_national_nonces_seen_at"), "national_nonces", ["seen_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_national_nonces_seen_at"), table_name="national_nonces")
    op.drop_table("national_nonces")
    op.drop_index("ix_national_sent_records_type_key", table_name="national_sent_records")
    op.drop_index(op.f("ix_national_sent_records_status"), table_name="national_sent_records")
    op.drop_index(op.f("ix_national_sent_records_batch_id"), table_name="national_sent_records")
    op.drop_table("national_sent_records")
    for column in ("batch_day", "data_type", "state"):
        op.drop_index(op.f(f"ix_national_batches_{column}"), table_name="national_batches")
    op.drop_table("national_batches")
