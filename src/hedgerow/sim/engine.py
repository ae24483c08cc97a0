"""The replay: period by period, a policy decides on what it can see, then the recorded world happens.

Each simulated period ``t`` runs, vectorised over item-locations:

1. the policy gets a :class:`~hedgerow.sim.history.HistoryView` of the past (and of the signals observed by the
   period's decision moment, :mod:`hedgerow.sim.signals`) and returns its orders;
2. goods due at ``t`` arrive (``on_hand += arrivals``);
3. orders ship: a lane carries ``order × capacity_factor`` (the rest is cancelled); a DC ships what the lanes
   to the item-locations it supplies would carry, scaled down in proportion when its stock cannot cover them all
   (unfilled requests are cancelled and the store re-plans next period; a DC serves its stores before its own
   customers). Goods with a lead time of 0 periods arrive at
   once; the others join the pipeline and arrive at ``t + lead_periods(realised transit of the lane at t)``;
4. bundles are assembled to order: each bundle's demand (and, with backorders, what it owes) takes ``bom_qty``
   units of every component, as far as the scarcest component allows (bundles in a fixed order, each before the
   components' own customers);
5. customer demand is served from stock; the rest is lost or backordered (:class:`UnmetDemand`);
6. costs: holding on the stock left at the end of the period, the shortage penalty on lost units (or on every
   unit still owed), transport on the units shipped (see :mod:`hedgerow.sim.costs`).

Stock balance holds for every item-location and period:
``on_hand_end = on_hand_start + arrivals − shipped_out − consumed − sales`` (consumed = taken into bundles) and
``on_order_end = on_order_start + shipped_in − arrivals``; a test checks it for every policy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from hedgerow.sim.costs import CostArrays, cost_arrays
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, UnmetDemand, lead_periods

if TYPE_CHECKING:
    from hedgerow.sim.policies.base import Policy


@dataclass(frozen=True)
class ApprovalRule:
    """When an order needs a person: its value (units × unit cost, base currency) exceeds this amount.

    ``[approval] auto_approve_max_value`` of hedgerow.toml; the default 0 sends every order to a person, which is
    what an ERP's planned-order release amounts to.
    """

    auto_approve_max_value: float = 0.0


@dataclass(frozen=True)
class SimRun:
    """The full trajectory of one policy over the simulated periods. Arrays are [il, S], S = simulated periods.

    Attributes
    ----------
    policy, settings:
        The policy's name and stated settings.
    unmet:
        Lost sales or backorders.
    start:
        Absolute index of the first simulated period.
    demand:
        Customer demand, units.
    requests:
        Units requested by the item-locations this one supplies, and by the bundles it is a component of.
    orders:
        Units this item-location ordered (all lane options), before any cancellation.
    shipped_in:
        Units actually shipped to this item-location in the period.
    arrivals:
        Units that arrived in the period (shipped earlier, or now with a lead time of 0).
    shipped_out:
        Units this item-location shipped to the item-locations it supplies.
    consumed:
        Units of this component taken into bundles sold at its location.
    sales:
        Units handed to customers (with backorders, owed units served late included).
    filled:
        Units of the period's demand served from stock at once.
    unmet_units:
        Units of the period's demand not served at once (lost, or backordered).
    backlog:
        Units owed to customers at the end of the period.
    on_hand_start, on_hand:
        Units on hand at the start (before arrivals) and at the end of the period.
    on_order_start, on_order:
        Units in transit to the item-location at the start and at the end of the period.
    holding_cost, shortage_cost, transport_cost:
        Cost of the period in the base currency.
    actions:
        Number of orders placed (one per lane option with a positive quantity).
    approvals:
        How many of those a person had to approve.
    """

    policy: str
    settings: dict[str, object]
    unmet: UnmetDemand
    start: int
    demand: np.ndarray
    requests: np.ndarray
    orders: np.ndarray
    shipped_in: np.ndarray
    arrivals: np.ndarray
    shipped_out: np.ndarray
    consumed: np.ndarray
    sales: np.ndarray
    filled: np.ndarray
    unmet_units: np.ndarray
    backlog: np.ndarray
    on_hand_start: np.ndarray
    on_hand: np.ndarray
    on_order_start: np.ndarray
    on_order: np.ndarray
    holding_cost: np.ndarray
    shortage_cost: np.ndarray
    transport_cost: np.ndarray
    actions: np.ndarray
    approvals: np.ndarray
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        """Holding + shortage + transport over all item-locations and periods, base currency."""
        return float(self.holding_cost.sum() + self.shortage_cost.sum() + self.transport_cost.sum())

    @property
    def cost_per_il(self) -> np.ndarray:
        """[il] total cost of each item-location, base currency."""
        return np.asarray(self.holding_cost.sum(1) + self.shortage_cost.sum(1) + self.transport_cost.sum(1))

    @property
    def period_cost(self) -> np.ndarray:
        """[S] total cost of the network in each period, base currency."""
        return np.asarray(self.holding_cost.sum(0) + self.shortage_cost.sum(0) + self.transport_cost.sum(0))


class PolicyError(ValueError):
    """A policy returned an order that is not a valid decision (a bug in the policy, not in the data)."""


def warmup_demand_seen(inputs: SimInputs) -> np.ndarray:
    """[il, start] demand each item-location saw during the warm-up: its customers' demand, what the bundles it
    goes into asked of it, and for a DC the demand seen by every item-location below it (a pass-through
    approximation of their requests)."""
    agg = inputs.demand[:, : inputs.start].astype(np.float64, copy=True)
    if inputs.bom_bundle.size:
        np.add.at(agg, inputs.bom_component, inputs.bom_qty[:, None] * inputs.demand[inputs.bom_bundle, : inputs.start])
    echelon = inputs.echelon
    for level in range(int(echelon.max(initial=0)) + 1):
        kids = np.flatnonzero((echelon == level) & (inputs.parent >= 0))
        if kids.size:
            np.add.at(agg, inputs.parent[kids], agg[kids])
    return agg


def warmup_lead_times(inputs: SimInputs, lt_lane: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """([il] sum, [il] sum of squares, [il] count) of the lead times (periods) each item-location saw arrive during
    the warm-up: one shipment per warm-up period on its primary lane, counted when it arrived before the replay
    starts. A policy starts the replay knowing its lanes' record (as a planner knows the shipment history), not
    learning lateness from its first late trucks. ``lt_lane`` [lane, T] is the lanes' lead time in periods."""
    n = inputs.n_il
    total, squares, count = np.zeros(n), np.zeros(n), np.zeros(n)
    primary = inputs.lane_options[:, 0] if inputs.lane_options.size else np.full(n, -1)
    rows = np.flatnonzero(primary >= 0)
    if rows.size == 0 or inputs.start == 0:
        return total, squares, count
    lt = lt_lane[primary[rows], : inputs.start].astype(np.float64)  # [rows, start]
    seen = np.arange(inputs.start)[None, :] + lt <= inputs.start - 1
    total[rows] = np.where(seen, lt, 0.0).sum(axis=1)
    squares[rows] = np.where(seen, lt**2, 0.0).sum(axis=1)
    count[rows] = seen.sum(axis=1)
    return total, squares, count


