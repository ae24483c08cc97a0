"""Request and response models of the REST API, separate from the stored models (no secret ever leaves).

Money fields end in ``_base`` (the workspace base currency, named in list responses); quantities are units;
probabilities are fractions in [0, 1]; times are ISO 8601 UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from hedgerow.decide.export_formats import ExportFormat
from hedgerow.decide.lifecycle import ReasonCategory
from hedgerow.domain.enums import Mode

Id = Annotated[str, Field(min_length=1, max_length=200)]
Units = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
Version = Annotated[int, Field(ge=1, le=2_147_483_647)]


class Strict(BaseModel):
    """Request bodies refuse unknown fields (a typo is an error, not a silent default)."""

    model_config = ConfigDict(extra="forbid")


# ---- session and users -------------------------------------------------------------------------------------


class LoginIn(Strict):
    """Sign in with a ledger user's password."""

    user: Annotated[str, Field(min_length=1, max_length=200)]
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class MeOut(BaseModel):
    """The signed-in user."""

    user: str
    role: str
    permissions: list[str]
    auth: str
    csrf_token: str | None = Field(None, description="Send it as X-CSRF-Token on changes made with the session.")


class ApiKeyIn(Strict):
    """A label for a new API key of the calling user."""

    label: Annotated[str, Field(min_length=1, max_length=200)] = "api"


class ApiKeyOut(BaseModel):
    """A new API key: shown this once, stored only as a hash."""

    key_id: str
    key: str
    user: str
    label: str


class ApiKeyInfo(BaseModel):
    """An API key as listed: its public id, owner, label and dates (never the key or its hash)."""

    key_id: str
    user: str
    label: str
    created_at: datetime
    revoked_at: datetime | None


class UserOut(BaseModel):
    """A ledger user (no hash ever)."""

    name: str
    role: str
    disabled: bool
    has_password: bool
    api_keys: int
    created_at: datetime
    created_by: str


# ---- recommendations ---------------------------------------------------------------------------------------


class RecommendationOut(BaseModel):
    """A recommendation as the queue shows it."""

    id: str
    plan_id: str
    rank: int
    kind: str
    item_id: str
    location_id: str
    qty: float
    origin_id: str | None
    lane_id: str | None
    mode: str | None
    shipment_id: str | None
    expected_cost_base: float
    cvar_base: float
    stockout_probability: float
    capital_base: float
    status: str
    version: int
    auto_approved: bool
    decided_qty: float | None
    decided_mode: str | None
    decided_location_id: str | None
    decided_lane_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    export_id: str | None
    trust_note: str | None
    created_at: datetime
    allowed: list[str]


class RecommendationList(BaseModel):
    """A page of the queue."""

    base_currency: str
    offset: int
    limit: int
    count: int
    next_offset: int | None
    recommendations: list[RecommendationOut]


class DecisionOut(BaseModel):
    """One recorded decision."""

    kind: str
    from_status: str
    to_status: str
    user: str
    role: str
    auto: bool
    reason_category: str | None
    reason: str | None
    qty: float | None
    mode: str | None
    location_id: str | None
    lane_id: str | None
    version: int
    at: datetime


class RecommendationDetail(BaseModel):
    """A recommendation with its explanation (as the planner stored it) and its decisions."""

    base_currency: str
    recommendation: RecommendationOut
    explanation: dict[str, Any]
    decisions: list[DecisionOut]


class HumanDecision(StrEnum):
    """Decisions a person takes through the API (export happens through ``POST /api/exports``)."""

    APPROVE = "approve"
    REJECT = "reject"
    MODIFY = "modify"
    CLOSE = "close"


class DecisionIn(Strict):
    """A decision about one recommendation.

    ``reject`` and ``modify`` need ``reason_category`` and ``reason``; ``modify`` changes at least one of
    ``qty``, ``mode``, ``destination`` or ``lane_id``. ``expected_version`` (the version the person saw) makes the
    decision fail with 409 if someone decided in between.
    """

    decision: HumanDecision
    reason_category: ReasonCategory | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    qty: Units | None = None
    mode: Mode | None = None
    destination: Id | None = None
    lane_id: Id | None = None
    expected_version: Version | None = None


class ConsignmentOut(BaseModel):
    """The lines a manager decides together: one per lane, shipment or buffer location (money in base currency)."""

    id: str
    rank: int
    kind: str
    key: str
    origin_id: str | None
    location_id: str | None
    lane_id: str | None
    mode: str | None
    lines: int
    recommendation_ids: list[str]
    units: float
    capital: float
    value: float


class ConsignmentDecision(StrEnum):
    """Decisions taken on a whole consignment (its lines are modified one by one)."""

    APPROVE = "approve"
    REJECT = "reject"
    CLOSE = "close"


class ConsignmentDecisionIn(Strict):
    """A decision about every open line of a consignment; ``reject`` needs ``reason_category`` and ``reason``."""

    decision: ConsignmentDecision
    reason_category: ReasonCategory | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None


class SkippedLine(BaseModel):
    """A line a consignment decision left as it was, and why."""

    id: str
    why: str


class ConsignmentDecisionOut(BaseModel):
    """What a consignment decision did: the lines decided and those left as they were."""

    plan_id: str
    consignment: ConsignmentOut
    decided: list[RecommendationOut]
    skipped: list[SkippedLine]


