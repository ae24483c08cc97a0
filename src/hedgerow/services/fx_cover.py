"""FX cover recommendations of a workspace: the payables of the newest plan and of goods in transit, the FX
scenarios the plan was made on, and the cover ratio per currency and horizon (:mod:`hedgerow.plan.fx_cover`).

Payables (assumptions, docs in the notes of the FX cover feature):

* every *order* line of the newest recorded plan that is proposed, approved, modified or exported (as decided when
  modified; rejected, superseded and closed ones are left out: a closed order shows up in the shipments table once
  it ships) owes ``qty × unit_cost`` in the item's cost currency to the supplier and ``qty × cost_per_unit`` in
  the lane's currency to the carrier;
* every *shipment in transit* (shipments without ``delivered_date``) owes the same for its items; a shipment on a
  transfer lane owes only its freight;
* a payable is due when the goods are expected to arrive plus ``[fx] payment_days_after_arrival``: an order placed
  now after its lane's mean transit, a shipment in transit after its mean remaining transit (the lead-time
  model's); due days beyond the FX horizon fall in its last period.

FX paths are the plan's: the same bootstrap (:func:`hedgerow.supply.fx.sample_fx_paths`) with the plan's seed,
scenario count and horizon on the workspace's FX history. The forward for a payment ``t`` years ahead is
``spot × (1 + [fx] forward_premium_per_year × t)`` and the cost of cover ``[fx] cover_cost_fraction +
cover_cost_per_year × t`` of the covered amount.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.domain.enums import TableName
from hedgerow.errors import NotFound, SupplyInputError
from hedgerow.explain.fx_cover import CoverWords, bucket_words, horizon_words, plan_words
from hedgerow.plan.fx_cover import (
    CoverBucket,
    CoverChoice,
    CoverOutcome,
    FxCoverPlan,
    Payable,
    PayableSource,
    cover_cost_curve,
    forward_curve,
    portfolio_outcome,
    recommend_fx_cover,
)
from hedgerow.services.exposure import fit_workspace_supply
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import PlanRow, RecommendationRow
from hedgerow.supply.fx import sample_fx_paths
from hedgerow.supply.model import SupplyModel

S = RecommendationStatus
#: Order lines whose payables count: not rejected, superseded or closed.
OPEN_ORDER_STATUSES = (S.PROPOSED.value, S.APPROVED.value, S.MODIFIED.value, S.EXPORTED.value)


@dataclass(frozen=True)
class FxCoverReport:
    """The cover recommendations of the newest plan, with the inputs that made them.

    Attributes
    ----------
    plan_id:
        The recorded plan whose orders (and scenario seed, count and horizon) were used.
    base_currency, period_days:
        Money and time units.
    payables:
        Every payable, base-currency ones included.
    plan:
        The recommendation per currency and horizon, and the portfolio figures.
    words:
        One :class:`~hedgerow.explain.fx_cover.CoverWords` per bucket (same order as ``plan.buckets``).
    summary:
        One sentence on the whole portfolio.
    spot:
        Latest rate of each foreign currency, units per base unit.
    shock:
        Multiplicative moves applied to the FX paths (currency → factor on units per base; empty = none).
    notes:
        Assumptions and gaps worth showing (payables past the horizon, missing unit costs).
    """

    plan_id: str
    base_currency: str
    period_days: int
    payables: tuple[Payable, ...]
    plan: FxCoverPlan
    words: tuple[CoverWords, ...]
    summary: str
    spot: Mapping[str, float]
    shock: Mapping[str, float]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "plan_id": self.plan_id,
            "base_currency": self.base_currency,
            "period_days": self.period_days,
            "cvar_level": self.plan.level,
            "scenarios": self.plan.scenarios,
            "summary": self.summary,
            "spot": dict(self.spot),
            "shock": dict(self.shock),
            "portfolio": {
                "none": outcome_dict(self.plan.none),
                "full": outcome_dict(self.plan.full),
                "recommended": outcome_dict(self.plan.recommended),
            },
            "buckets": [
                bucket_dict(b, w, self.period_days) for b, w in zip(self.plan.buckets, self.words, strict=True)
            ],
            "by_period": payables_by_period(self.payables),
            "payables": [
                {
                    "currency": p.currency,
                    "due_period": p.due_period,
                    "amount": p.amount,
                    "source": p.source.value,
                    "reference": p.reference,
                }
                for p in self.payables
            ],
            "notes": list(self.notes),
        }


def payables_by_period(payables: tuple[Payable, ...]) -> list[dict[str, Any]]:
    """Payables summed per currency and due period (units of the currency), sorted."""
    sums: dict[tuple[str, int], float] = {}
    for p in payables:
        sums[(p.currency, p.due_period)] = sums.get((p.currency, p.due_period), 0.0) + p.amount
    return [{"currency": c, "due_period": t, "amount": a} for (c, t), a in sorted(sums.items())]


def outcome_dict(o: CoverOutcome) -> dict[str, float]:
    """JSON-ready expected cost and CVaR."""
    return {"expected_cost_base": o.expected_cost_base, "cvar_base": o.cvar_base}


def bucket_dict(b: CoverBucket, w: CoverWords, period_days: int) -> dict[str, Any]:
    """JSON-ready form of one bucket and its words."""
    return {
        "currency": b.currency,
        "first_period": b.first_period,
        "last_period": b.last_period,
        "horizon": horizon_words(b.first_period, b.last_period, period_days),
        "amount_local": b.amount_local,
        "exposure_base": b.exposure_base,
        "forward_rate": b.forward_rate,
        "cover_cost_base": b.cover_cost_base,
        "expected_base": b.expected_base,
        "var_base": b.var_base,
        "cvar_base": b.cvar_base,
        "cover_ratio": b.cover_ratio,
        "payables": b.payables,
        "headline": w.headline,
        "alternatives": [
            {"choice": a.choice.value, "cover_ratio": a.cover_ratio, **outcome_dict(a.outcome), "sentence": w.alternatives[a.choice]}
            for a in b.alternatives
        ],
    }  # fmt: skip


def newest_plan(ws: Workspace) -> PlanRow:
    """The newest recorded plan.

    Raises
    ------
    NotFound
        When no plan is recorded yet (run `hedgerow plan`).
    """
    with ws.session() as session:
        row = session.scalars(select(PlanRow).order_by(PlanRow.recorded_at.desc(), PlanRow.id).limit(1)).first()
    if row is None:
        raise NotFound("no plan recorded yet: FX cover reads the newest plan's orders; run `hedgerow plan` first")
    return row


def _due_period(days: float, period_days: int, horizon: int) -> int:
    return int(min(max(0, math.floor(days / period_days)), horizon - 1))


def _order_lines(ws: Workspace, plan_id: str) -> list[tuple[str, str, str, float]]:
    """(recommendation id, item, lane, qty) of the plan's open order lines, as decided when modified."""
    with ws.session() as session:
        rows = session.scalars(
            select(RecommendationRow).where(
                RecommendationRow.plan_id == plan_id,
                RecommendationRow.kind == ActionKind.ORDER.value,
                RecommendationRow.status.in_(OPEN_ORDER_STATUSES),
            )
        ).all()
    out = []
    for r in rows:
        lane = r.decided_lane_id or r.lane_id
        qty = r.decided_qty if r.decided_qty is not None else r.qty
        if lane and qty > 0:
            out.append((r.id, r.item_id, lane, float(qty)))
    return sorted(out)