class _Replay:
    """Mutable state of one replay; :func:`simulate` is its only user."""

    def __init__(self, inputs: SimInputs, unmet: UnmetDemand, costs: CostArrays) -> None:
        self.inp = inputs
        self.unmet = unmet
        self.costs = costs
        n, horizon = inputs.n_il, inputs.n_periods
        self.n = n
        opts = inputs.lane_options
        self.valid = opts >= 0
        self.lane = np.where(self.valid, opts, 0)
        self.k = opts.shape[1]
        self.lt_lane = lead_periods(inputs.lane_lead_time_days, inputs.period_days)
        nominal = lead_periods(inputs.lane_nominal_days, inputs.period_days)
        self.nominal_lead = np.where(self.valid, nominal[self.lane], -1)
        pipe = inputs.initial_pipeline
        span = horizon + int(self.lt_lane.max(initial=0)) + pipe.shape[1] + 1
        self.sched = np.zeros((n, span))
        self.sched[:, inputs.start : inputs.start + pipe.shape[1]] = pipe
        self.lt_sum = np.zeros((n, span))
        self.lt_sq = np.zeros((n, span))
        self.lt_cnt = np.zeros((n, span))
        self.obs_sum, self.obs_sq, self.obs_cnt = warmup_lead_times(inputs, self.lt_lane)
        self.on_hand = inputs.initial_on_hand.astype(np.float64, copy=True)
        self.on_order = pipe.sum(axis=1).astype(np.float64)
        self.backlog = np.zeros(n)
        self.seen = np.full((n, horizon), np.nan)
        self.seen[:, : inputs.start] = warmup_demand_seen(inputs)
        echelon = inputs.echelon
        self.echelon = echelon
        self.roots = np.flatnonzero((inputs.parent < 0) & ~inputs.assembled)
        self.kits = [
            (int(b), inputs.bom_component[inputs.bom_bundle == b], inputs.bom_qty[inputs.bom_bundle == b])
            for b in np.unique(inputs.bom_bundle)
        ]
        self.assembled = inputs.assembled
        self.kit_rows = np.array([b for b, _c, _q in self.kits], dtype=np.int64)
        parent_echelon = np.where(inputs.parent >= 0, echelon[np.maximum(inputs.parent, 0)], -1)
        self.levels = [np.flatnonzero(parent_echelon == level) for level in range(int(echelon.max(initial=0)), 0, -1)]
        s = inputs.n_simulated
        self.rec = {
            name: np.zeros((n, s))
            for name in (
                "demand",
                "requests",
                "orders",
                "shipped_in",
                "arrivals",
                "shipped_out",
                "consumed",
                "sales",
                "filled",
                "unmet_units",
                "backlog",
                "on_hand_start",
                "on_hand",
                "on_order_start",
                "on_order",
                "holding_cost",
                "shortage_cost",
                "transport_cost",
                "actions",
                "approvals",
            )
        }

    def view(self, t: int) -> HistoryView:
        inp, c = self.inp, self.costs
        j = t - inp.start
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(self.obs_cnt > 0, self.obs_sum / self.obs_cnt, self.nominal_lead[:, 0])
            var = np.where(self.obs_cnt > 1, self.obs_sq / self.obs_cnt - mean**2, 0.0)
        transport = np.where(self.valid, c.transport[self.lane, t], np.nan)
        upto = min(inp.n_periods, t + 1 + inp.driver_lookahead)
        return HistoryView(
            t=t,
            start=inp.start,
            period_days=inp.period_days,
            demand=self.seen[:, :t],
            orders=self.rec["orders"][:, :j],
            on_hand=self.on_hand.copy(),
            on_order=self.on_order.copy(),
            backlog=self.backlog.copy(),
            lead_time_mean=mean,
            lead_time_std=np.sqrt(np.maximum(var, 0.0)),
            lead_time_count=self.obs_cnt.copy(),
            nominal_lead=self.nominal_lead,
            unit_cost=c.unit_cost[:, t],
            unit_price=c.unit_price[:, t],
            unit_margin=c.unit_margin[:, t],
            holding=c.holding[:, t],
            shortage=c.shortage[:, t],
            transport=transport,
            item_class=inp.item_class,
            parent=inp.parent,
            echelon=self.echelon,
            assembled=self.assembled,
            unmet=self.unmet,
            known_ahead={name: arr[:, :upto] for name, arr in inp.drivers.items()},
            signals=inp.signals.visible_at(inp.decision_moment(t)) if len(inp.signals) else None,
        )

    def check(self, decision: Decision, policy: str) -> np.ndarray:
        qty = np.asarray(decision.qty, dtype=np.float64)
        if qty.shape != (self.n, self.k):
            raise PolicyError(f"policy {policy!r} returned orders of shape {qty.shape}; expected {(self.n, self.k)}")
        if not np.all(np.isfinite(qty)) or (qty.size and float(qty.min()) < 0):
            raise PolicyError(f"policy {policy!r} returned a negative or non-finite order quantity")
        if np.any(qty[~self.valid] > 0):
            raise PolicyError(f"policy {policy!r} ordered on a lane option the item-location does not have")
        return qty

    def schedule(self, rows: np.ndarray, ship: np.ndarray, t: int, j: int) -> None:
        """Send ``ship`` [rows, K] units shipped at ``t`` on their lanes."""
        lt = self.lt_lane[self.lane[rows], t]
        now = (lt == 0) & (ship > 0)
        immediate = np.where(now, ship, 0.0).sum(axis=1)
        self.on_hand[rows] += immediate
        self.rec["arrivals"][rows, j] += immediate
        self.rec["shipped_in"][rows, j] += ship.sum(axis=1)
        unit = np.where(self.valid[rows], self.costs.transport[self.lane[rows], t], 0.0)
        self.rec["transport_cost"][rows, j] += (ship * unit).sum(axis=1)
        self.obs_cnt[rows] += now.sum(axis=1)  # a lead time of 0 observed at once
        later = (lt > 0) & (ship > 0)
        if later.any():
            r, kk = np.nonzero(later)
            rr, due, qty, lt_r = rows[r], t + lt[r, kk], ship[r, kk], lt[r, kk].astype(np.float64)
            np.add.at(self.sched, (rr, due), qty)
            np.add.at(self.lt_sum, (rr, due), lt_r)
            np.add.at(self.lt_sq, (rr, due), lt_r**2)
            np.add.at(self.lt_cnt, (rr, due), 1.0)
            np.add.at(self.on_order, rr, qty)

    def assemble(self, d: np.ndarray, requests: np.ndarray, j: int) -> np.ndarray:
        """Assemble each bundle's demand (and backlog) from its components' stock; returns kits made [il]."""
        made = np.zeros(self.n)
        backorder = self.unmet is UnmetDemand.BACKORDER
        for b, comps, qty in self.kits:
            need = d[b] + (self.backlog[b] if backorder else 0.0)
            requests[comps] += qty * d[b]
            can = float(np.min(self.on_hand[comps] / qty))
            k = min(need, max(can, 0.0))
            take = k * qty
            self.on_hand[comps] -= take
            self.rec["consumed"][comps, j] += take
            made[b] = k
        return made

    def step(self, t: int, qty: np.ndarray, decision: Decision, approval: ApprovalRule) -> None:
        inp, c, rec = self.inp, self.costs, self.rec
        j = t - inp.start
        rec["on_hand_start"][:, j] = self.on_hand
        rec["on_order_start"][:, j] = self.on_order
        rec["orders"][:, j] = qty.sum(axis=1)
        # 2. arrivals
        arr = self.sched[:, t]
        self.on_hand += arr
        self.on_order -= arr
        rec["arrivals"][:, j] += arr
        self.obs_sum += self.lt_sum[:, t]
        self.obs_sq += self.lt_sq[:, t]
        self.obs_cnt += self.lt_cnt[:, t]
        # 3. shipping: supplier lanes first, then each DC level from the top down
        cap = inp.lane_capacity_factor[self.lane, t]
        roots = self.roots
        self.schedule(roots, qty[roots] * cap[roots], t, j)
        requests = np.zeros(self.n)
        for kids in self.levels:
            parents = inp.parent[kids]
            requests += np.bincount(parents, weights=qty[kids].sum(axis=1), minlength=self.n)
            want = qty[kids] * cap[kids]  # what the lanes would carry
            total = np.bincount(parents, weights=want.sum(axis=1), minlength=self.n)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(total > 0, np.minimum(1.0, self.on_hand / total), 1.0)
            ship = want * ratio[parents][:, None]
            out = np.bincount(parents, weights=ship.sum(axis=1), minlength=self.n)
            self.on_hand -= out
            rec["shipped_out"][:, j] += out
            self.schedule(kids, ship, t, j)
        np.maximum(self.on_hand, 0.0, out=self.on_hand)  # rounding dust of the proportional split
        # 4. bundles, assembled to order from their components
        d = inp.demand[:, t]
        kit_sales = self.assemble(d, requests, j)
        # 5. customer demand
        backlog_before = self.backlog.copy()
        if self.unmet is UnmetDemand.LOST:
            sales = np.minimum(self.on_hand, d)
            filled = sales
            unmet = d - sales
        else:
            free = np.maximum(self.on_hand - self.backlog, 0.0)
            filled = np.minimum(free, d)
            need = self.backlog + d
            sales = np.minimum(self.on_hand, need)
            self.backlog = need - sales
            unmet = d - filled
        if self.kits:
            kits = self.kit_rows
            k = kit_sales[kits]
            sales[kits] = k
            if self.unmet is UnmetDemand.LOST:
                filled[kits] = k
                unmet[kits] = d[kits] - k
            else:
                filled[kits] = np.minimum(d[kits], np.maximum(k - backlog_before[kits], 0.0))
                self.backlog[kits] = backlog_before[kits] + d[kits] - k
                unmet[kits] = d[kits] - filled[kits]
        self.on_hand -= np.where(self.assembled, 0.0, sales)
        self.seen[:, t] = d + requests
        rec["demand"][:, j] = d
        rec["requests"][:, j] = requests
        rec["sales"][:, j] = sales
        rec["filled"][:, j] = filled
        rec["unmet_units"][:, j] = unmet
        rec["backlog"][:, j] = self.backlog
        rec["on_hand"][:, j] = self.on_hand
        rec["on_order"][:, j] = self.on_order
        # 6. costs and actions
        rec["holding_cost"][:, j] = c.holding[:, t] * self.on_hand
        short_units = unmet if self.unmet is UnmetDemand.LOST else self.backlog
        rec["shortage_cost"][:, j] = c.shortage[:, t] * short_units
        placed = qty > 0
        rec["actions"][:, j] = placed.sum(axis=1)
        if decision.needs_approval is not None:
            needs = np.asarray(decision.needs_approval, dtype=bool) & placed
        else:
            needs = placed & (qty * c.unit_cost[:, t, None] > approval.auto_approve_max_value)
        rec["approvals"][:, j] = needs.sum(axis=1)