class PlanOut(BaseModel):
    """A recorded plan with its recommendation counts per status."""

    plan_id: str
    created_at: datetime
    recorded_at: datetime
    recorded_by: str
    seed: int
    scenario_count: int
    horizon_periods: int
    base_currency: str
    settings_digest: str
    snapshots: dict[str, str]
    status: str
    recommendations: dict[str, int]


class QueueSummaryOut(BaseModel):
    """Totals of the queue (money in the base currency)."""

    base_currency: str
    by_status: dict[str, int]
    proposed: int
    proposed_capital_base: float
    proposed_needing_approver: int
    approver_required_above: float
    oldest_proposed_at: datetime | None
    plans: int


# ---- holds -------------------------------------------------------------------------------------------------


class HoldOut(BaseModel):
    """A hold."""

    hold_id: str
    item_id: str
    location_id: str
    qty: float
    owner: str
    reason: str
    expires_on: date
    status: str
    source: str
    version: int
    in_force: bool
    days_left: int
    expiring: bool
    value_base: float | None = Field(
        None, description="Units × the item's unit cost in base currency; null without a unit cost or FX rate."
    )


class HoldIn(Strict):
    """A new hold: keep ``qty`` units of an item at a location until the end of ``expires_on``."""

    item_id: Id
    location_id: Id
    qty: Annotated[float, Field(gt=0, le=1e12, allow_inf_nan=False)]
    reason: Annotated[str, Field(min_length=1, max_length=2000)]
    expires_on: date
    owner: Id | None = None
    hold_id: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")] | None = None


class HoldExtendIn(Strict):
    """A later expiry day for a hold."""

    until: date
    expected_version: Version | None = None


class HoldReleaseIn(Strict):
    """Release a hold (optionally only if it is still at the version seen)."""

    expected_version: Version | None = None


# ---- exports, jobs, data -----------------------------------------------------------------------------------


class ExportIn(Strict):
    """Export accepted actions; ``recommendation_ids`` re-exports exactly that set (default: all accepted)."""

    format: ExportFormat
    recommendation_ids: Annotated[list[Id], Field(min_length=1, max_length=100_000)] | None = None


class ExportOut(BaseModel):
    """An export file of accepted actions."""

    export_id: str
    format: str
    file_name: str
    content_sha256: str
    rows: int
    recommendation_ids: list[str]
    at: datetime
    by: str
    created: bool | None = None
    download: str


class JobIn(Strict):
    """Start a background job of a registered kind (``GET /api/jobs/kinds`` lists them)."""

    kind: Annotated[str, Field(min_length=1, max_length=64)]
    params: dict[str, Any] = Field(default_factory=dict)


class JobOut(BaseModel):
    """A background job: status (queued, running, succeeded, failed, cancelled, interrupted), progress, and its
    result or error once finished. Jobs are kept in the ledger: they outlive server restarts."""

    id: str
    kind: str
    user: str
    params: dict[str, Any]
    status: str
    step: str
    done: int
    total: int
    fraction: float
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested: bool = False
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    result_link: str | None
    status_url: str
    cancel_url: str


class JobKindOut(BaseModel):
    """A registered job kind."""

    kind: str
    description: str
    permission: str
    generic: bool
    params_schema: dict[str, Any] | None


class ImportOut(BaseModel):
    """One accepted import with its lineage."""

    id: int
    batch_id: str
    table: str
    mode: str
    rows: int
    snapshot: str
    source: str
    source_format: str
    source_size_bytes: int
    source_sha256: str
    imported_by: str
    imported_at: datetime
    contract_version: str
    trust_score: float
    warnings: list[dict[str, Any]]


class AuditEventOut(BaseModel):
    """One audit event."""

    seq: int
    at: str
    actor: str
    kind: str
    subject: str
    payload: Any
    prev_hash: str
    hash: str


class LocationTrustOut(BaseModel):
    """A location's newest count trust (100 = every count matched)."""

    location_id: str
    trust_score: float
    abs_diff_units: float
    diff_value_base: float
    abs_diff_value_base: float
    at: datetime


class Health(BaseModel):
    """Liveness."""

    ok: bool
    version: str
    workspace: str


class FxCoverOut(BaseModel):
    """A recorded FX cover recommendation: buy ``cover_ratio`` of a currency's payables over a horizon forward.

    Money in the base currency; ``*_none``, ``*_full`` and ``*_recommended`` are the whole portfolio of payables'
    expected landed cost and CVaR with this bucket uncovered, fully covered and at the recommended ratio.
    """

    id: str
    plan_id: str
    currency: str
    first_period: int
    last_period: int
    period_days: int
    amount_local: float
    exposure_base: float
    forward_rate: float
    cover_ratio: float
    covered_base: float
    cover_cost_base: float
    var_base: float
    cvar_base: float
    expected_none_base: float
    cvar_none_base: float
    expected_full_base: float
    cvar_full_base: float
    expected_recommended_base: float
    cvar_recommended_base: float
    headline: str
    alternatives: dict[str, str]
    status: str
    version: int
    reason: str | None
    decided_by: str | None
    decided_at: str | None
    created_by: str
    created_at: str
    allowed: list[str]


class FxCoverDecision(StrEnum):
    """Decisions a person takes on an FX cover recommendation."""

    APPROVE = "approve"
    REJECT = "reject"


class FxCoverDecisionIn(Strict):
    """Approve or reject an FX cover recommendation; ``reject`` needs a ``reason``. ``expected_version`` makes the
    decision fail with 409 if someone decided in between."""

    decision: FxCoverDecision
    reason: Annotated[str, Field(max_length=2000)] | None = None
    expected_version: Version | None = None
