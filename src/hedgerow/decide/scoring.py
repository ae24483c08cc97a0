"""Hindsight scoring of decisions: what the recommendation would have cost versus what the decision cost,
both replayed through the demand and receipts that actually happened. Pure: numbers in, numbers out.

For each location an option touches, a periodic inventory flow over the scoring window (period ``t`` = 0 … N−1
after the decision)::

    stock_t   = stock_{t−1} + inflow_t            (arrivals of the option and of shipments already under way;
                                                    departures of a transfer are negative inflow)
    sales_t   = min(stock_t, demand_t)            lost_t = demand_t − sales_t
    end_t     = stock_t − sales_t
    cost      = Σ_t end_t × unit_value × holding_rate_per_period  +  Σ_t lost_t × lost_sale_cost
              + transport cost of the option

Stock left at the end is an asset valued at cost (not charged), so over-buying costs its holding and
transport inside the window only; arrivals after the window do not help. ``value_added = cost(recommended) −
cost(decided)``: positive when the person's override beat the recommendation, negative when it did worse, zero
for approvals as proposed. A hold is scored the same way (:func:`score_hold`): the item-location's flow with its
held units on hand against the flow without them. (Simplified from the periodic-review lost-sales model, e.g. Zipkin, *Foundations of
Inventory Management*, ch. 9; no discounting over the few periods scored.)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

#: Columns of :func:`aggregate` tables.
SUMMARY_COLUMNS = [
    "decisions",
    "overrides",
    "value_added_base",
    "mean_value_added_base",
    "overrides_better",
    "overrides_worse",
]


@dataclass(frozen=True)
class FlowContext:
    """What happened at one item-location over the window, and its prices.

    Attributes
    ----------
    start_on_hand:
        Units on hand when the decision was taken (the last count before it).
    demand:
        Realised demand per period of the window, units.
    receipts:
        Units of shipments already under way that arrived in each period.
    unit_value_base:
        Value of one unit (its cost), base currency.
    holding_rate_per_period:
        Holding plus capital cost per period as a fraction of unit value.
    lost_sale_cost_base:
        Cost of one unit of unmet demand (margin + goodwill), base currency.
    """

    start_on_hand: float
    demand: np.ndarray
    receipts: np.ndarray
    unit_value_base: float
    holding_rate_per_period: float
    lost_sale_cost_base: float

    @property
    def periods(self) -> int:
        """Length of the window in periods."""
        return len(self.demand)


@dataclass(frozen=True)
class Move:
    """Units arriving at (positive) or leaving (negative) a location in a period of the window."""

    location_id: str
    period: int
    qty: float


@dataclass(frozen=True)
class Option:
    """One way of acting: the stock moves it causes and what its transport costs (base currency)."""

    moves: tuple[Move, ...] = ()
    transport_cost_base: float = 0.0


@dataclass(frozen=True)
class FlowCost:
    """Cost of one location's flow under an option."""

    holding_base: float
    lost_units: float
    lost_sales_base: float
    ending_stock: float

    @property
    def total_base(self) -> float:
        """Holding plus lost sales."""
        return self.holding_base + self.lost_sales_base


def flow_cost(ctx: FlowContext, extra_inflow: np.ndarray) -> FlowCost:
    """Replay one item-location's window with ``extra_inflow`` (units per period) added to its receipts."""
    inflow = ctx.receipts.astype(float) + extra_inflow
    stock = float(ctx.start_on_hand)
    holding = lost = 0.0
    for t in range(ctx.periods):
        stock = max(0.0, stock + float(inflow[t]))
        sales = min(stock, float(ctx.demand[t]))
        lost += float(ctx.demand[t]) - sales
        stock -= sales
        holding += stock * ctx.unit_value_base * ctx.holding_rate_per_period
    return FlowCost(holding, lost, lost * ctx.lost_sale_cost_base, stock)


def option_cost(option: Option, contexts: Mapping[str, FlowContext], locations: Iterable[str]) -> float:
    """Total cost of ``option`` over ``locations`` (every location either compared option touches)."""
    total = option.transport_cost_base
    for loc in sorted(set(locations)):
        ctx = contexts[loc]
        extra = np.zeros(ctx.periods)
        for m in option.moves:
            if m.location_id == loc and 0 <= m.period < ctx.periods:
                extra[m.period] += m.qty
        total += flow_cost(ctx, extra).total_base
    return total


def arrival_period(transit_days: float, period_days: int) -> int:
    """Window period in which goods sent at the decision arrive (0 = the decision's own period)."""
    if transit_days <= 0 or math.isnan(transit_days):
        return 0
    return math.ceil(transit_days / period_days)


