"""SQLAlchemy models of the decision ledger: users, audit chain, plans, recommendations, decisions, holds,
reconciliations and exports. Imported by :mod:`hedgerow.store.models` so that one metadata holds every table.

Money columns end in ``_base`` (the workspace base currency, stored with each plan); quantities are units.
Times are timezone-aware UTC (SQLite hands them back naive: read them through :func:`as_utc`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hedgerow.store.lineage_models import Base


def as_utc(moment: datetime) -> datetime:
    """A ledger time as timezone-aware UTC (SQLite returns naive values that are UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class User(Base):
    """A person (or service) that reads or decides; ``password_hash`` is an argon2id hash, never the password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class ApiKey(Base):
    """An API key of a user: ``key_id`` (public, for lookup) and an argon2id hash of the whole key."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditEvent(Base):
    """One event of the append-only, hash-chained audit log (see :mod:`hedgerow.decide.auditchain`)."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row naming the newest audit event; every write transaction locks it first."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class PlanRow(Base):
    """A recorded plan: what data and settings produced its recommendations."""

    __tablename__ = "plans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(BigInteger)
    scenario_count: Mapped[int] = mapped_column(Integer)
    horizon_periods: Mapped[int] = mapped_column(Integer)
    base_currency: Mapped[str] = mapped_column(String(3))
    snapshots_json: Mapped[str] = mapped_column(Text)
    settings_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))


class RecommendationRow(Base):
    """One recommended action of a plan and its lifecycle. ``version`` guards against lost updates.

    The ``decided_*`` columns hold the action as finally accepted (equal to the proposed one unless modified).
    """

    __tablename__ = "recommendations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    rank: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(200), index=True)
    location_id: Mapped[str] = mapped_column(String(200), index=True)
    qty: Mapped[float] = mapped_column(Float)
    origin_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lane_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    shipment_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    expected_cost_base: Mapped[float] = mapped_column(Float)
    cvar_base: Mapped[float] = mapped_column(Float)
    stockout_probability: Mapped[float] = mapped_column(Float)
    capital_base: Mapped[float] = mapped_column(Float)
    explanation_json: Mapped[str] = mapped_column(Text)
    trust_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_qty: Mapped[float | None] = mapped_column(Float, nullable=True)
    decided_mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    decided_location_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_lane_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    export_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    """One transition of a recommendation: who, in which role, why, and the action after it."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recommendation_id: Mapped[str] = mapped_column(ForeignKey("recommendations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    user_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    auto: Mapped[bool] = mapped_column(Boolean, default=False)
    reason_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reason_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    qty: Mapped[float | None] = mapped_column(Float, nullable=True)
    mode: Mapped[str | None] = mapped_column(String(16), nullable=True)
    location_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lane_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HoldRow(Base):
    """A buffer a person keeps on purpose; counts in the position, never moved by the planner."""

    __tablename__ = "holds"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(200), index=True)
    location_id: Mapped[str] = mapped_column(String(200), index=True)
    qty: Mapped[float] = mapped_column(Float)
    owner: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    expires_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    version: Mapped[int] = mapped_column(Integer)


class ReconciliationRow(Base):
    """One comparison of a new inventory count with what the ledger expected."""

    __tablename__ = "reconciliations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(200))
    inventory_snapshot: Mapped[str] = mapped_column(String(64))
    base_currency: Mapped[str] = mapped_column(String(3))
    lines: Mapped[int] = mapped_column(Integer)
    abs_diff_units: Mapped[float] = mapped_column(Float)
    abs_diff_value_base: Mapped[float] = mapped_column(Float)


class ReconciliationLineRow(Base):
    """Expected vs counted units of one item at one location."""

    __tablename__ = "reconciliation_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("reconciliations.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(200))
    location_id: Mapped[str] = mapped_column(String(200))
    previous_counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    previous_on_hand: Mapped[float] = mapped_column(Float)
    receipts: Mapped[float] = mapped_column(Float)
    sales: Mapped[float] = mapped_column(Float)
    transfers_in: Mapped[float] = mapped_column(Float)
    transfers_out: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    counted: Mapped[float] = mapped_column(Float)
    diff_units: Mapped[float] = mapped_column(Float)
    unit_value_base: Mapped[float] = mapped_column(Float)
    diff_value_base: Mapped[float] = mapped_column(Float)


class LocationTrustRow(Base):
    """A location's count trust after a reconciliation; the newest row per location is current."""

    __tablename__ = "location_trust"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("reconciliations.id"), index=True)
    location_id: Mapped[str] = mapped_column(String(200), index=True)
    items: Mapped[int] = mapped_column(Integer)
    items_off: Mapped[int] = mapped_column(Integer)
    expected_units: Mapped[float] = mapped_column(Float)
    abs_diff_units: Mapped[float] = mapped_column(Float)
    diff_value_base: Mapped[float] = mapped_column(Float)
    abs_diff_value_base: Mapped[float] = mapped_column(Float)
    trust_score: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExportRow(Base):
    """One export file of accepted actions; (format, content hash) is unique, so exports are idempotent."""

    __tablename__ = "exports"
    __table_args__ = (UniqueConstraint("format", "content_sha256", name="uq_exports_format_content"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    format: Mapped[str] = mapped_column(String(32))
    content_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    rows: Mapped[int] = mapped_column(Integer)
    recommendation_ids_json: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    by: Mapped[str] = mapped_column(String(200))


class FxCoverRow(Base):
    """One FX cover recommendation: buy ``cover_ratio`` of a currency's payables over a horizon forward.

    Figures as :class:`hedgerow.plan.fx_cover.CoverBucket` gives them (base currency; the ``*_none``, ``*_full`` and
    ``*_recommended`` pairs are the whole portfolio's expected cost and CVaR under each alternative). hedgerow never
    trades: ``status`` records what a person decided.
    """

    __tablename__ = "fx_cover_recommendations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    first_period: Mapped[int] = mapped_column(Integer)
    last_period: Mapped[int] = mapped_column(Integer)
    period_days: Mapped[int] = mapped_column(Integer)
    amount_local: Mapped[float] = mapped_column(Float)
    exposure_base: Mapped[float] = mapped_column(Float)
    forward_rate: Mapped[float] = mapped_column(Float)
    cover_ratio: Mapped[float] = mapped_column(Float)
    cover_cost_base: Mapped[float] = mapped_column(Float)
    var_base: Mapped[float] = mapped_column(Float)
    cvar_base: Mapped[float] = mapped_column(Float)
    expected_none_base: Mapped[float] = mapped_column(Float)
    cvar_none_base: Mapped[float] = mapped_column(Float)
    expected_full_base: Mapped[float] = mapped_column(Float)
    cvar_full_base: Mapped[float] = mapped_column(Float)
    expected_recommended_base: Mapped[float] = mapped_column(Float)
    cvar_recommended_base: Mapped[float] = mapped_column(Float)
    headline: Mapped[str] = mapped_column(Text)
    explanation_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
