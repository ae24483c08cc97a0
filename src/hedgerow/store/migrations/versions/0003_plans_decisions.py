"""Plans, recommendations and their decisions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("scenario_count", sa.Integer(), nullable=False),
        sa.Column("horizon_periods", sa.Integer(), nullable=False),
        sa.Column("base_currency", sa.String(3), nullable=False),
        sa.Column("snapshots_json", sa.Text(), nullable=False),
        sa.Column("settings_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.String(200), nullable=False),
        sa.Column("location_id", sa.String(200), nullable=False),
        sa.Column("qty", sa.Float(), nullable=False),
        sa.Column("origin_id", sa.String(200), nullable=True),
        sa.Column("lane_id", sa.String(200), nullable=True),
        sa.Column("mode", sa.String(16), nullable=True),
        sa.Column("shipment_id", sa.String(200), nullable=True),
        sa.Column("expected_cost_base", sa.Float(), nullable=False),
        sa.Column("cvar_base", sa.Float(), nullable=False),
        sa.Column("stockout_probability", sa.Float(), nullable=False),
        sa.Column("capital_base", sa.Float(), nullable=False),
        sa.Column("explanation_json", sa.Text(), nullable=False),
        sa.Column("trust_note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("auto_approved", sa.Boolean(), nullable=False),
        sa.Column("decided_qty", sa.Float(), nullable=True),
        sa.Column("decided_mode", sa.String(16), nullable=True),
        sa.Column("decided_location_id", sa.String(200), nullable=True),
        sa.Column("decided_lane_id", sa.String(200), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("export_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("plan_id", "item_id", "location_id", "status"):
        op.create_index(f"ix_recommendations_{column}", "recommendations", [column])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("recommendation_id", sa.String(64), sa.ForeignKey("recommendations.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=False),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("reason_category", sa.String(32), nullable=True),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("qty", sa.Float(), nullable=True),
        sa.Column("mode", sa.String(16), nullable=True),
        sa.Column("location_id", sa.String(200), nullable=True),
        sa.Column("lane_id", sa.String(200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_decisions_recommendation_id", "decisions", ["recommendation_id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_recommendation_id", table_name="decisions")
    op.drop_table("decisions")
    for column in ("status", "location_id", "item_id", "plan_id"):
        op.drop_index(f"ix_recommendations_{column}", table_name="recommendations")
    op.drop_table("recommendations")
    op.drop_table("plans")
