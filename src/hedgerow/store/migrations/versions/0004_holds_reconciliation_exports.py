"""Holds, reconciliations with per-location trust, and exports.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "holds",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("location_id", sa.String(200), nullable=False),
        sa.Column("qty", sa.Float(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_holds_item_id", "holds", ["item_id"])
    op.create_index("ix_holds_location_id", "holds", ["location_id"])
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.Column("inventory_snapshot", sa.String(64), nullable=False),
        sa.Column("base_currency", sa.String(3), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("abs_diff_units", sa.Float(), nullable=False),
        sa.Column("abs_diff_value_base", sa.Float(), nullable=False),
    )
    op.create_table(
        "reconciliation_lines",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reconciliation_id", sa.Integer(), sa.ForeignKey("reconciliations.id"), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("location_id", sa.String(200), nullable=False),
        sa.Column("previous_counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_on_hand", sa.Float(), nullable=False),
        sa.Column("receipts", sa.Float(), nullable=False),
        sa.Column("sales", sa.Float(), nullable=False),
        sa.Column("transfers_in", sa.Float(), nullable=False),
        sa.Column("transfers_out", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("counted", sa.Float(), nullable=False),
        sa.Column("diff_units", sa.Float(), nullable=False),
        sa.Column("unit_value_base", sa.Float(), nullable=False),
        sa.Column("diff_value_base", sa.Float(), nullable=False),
    )
    op.create_index("ix_reconciliation_lines_reconciliation_id", "reconciliation_lines", ["reconciliation_id"])
    op.create_table(
        "location_trust",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("reconciliation_id", sa.Integer(), sa.ForeignKey("reconciliations.id"), nullable=False),
        sa.Column("location_id", sa.String(200), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("items_off", sa.Integer(), nullable=False),
        sa.Column("expected_units", sa.Float(), nullable=False),
        sa.Column("abs_diff_units", sa.Float(), nullable=False),
        sa.Column("diff_value_base", sa.Float(), nullable=False),
        sa.Column("abs_diff_value_base", sa.Float(), nullable=False),
        sa.Column("trust_score", sa.Float(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_location_trust_reconciliation_id", "location_trust", ["reconciliation_id"])
    op.create_index("ix_location_trust_location_id", "location_trust", ["location_id"])
    op.create_table(
        "exports",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("recommendation_ids_json", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(200), nullable=False),
        sa.UniqueConstraint("format", "content_sha256", name="uq_exports_format_content"),
    )


def downgrade() -> None:
    op.drop_table("exports")
    op.drop_index("ix_location_trust_location_id", table_name="location_trust")
    op.drop_index("ix_location_trust_reconciliation_id", table_name="location_trust")
    op.drop_table("location_trust")
    op.drop_index("ix_reconciliation_lines_reconciliation_id", table_name="reconciliation_lines")
    op.drop_table("reconciliation_lines")
    op.drop_table("reconciliations")
    op.drop_index("ix_holds_location_id", table_name="holds")
    op.drop_index("ix_holds_item_id", table_name="holds")
    op.drop_table("holds")