def simulate(
    inputs: SimInputs,
    policy: Policy,
    *,
    unmet: UnmetDemand = UnmetDemand.LOST,
    approval: ApprovalRule | None = None,
    costs: CostArrays | None = None,
    on_period: Callable[[int, int], None] | None = None,
) -> SimRun:
    """Replay the simulated periods of ``inputs`` under ``policy``.

    Parameters
    ----------
    inputs:
        The recorded world (demand, lead times, FX) and the network.
    policy:
        Decides each period from a :class:`~hedgerow.sim.history.HistoryView` of the past only.
    unmet:
        Whether unmet demand is lost or backordered.
    approval:
        Which orders need a person (default: every order).
    costs:
        Precomputed :func:`~hedgerow.sim.costs.cost_arrays` of ``inputs`` (computed when None).
    on_period:
        Called as ``on_period(done, total)`` after each simulated period (progress of a long replay).

    Returns
    -------
    SimRun
        Every flow, stock and cost of every item-location and simulated period.
    """
    approval = approval or ApprovalRule()
    costs = costs or cost_arrays(inputs)
    replay = _Replay(inputs, unmet, costs)
    policy.reset()
    total = inputs.n_periods - inputs.start
    for t in range(inputs.start, inputs.n_periods):
        decision = policy.decide(replay.view(t))
        qty = replay.check(decision, policy.name)
        replay.step(t, qty, decision, approval)
        if on_period is not None:
            on_period(t - inputs.start + 1, total)
    rec = replay.rec
    return SimRun(
        policy=policy.name,
        settings=policy.settings(),
        unmet=unmet,
        start=inputs.start,
        demand=rec["demand"],
        requests=rec["requests"],
        orders=rec["orders"],
        shipped_in=rec["shipped_in"],
        arrivals=rec["arrivals"],
        shipped_out=rec["shipped_out"],
        consumed=rec["consumed"],
        sales=rec["sales"],
        filled=rec["filled"],
        unmet_units=rec["unmet_units"],
        backlog=rec["backlog"],
        on_hand_start=rec["on_hand_start"],
        on_hand=rec["on_hand"],
        on_order_start=rec["on_order_start"],
        on_order=rec["on_order"],
        holding_cost=rec["holding_cost"],
        shortage_cost=rec["shortage_cost"],
        transport_cost=rec["transport_cost"],
        actions=rec["actions"],
        approvals=rec["approvals"],
    )