def _open_lines(shipments: pd.DataFrame | None, as_of: datetime) -> list[tuple[str, str, str, float]]:
    """(shipment id, item, lane, qty) of every shipment line in transit at ``as_of``."""
    if shipments is None or not len(shipments):
        return []
    rows = shipments[shipments["delivered_date"].isna() & (shipments["ship_date"] <= pd.Timestamp(as_of.date()))]
    cols = zip(rows["shipment_id"].astype(str), rows["item_id"].astype(str), rows["lane_id"].astype(str),
               rows["qty"].to_numpy(dtype=float), strict=True)  # fmt: skip
    return sorted((sid, item, lane, float(qty)) for sid, item, lane, qty in cols)


def collect_payables(
    frames: Mapping[TableName, pd.DataFrame],
    model: SupplyModel,
    orders: list[tuple[str, str, str, float]],
    *,
    period_days: int,
    horizon: int,
    payment_days: int,
) -> tuple[list[Payable], list[str]]:
    """Payables of order lines and of shipments in transit, and notes on what was left out or clipped."""
    items = frames.get(TableName.ITEMS)
    if items is None:
        raise SupplyInputError("FX cover needs the items table (unit_cost, cost_currency); import it first")
    cost = {
        item: (float(unit_cost), ccy)
        for item, unit_cost, ccy in zip(
            items["item_id"].astype(str),
            items["unit_cost"].to_numpy(dtype=float),
            items["cost_currency"].astype(str),
            strict=True,
        )
    }
    remaining = {
        s.shipment_id: model.lead_times.lane(s.lane_id).remaining(s.elapsed_days, s.planned_days).mean()
        for s in model.open_shipments
        if s.lane_id in model.network.lanes
    }
    lines = [(PayableSource.ORDER, *o) for o in orders]
    lines += [(PayableSource.OPEN_SHIPMENT, *o) for o in _open_lines(frames.get(TableName.SHIPMENTS), model.as_of)]
    out: list[Payable] = []
    skipped: set[str] = set()
    clipped = 0
    for source, ref, item, lane_id, qty in lines:
        lane = model.network.lanes.get(lane_id)
        if lane is None or item not in cost:
            skipped.add(ref)
            continue
        if source is PayableSource.ORDER:
            days = model.lead_times.lane(lane_id).transit.mean()
        elif ref in remaining:
            days = remaining[ref]
        else:
            skipped.add(ref)
            continue
        days += payment_days
        clipped += int(days >= horizon * period_days)
        due = _due_period(days, period_days, horizon)
        unit_cost, ccy = cost[item]
        if lane.origin_is_supplier and unit_cost * qty > 0:
            out.append(Payable(ccy, due, unit_cost * qty, source, ref))
        if lane.cost_per_unit * qty > 0:
            out.append(Payable(lane.cost_currency, due, lane.cost_per_unit * qty, source, ref))
    notes = []
    if skipped:
        notes.append(f"{len(skipped)} order or shipment line(s) left out: unknown item or lane")
    if clipped:
        notes.append(
            f"{clipped} payable(s) fall due after the FX horizon; counted in its last {period_days}-day period"
        )
    return out, notes


