"""FX cover recommendations: forward cover per currency and horizon, for a person to approve or reject.

Revision ID: 0008_fx_cover
Revises: 0007_bind_rows
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_fx_cover"
down_revision: str | None = "0007_bind_rows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MONEY = (
    "amount_local",
    "exposure_base",
    "forward_rate",
    "cover_ratio",
    "cover_cost_base",
    "var_base",
    "cvar_base",
    "expected_none_base",
    "cvar_none_base",
    "expected_full_base",
    "cvar_full_base",
    "expected_recommended_base",
    "cvar_recommended_base",
)


def upgrade() -> None:
    op.create_table(
        "fx_cover_recommendations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("plan_id", sa.String(64), sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("first_period", sa.Integer(), nullable=False),
        sa.Column("last_period", sa.Integer(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in _MONEY),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("explanation_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_fx_cover_recommendations_plan_id", "fx_cover_recommendations", ["plan_id"])
    op.create_index("ix_fx_cover_recommendations_status", "fx_cover_recommendations", ["status"])


def downgrade() -> None:
    op.drop_index("ix_fx_cover_recommendations_status", table_name="fx_cover_recommendations")
    op.drop_index("ix_fx_cover_recommendations_plan_id", table_name="fx_cover_recommendations")
    op.drop_table("fx_cover_recommendations")
