"""What the ledger accepts from the planner and from people: plan and recommendation records, decision requests.

The planner adapts its frozen ``Plan``/``Recommendation`` to :class:`PlanRecord`/:class:`RecommendationRecord`
and hands them to :func:`hedgerow.services.recommendations.record_plan`. Money is in the workspace base currency
(``base_currency`` names it); quantities are units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hedgerow.decide.lifecycle import NEEDS_REASON, DecisionKind, ReasonCategory
from hedgerow.domain.actions import Action
from hedgerow.domain.enums import Mode


class PlanStatus(StrEnum):
    """Whether a recorded plan still has open recommendations."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"  # a newer plan replaced every recommendation it still had open


@dataclass(frozen=True)
class RecommendationRecord:
    """One recommendation as the ledger records it.

    Attributes
    ----------
    rec_id:
        Deterministic id from the planner (same data, settings and seed → same id).
    rank:
        Order within the plan (1 = most important).
    action:
        What to do.
    expected_cost_base:
        Expected total cost over the scenarios with this action, base currency.
    cvar_base:
        Conditional value at risk of that cost at the configured level, base currency.
    stockout_probability:
        Probability of running out over the protection window with this action.
    capital_base:
        Capital the action commits (purchase and transport paid), base currency.
    explanation:
        The explanation's ``to_dict()``: JSON-ready, stored as it is.
    """

    rec_id: str
    rank: int
    action: Action
    expected_cost_base: float
    cvar_base: float
    stockout_probability: float
    capital_base: float
    explanation: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("expected_cost_base", "cvar_base", "capital_base"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"recommendation {self.rec_id}: {name} must be finite, got {value}")
        if not 0.0 <= self.stockout_probability <= 1.0:
            raise ValueError(
                f"recommendation {self.rec_id}: stockout_probability must be in [0, 1], got {self.stockout_probability}"
            )
        if self.capital_base < 0:
            raise ValueError(f"recommendation {self.rec_id}: capital_base must be >= 0, got {self.capital_base}")


@dataclass(frozen=True)
class PlanRecord:
    """A plan as the ledger records it.

    Attributes
    ----------
    plan_id:
        Deterministic id from the planner.
    created_at:
        When the planner made it (timezone-aware).
    seed, scenario_count, horizon_periods:
        Scenario settings it was computed with.
    base_currency:
        Currency of every money figure.
    snapshots:
        Table name → SHA-256 of the data snapshot used (the lineage of every input).
    settings_digest:
        Digest of the settings that shaped the plan.
    recommendations:
        Its recommendations.
    """

    plan_id: str
    created_at: datetime
    seed: int
    scenario_count: int
    horizon_periods: int
    base_currency: str
    snapshots: Mapping[str, str]
    settings_digest: str
    recommendations: tuple[RecommendationRecord, ...]

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError(f"plan {self.plan_id}: created_at must be timezone-aware")
        ids = [r.rec_id for r in self.recommendations]
        if len(set(ids)) != len(ids):
            raise ValueError(f"plan {self.plan_id}: recommendation ids repeat")


@dataclass(frozen=True)
class DecisionRequest:
    """A person's decision about one recommendation.

    For :attr:`DecisionKind.MODIFY`, ``qty``, ``mode``, ``location_id`` (the destination) and ``lane_id`` give the
    changed action (None: unchanged). Rejections and modifications need ``reason_category`` and ``reason``.
    ``consignment_id`` names the consignment the decision was made for (its lines share it in the audit trail).
    """

    kind: DecisionKind
    reason_category: ReasonCategory | None = None
    reason: str | None = None
    qty: float | None = None
    mode: Mode | None = None
    location_id: str | None = None
    lane_id: str | None = None
    consignment_id: str | None = None

    @property
    def changes(self) -> dict[str, Any]:
        """The fields a modification changes."""
        values = {"qty": self.qty, "mode": self.mode, "location_id": self.location_id, "lane_id": self.lane_id}
        return {k: v for k, v in values.items() if v is not None}

    def problems(self) -> list[str]:
        """What is wrong with the request (empty when it is well-formed)."""
        out: list[str] = []
        if self.kind in NEEDS_REASON:
            if self.reason_category is None:
                allowed = "; ".join(c.label for c in ReasonCategory)
                out.append(f"a {self.kind.value} decision needs a reason category ({allowed})")
            if not (self.reason or "").strip():
                out.append(f"a {self.kind.value} decision needs a reason in words")
        if self.kind is DecisionKind.MODIFY and not self.changes:
            out.append("a modification must change at least one of qty, mode, destination (location) or lane")
        if self.kind is not DecisionKind.MODIFY and self.changes:
            out.append(f"only a modification changes the action; a {self.kind.value} decision cannot")
        if self.qty is not None and (not math.isfinite(self.qty) or self.qty < 0):
            out.append(f"qty must be a finite number of units >= 0, got {self.qty}")
        return out