@dataclass(frozen=True)
class FxCoverInputs:
    """Everything the cover recommendation is computed from (arrays as :func:`recommend_fx_cover` takes them)."""

    plan_id: str
    base_currency: str
    period_days: int
    payables: tuple[Payable, ...]
    currencies: tuple[str, ...]
    fx: np.ndarray
    forward: np.ndarray
    cover_cost: np.ndarray
    level: float
    bucket_periods: int
    spot: Mapping[str, float]
    shock: Mapping[str, float]
    notes: tuple[str, ...]


def fx_cover_inputs(ws: Workspace, *, now: datetime, shock: Mapping[str, float] | None = None) -> FxCoverInputs:
    """Payables, the plan's FX paths, forwards and costs of cover of the workspace (see the module docstring).

    Parameters
    ----------
    ws:
        The workspace.
    now:
        As-of time (timezone-aware).
    shock:
        Optional moves of the FX paths: currency → factor on its rate (units per base unit) from period 0 on;
        0.9 makes the currency about 11 % dearer against the base (1 / 0.9). For stress tests and benchmarks.

    Raises
    ------
    NotFound
        When no plan is recorded.
    SupplyInputError
        When the tables cannot support FX scenarios, or the shock names an unused currency or a factor <= 0.
    """
    plan_row = newest_plan(ws)
    settings = ws.settings
    period_days = settings.workspace.period.days
    model, frames = fit_workspace_supply(ws, now)
    horizon = int(plan_row.horizon_periods)
    payables, notes = collect_payables(
        frames, model, _order_lines(ws, plan_row.id), period_days=period_days, horizon=horizon,
        payment_days=settings.fx.payment_days_after_arrival,
    )  # fmt: skip
    currencies = tuple(sorted({*model.currencies, *(p.currency for p in payables)}))
    fx = sample_fx_paths(
        model.fx_history,
        currencies,
        model.base_currency,
        seed=int(plan_row.seed),
        n_scenarios=int(plan_row.scenario_count),
        horizon=horizon,
        period_days=period_days,
    )
    spot = {c: 1.0 if c == model.base_currency else _spot(model, c) for c in currencies}
    fxs = settings.fx
    forward = np.array(
        [forward_curve(spot[c], fxs.forward_premium_per_year.get(c, 0.0), horizon, period_days) for c in currencies]
    )
    curve = cover_cost_curve(fxs.cover_cost_fraction, fxs.cover_cost_per_year, horizon, period_days)
    shock = dict(shock or {})
    for c, factor in shock.items():
        if c not in currencies:
            raise SupplyInputError(f"shock names {c}, which no payable or lane uses (have: {', '.join(currencies)})")
        if not factor > 0:
            raise SupplyInputError(f"shock factor of {c} must be > 0 (0.9 = the currency dearer), got {factor}")
        fx[currencies.index(c)] *= factor
    return FxCoverInputs(
        plan_id=plan_row.id,
        base_currency=model.base_currency,
        period_days=period_days,
        payables=tuple(payables),
        currencies=currencies,
        fx=fx,
        forward=forward,
        cover_cost=np.tile(curve, (len(currencies), 1)),
        level=settings.risk.cvar_level,
        bucket_periods=fxs.horizon_periods,
        spot={c: v for c, v in spot.items() if c != model.base_currency},
        shock=shock,
        notes=tuple(notes),
    )


