"""Lineage of accepted imports.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("snapshot_sha256", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("columns_json", sa.Text(), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("source_format", sa.String(16), nullable=False),
        sa.Column("source_size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("imported_by", sa.String(200), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contract_version", sa.String(16), nullable=False),
        sa.Column("trust_score", sa.Float(), nullable=False),
        sa.Column("warnings_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_imports_batch_id", "imports", ["batch_id"])
    op.create_index("ix_imports_table_name", "imports", ["table_name"])


def downgrade() -> None:
    op.drop_index("ix_imports_table_name", table_name="imports")
    op.drop_index("ix_imports_batch_id", table_name="imports")
    op.drop_table("imports")