@dataclass(frozen=True)
class DecisionScore:
    """One decision scored against what happened."""

    recommendation_id: str
    decided_by: str
    decision: str  # approve | modify | reject
    reason_category: str | None
    auto: bool
    recommended_cost_base: float
    decided_cost_base: float
    details: dict[str, float] = field(default_factory=dict)

    @property
    def value_added_base(self) -> float:
        """Recommended minus decided cost: what the person's decision saved (negative: cost)."""
        return self.recommended_cost_base - self.decided_cost_base

    @property
    def is_override(self) -> bool:
        """Whether the person changed or rejected the recommendation."""
        return self.decision != "approve"


@dataclass(frozen=True)
class HoldScore:
    """One hold scored against what happened: what keeping its units cost and what they saved (base currency).

    Held units are the last sold: they serve demand only once the free stock has run out, which is what a buffer
    is for. ``value_base`` = lost sales avoided − extra carrying cost: positive when the buffer paid for itself,
    negative for the cost of distrust (units kept that demand never needed).
    """

    hold_id: str
    item_id: str
    location_id: str
    owner: str
    held_units: float
    periods: int
    carrying_base: float
    lost_units_avoided: float
    lost_sales_avoided_base: float

    @property
    def value_base(self) -> float:
        """Lost sales avoided minus the carrying cost of the held units."""
        return self.lost_sales_avoided_base - self.carrying_base


def score_hold(ctx: FlowContext, qty: float, *, hold_id: str, item_id: str, location_id: str, owner: str) -> HoldScore:
    """Replay ``ctx`` with the held ``qty`` units on hand and without them (at most what was on hand)."""
    held = min(max(qty, 0.0), max(ctx.start_on_hand, 0.0))
    none = np.zeros(ctx.periods)
    kept = flow_cost(ctx, none)
    gone = flow_cost(replace(ctx, start_on_hand=ctx.start_on_hand - held), none)
    return HoldScore(
        hold_id=hold_id,
        item_id=item_id,
        location_id=location_id,
        owner=owner,
        held_units=held,
        periods=ctx.periods,
        carrying_base=kept.holding_base - gone.holding_base,
        lost_units_avoided=gone.lost_units - kept.lost_units,
        lost_sales_avoided_base=gone.lost_sales_base - kept.lost_sales_base,
    )


def score_decision(
    recommended: Option,
    decided: Option,
    contexts: Mapping[str, FlowContext],
    *,
    recommendation_id: str,
    decided_by: str,
    decision: str,
    reason_category: str | None = None,
    auto: bool = False,
) -> DecisionScore:
    """Cost both options over the same locations and return the score."""
    locations = {m.location_id for m in (*recommended.moves, *decided.moves)}
    return DecisionScore(
        recommendation_id=recommendation_id,
        decided_by=decided_by,
        decision=decision,
        reason_category=reason_category,
        auto=auto,
        recommended_cost_base=option_cost(recommended, contexts, locations),
        decided_cost_base=option_cost(decided, contexts, locations),
    )


def aggregate(scores: Sequence[DecisionScore], by: str) -> pd.DataFrame:
    """Value added per planner (``by="decided_by"``) or per reason category (``by="reason_category"``).

    Columns :data:`SUMMARY_COLUMNS`; overrides are rejections and modifications; better / worse count overrides
    whose value added is above / below zero (by more than a cent).
    """
    if by not in ("decided_by", "reason_category"):
        raise ValueError(f"aggregate by decided_by or reason_category, got {by!r}")
    rows = [
        {
            "key": getattr(s, by) or "(approved as proposed)",
            "override": s.is_override,
            "value": s.value_added_base,
        }
        for s in scores
    ]
    if not rows:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    frame = pd.DataFrame(rows)
    frame["better"] = (frame["value"] > 0.01) & frame["override"]
    frame["worse"] = (frame["value"] < -0.01) & frame["override"]
    g = frame.groupby("key", sort=True)
    out = pd.DataFrame(
        {
            "decisions": g.size(),
            "overrides": g["override"].sum().astype(int),
            "value_added_base": g["value"].sum(),
            "mean_value_added_base": g["value"].mean(),
            "overrides_better": g["better"].sum().astype(int),
            "overrides_worse": g["worse"].sum().astype(int),
        }
    )
    out.index.name = by
    return out[SUMMARY_COLUMNS].sort_values("value_added_base", ascending=False)