def recommend_for(inputs: FxCoverInputs) -> FxCoverReport:
    """The cover recommendation and its words from prepared inputs."""
    plan = recommend_fx_cover(
        inputs.payables,
        inputs.currencies,
        inputs.fx,
        inputs.forward,
        inputs.cover_cost,
        level=inputs.level,
        bucket_periods=inputs.bucket_periods,
        base_currency=inputs.base_currency,
    )
    return FxCoverReport(
        plan_id=inputs.plan_id,
        base_currency=inputs.base_currency,
        period_days=inputs.period_days,
        payables=inputs.payables,
        plan=plan,
        words=tuple(bucket_words(b, inputs.base_currency, inputs.period_days) for b in plan.buckets),
        summary=plan_words(plan, inputs.base_currency),
        spot=inputs.spot,
        shock=inputs.shock,
        notes=inputs.notes,
    )


def compute_fx_cover(ws: Workspace, *, now: datetime, shock: Mapping[str, float] | None = None) -> FxCoverReport:
    """FX cover recommendations for the newest plan's orders and the shipments in transit (:func:`fx_cover_inputs`
    then :func:`recommend_for`)."""
    return recommend_for(fx_cover_inputs(ws, now=now, shock=shock))


def evaluate_ratios(inputs: FxCoverInputs, ratios: Mapping[tuple[str, int, int], float]) -> CoverOutcome:
    """Expected cost and CVaR of the payables' landed cost on ``inputs``' FX paths at the given cover ratios per
    (currency, first period, last period); buckets not named stay uncovered."""
    return portfolio_outcome(
        inputs.payables,
        inputs.currencies,
        inputs.fx,
        inputs.forward,
        inputs.cover_cost,
        ratios,
        level=inputs.level,
        bucket_periods=inputs.bucket_periods,
        base_currency=inputs.base_currency,
    )


def _spot(model: SupplyModel, currency: str) -> float:
    if model.fx_history is None:
        raise SupplyInputError(f"no fx_rates imported, but payables are in {currency}; import fx_rates")
    return model.fx_history.spot(currency)


def ratios_of(plan: FxCoverPlan, choice: CoverChoice) -> dict[tuple[str, int, int], float]:
    """Cover ratio per (currency, first period, last period) of a choice applied to every bucket."""
    value = {CoverChoice.NONE: 0.0, CoverChoice.FULL: 1.0}
    return {(b.currency, b.first_period, b.last_period): value.get(choice, b.cover_ratio) for b in plan.buckets}
