"""`hedgerow scoreboard`: score every decision in hindsight, per planner and per reason category.

A decision is scored once actual demand covers its window (``approval.hindsight_window_periods`` periods from
the first period starting on or after the decision day). Its recommended and its decided action are replayed
through the same realised demand, stock and receipts (:mod:`hedgerow.decide.scoring`): rejected means nothing
was done, approved means the recommendation as proposed, modified means the changed quantity, mode or
destination. Receipts are shipments already under way at the decision (shipped before it) delivered in the
window; later shipments are left out because they may be the decisions themselves.

Holds are scored too (:func:`hedgerow.decide.scoring.score_hold`): from the first period starting on or after the
hold was made, over its span (to its expiry or release) and at most the same window, the item-location's flow
with the held units on hand against the flow without them: the lost sales they avoided less what carrying them
cost. Their sum is the hindsight cost (negative) or benefit of the buffers people kept: the cost of distrust.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from hedgerow.decide.lifecycle import HUMAN_DECISIONS
from hedgerow.decide.reconcile import unit_values_base
from hedgerow.decide.scoring import (
    DecisionScore,
    FlowContext,
    HoldScore,
    Move,
    Option,
    aggregate,
    arrival_period,
    score_decision,
    score_hold,
)
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import TableName
from hedgerow.errors import HedgerowError
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import DecisionRow, HoldRow, RecommendationRow, as_utc


@dataclass(frozen=True)
class Scoreboard:
    """Scored decisions, their sums per planner and per reason category, and what cannot be scored yet."""

    base_currency: str
    window_periods: int
    scores: tuple[DecisionScore, ...]
    per_planner: pd.DataFrame
    per_reason: pd.DataFrame
    pending: tuple[tuple[str, str], ...]
    holds: tuple[HoldScore, ...] = ()
    holds_pending: tuple[tuple[str, str], ...] = ()

    @property
    def holds_value_base(self) -> float:
        """What the scored holds saved less what they cost together (negative: the cost of distrust)."""
        return sum(h.value_base for h in self.holds)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def table(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {str(frame.index.name or "key"): str(k), **{str(c): _plain(v) for c, v in row.items()}}
                for k, row in frame.iterrows()
            ]

        return {
            "base_currency": self.base_currency,
            "window_periods": self.window_periods,
            "per_planner": table(self.per_planner),
            "per_reason": table(self.per_reason),
            "decisions": [
                {
                    "recommendation_id": s.recommendation_id,
                    "decided_by": s.decided_by,
                    "decision": s.decision,
                    "reason_category": s.reason_category,
                    "auto": s.auto,
                    "recommended_cost_base": s.recommended_cost_base,
                    "decided_cost_base": s.decided_cost_base,
                    "value_added_base": s.value_added_base,
                }
                for s in self.scores
            ],
            "pending": [{"recommendation_id": r, "why": w} for r, w in self.pending],
            "holds_value_base": self.holds_value_base,
            "holds": [
                {
                    "hold_id": h.hold_id,
                    "item_id": h.item_id,
                    "location_id": h.location_id,
                    "owner": h.owner,
                    "held_units": h.held_units,
                    "periods": h.periods,
                    "carrying_base": h.carrying_base,
                    "lost_units_avoided": h.lost_units_avoided,
                    "lost_sales_avoided_base": h.lost_sales_avoided_base,
                    "value_base": h.value_base,
                }
                for h in self.holds
            ],
            "holds_pending": [{"hold_id": h, "why": w} for h, w in self.holds_pending],
        }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class _Data:
    """The workspace's current tables, indexed for building flow contexts."""

    def __init__(self, ws: Workspace) -> None:
        frames = ws.current_frames()
        self.settings = ws.settings
        self.period_days = ws.settings.workspace.period.days
        self.base = ws.settings.workspace.base_currency
        need = [TableName.DEMAND, TableName.INVENTORY, TableName.ITEMS, TableName.LOCATIONS, TableName.LANES]
        missing = [t.value for t in need if t not in frames]
        if missing:
            raise HedgerowError(f"the scoreboard needs the tables {', '.join(missing)}; import them first")
        self.demand = frames[TableName.DEMAND]
        self.demand_period = pd.to_datetime(self.demand["period_start"])
        self.inventory = frames[TableName.INVENTORY].assign(counted_at=lambda f: pd.to_datetime(f["counted_at"]))
        self.items = frames[TableName.ITEMS].set_index("item_id")
        self.locations = frames[TableName.LOCATIONS].set_index("location_id")
        self.lanes = frames[TableName.LANES].set_index("lane_id")
        self.prices = frames.get(TableName.ITEM_LOCATIONS)
        self.shipments = frames.get(TableName.SHIPMENTS)
        self.fx = frames.get(TableName.FX_RATES)

    def rate(self, currency: str, at: pd.Timestamp) -> float:
        if currency == self.base:
            return 1.0
        if self.fx is not None:
            fx = self.fx[(self.fx["currency"] == currency) & (pd.to_datetime(self.fx["date"]) <= at)]
            if not fx.empty:
                return float(fx.sort_values("date")["units_per_base"].iloc[-1])
        raise HedgerowError(f"no FX rate for {currency} on or before {at.date()}; import fx_rates")

    def window(self, decided_at: datetime, until: date | None = None) -> pd.DatetimeIndex | None:
        """The scoring window's periods from the first starting on or after ``decided_at``, cut after the period
        holding ``until`` (a hold's last day); None while actual demand does not cover it."""
        day = pd.Timestamp(decided_at.date())
        later = self.demand_period[self.demand_period >= day]
        if later.empty:
            return None
        start = later.min()
        periods = pd.date_range(
            start, periods=self.settings.approval.hindsight_window_periods, freq=f"{self.period_days}D"
        )
        if until is not None:
            periods = periods[periods <= pd.Timestamp(until)]
            if periods.empty:  # ended before the first whole period: score that one period
                periods = pd.DatetimeIndex([start])
        return periods if self.demand_period.max() >= periods[-1] else None

    def context(
        self, item: str, loc: str, t: pd.Timestamp, periods: pd.DatetimeIndex, eta_of: str | None
    ) -> FlowContext | None:
        counts = self.inventory[(self.inventory["item_id"] == item) & (self.inventory["location_id"] == loc)]
        counts = counts[counts["counted_at"] <= t.tz_localize(None)]
        if counts.empty or loc not in self.locations.index:
            return None
        start = float(counts.sort_values("counted_at")["on_hand"].iloc[-1])
        d = self.demand[(self.demand["item_id"] == item) & (self.demand["location_id"] == loc)]
        by_period = d.assign(p=pd.to_datetime(d["period_start"])).groupby("p")["qty"].sum()
        demand = np.array([float(by_period.get(p, 0.0)) for p in periods])
        receipts = np.zeros(len(periods))
        if self.shipments is not None:
            s = self.shipments.merge(self.lanes[["destination_id"]], left_on="lane_id", right_index=True)
            s = s[
                (s["item_id"] == item)
                & (s["destination_id"] == loc)
                & (pd.to_datetime(s["ship_date"]) < t.tz_localize(None).normalize())
            ]
            for row in s.to_dict("records"):
                when = row["eta_date"] if row["shipment_id"] == eta_of else row["delivered_date"]
                if when is None or pd.isna(when):
                    continue
                k = self.period_index(pd.Timestamp(when), periods)
                if k is not None:
                    receipts[k] += float(row["qty"])
        unit_value = unit_values_base(self.items.reset_index(), self.fx, self.base, t.tz_localize(None))[item]
        rate_year = (
            float(self.locations["holding_cost_rate_per_year"].astype(float)[loc])
            + self.settings.finance.cost_of_capital_per_year
        )
        item_class = str(self.items.loc[item, "item_class"])
        price = unit_value
        if self.prices is not None:
            p = self.prices[(self.prices["item_id"] == item) & (self.prices["location_id"] == loc)]
            if not p.empty:
                price = float(p["unit_price"].iloc[0]) / self.rate(
                    str(p["price_currency"].iloc[0]), t.tz_localize(None)
                )
        margin = max(0.0, price - unit_value)
        lost = margin * (1.0 + self.settings.goodwill_multiplier(item_class)) if margin > 0 else unit_value
        return FlowContext(start, demand, receipts, unit_value, rate_year * self.period_days / 365.0, lost)

    def period_index(self, when: pd.Timestamp, periods: pd.DatetimeIndex) -> int | None:
        if when > periods[-1] + timedelta(days=self.period_days - 1):
            return None
        k = int((when - periods[0]).days // self.period_days)
        return max(0, k)

    def lane(self, lane_id: str | None, at: pd.Timestamp) -> tuple[float, float]:
        """(transit days, transport cost per unit in base currency) of a lane."""
        if lane_id is None or lane_id not in self.lanes.index:
            return 0.0, 0.0
        lane = self.lanes.loc[lane_id]
        transit = lane.get("transit_days")
        transit_days = 0.0 if transit is None or pd.isna(transit) else float(transit)
        return transit_days, float(lane["cost_per_unit"]) / self.rate(str(lane["cost_currency"]), at)


def _option(
    data: _Data,
    kind: ActionKind,
    qty: float,
    origin: str | None,
    destination: str,
    lane_id: str | None,
    shipment_id: str | None,
    contexts: dict[str, FlowContext],
    periods: pd.DatetimeIndex,
    t: pd.Timestamp,
) -> Option:
    transit, unit_transport = data.lane(lane_id, t.tz_localize(None))
    arrive = arrival_period(transit, data.period_days)
    if kind is ActionKind.ORDER:
        return Option((Move(destination, arrive, qty),), qty * unit_transport)
    if kind is ActionKind.TRANSFER and origin is not None and origin in contexts:
        shipped = min(qty, contexts[origin].start_on_hand)
        return Option((Move(origin, 0, -shipped), Move(destination, arrive, shipped)), shipped * unit_transport)
    if kind is ActionKind.EXPEDITE and shipment_id is not None and data.shipments is not None:
        rows = data.shipments[data.shipments["shipment_id"] == shipment_id]
        if not rows.empty and not pd.isna(rows["eta_date"].iloc[0]):
            k = data.period_index(pd.Timestamp(rows["eta_date"].iloc[0]), periods)
            moves = [Move(destination, arrive, qty)]
            if k is not None:
                moves.append(Move(destination, k, -qty))
            return Option(tuple(moves), qty * unit_transport)
    return Option()


def build_scoreboard(ws: Workspace) -> Scoreboard:
    """Score every decided recommendation whose window actual demand covers.

    Raises
    ------
    HedgerowError
        When demand, inventory, items, locations or lanes have not been imported.
    """
    data = _Data(ws)
    with ws.session() as session:
        rows = (
            session.execute(
                select(RecommendationRow)
                .where(RecommendationRow.decided_at.is_not(None))
                .order_by(RecommendationRow.id)
            )
            .scalars()
            .all()
        )
        decisions = {
            d.recommendation_id: d
            for d in session.execute(
                select(DecisionRow)
                .where(DecisionRow.kind.in_([k.value for k in HUMAN_DECISIONS]))
                .order_by(DecisionRow.id)
            ).scalars()
        }
    scores: list[DecisionScore] = []
    pending: list[tuple[str, str]] = []
    for r in rows:
        d = decisions.get(r.id)
        if d is None or r.decided_at is None:
            continue
        decided_at = as_utc(r.decided_at)
        periods = data.window(decided_at)
        if periods is None:
            pending.append((r.id, "actual demand does not cover the scoring window yet"))
            continue
        t = pd.Timestamp(decided_at)
        kind = ActionKind(r.kind)
        destination = r.decided_location_id or r.location_id
        eta_of = r.shipment_id if kind is ActionKind.EXPEDITE else None
        wanted = {r.location_id, destination} | (
            {r.origin_id} if r.origin_id and r.origin_id in data.locations.index else set()
        )
        contexts: dict[str, FlowContext] = {}
        for loc in sorted(wanted):
            ctx = data.context(r.item_id, loc, t, periods, eta_of)
            if ctx is not None:
                contexts[loc] = ctx
        if set(wanted) - set(contexts):
            pending.append(
                (r.id, f"no inventory count before the decision at {', '.join(sorted(set(wanted) - set(contexts)))}")
            )
            continue
        recommended = _option(
            data, kind, r.qty, r.origin_id, r.location_id, r.lane_id, r.shipment_id, contexts, periods, t
        )
        if d.kind == "reject":
            decided = Option()
        elif d.kind == "modify":
            qty = r.decided_qty if r.decided_qty is not None else r.qty
            decided = _option(
                data,
                kind,
                qty,
                r.origin_id,
                destination,
                r.decided_lane_id or r.lane_id,
                r.shipment_id,
                contexts,
                periods,
                t,
            )
        else:
            decided = recommended
        scores.append(
            score_decision(
                recommended,
                decided,
                contexts,
                recommendation_id=r.id,
                decided_by=d.user_name,
                decision=d.kind,
                reason_category=d.reason_category,
                auto=d.auto,
            )
        )
    holds, holds_pending = _score_holds(ws, data)
    return Scoreboard(
        base_currency=data.base,
        window_periods=ws.settings.approval.hindsight_window_periods,
        scores=tuple(scores),
        per_planner=aggregate(scores, "decided_by"),
        per_reason=aggregate(scores, "reason_category"),
        pending=tuple(pending),
        holds=holds,
        holds_pending=holds_pending,
    )


def _score_holds(ws: Workspace, data: _Data) -> tuple[tuple[HoldScore, ...], tuple[tuple[str, str], ...]]:
    """Every hold's hindsight score (module docstring), and the holds that cannot be scored yet, with why."""
    with ws.session() as session:
        rows = session.execute(select(HoldRow).order_by(HoldRow.created_at, HoldRow.id)).scalars().all()
    scored: list[HoldScore] = []
    pending: list[tuple[str, str]] = []
    for h in rows:
        made = as_utc(h.created_at)
        last = h.expires_on
        if h.released_at is not None:
            last = min(last, as_utc(h.released_at).date())
        periods = data.window(made, until=last)
        if periods is None:
            pending.append((h.id, "actual demand does not cover the hold's span yet"))
            continue
        ctx = data.context(h.item_id, h.location_id, pd.Timestamp(made), periods, None)
        if ctx is None:
            pending.append((h.id, f"no inventory count of {h.item_id} at {h.location_id} before the hold"))
            continue
        scored.append(
            score_hold(ctx, float(h.qty), hold_id=h.id, item_id=h.item_id, location_id=h.location_id, owner=h.owner)
        )
    return tuple(scored), tuple(pending)
