"""The figures a backtest reports for each policy: cost, service, capital, bullwhip, tail risk, approvals.

Definitions (all over the simulated periods; money in the base currency):

- **total cost** = holding + shortage penalty + transport (see :mod:`hedgerow.sim.costs`);
- **fill rate** = units of customer demand served at once / units demanded; per item class too;
- **cycle service level** = share of (customer-facing item-location, period) pairs with no unit short;
- **lost revenue** = units lost × selling price (lost sales only; with backorders nothing is lost, and units still
  owed at the end are reported as ``backlog_end_units``);
- **bundle fill rate** = units of bundle demand served at once / units of bundle demand; bundles are assembled to
  order from their components' stock, so it falls whenever a component (a cable) runs short;
- **capital tied up** = mean over periods of Σ on-hand units × unit cost (pipeline reported apart);
- **bullwhip** per echelon = Σ Var(orders) / Σ Var(demand seen) over the echelon's item-locations that order
  (demand seen = customer demand + requests from below + what bundles took; bundles, which order nothing, are left
  out); **vs consumer** = Σ_items Var(echelon's orders of the item) /
  Σ_items Var(customer demand of the item) — the amplification from the shelf to that echelon
  (Lee, Padmanabhan & Whang (1997), *Management Science* 43(4));
- **CVaR** of the period cost at level α = mean of the worst (1 − α) share of periods (fractional at the edge;
  Rockafellar & Uryasev (2002));
- **actions** = orders placed; **approvals** = those a person had to approve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.sim.costs import CostArrays
from hedgerow.sim.engine import SimRun
from hedgerow.sim.inputs import SimInputs, UnmetDemand

_EPS = 1e-9


@dataclass(frozen=True)
class ClassService:
    """Service of one item class."""

    item_class: str
    demand_units: float
    fill_rate: float
    cycle_service_level: float
    unmet_units: float
    lost_revenue: float


@dataclass(frozen=True)
class EchelonBullwhip:
    """Order amplification at one echelon (0 = customer-facing)."""

    echelon: int
    item_locations: int
    bullwhip: float
    bullwhip_vs_consumer: float


@dataclass(frozen=True)
class PeriodSeries:
    """Network totals per simulated period, for plots."""

    period_start: tuple[str, ...]
    inventory_value: tuple[float, ...]
    fill_rate: tuple[float, ...]
    cost: tuple[float, ...]
    unmet_units: tuple[float, ...]
    orders_units: tuple[float, ...]


@dataclass(frozen=True)
class PolicyMetrics:
    """Every figure of one policy's run."""

    policy: str
    settings: dict[str, object]
    total_cost: float
    holding_cost: float
    shortage_cost: float
    transport_cost: float
    fill_rate: float
    cycle_service_level: float
    by_class: tuple[ClassService, ...]
    demand_units: float
    unmet_units: float
    lost_revenue: float
    backlog_end_units: float
    bundle_fill_rate: float | None
    capital_tied_up: float
    pipeline_value: float
    bullwhip: tuple[EchelonBullwhip, ...]
    mean_period_cost: float
    cvar_period_cost: float
    cvar_level: float
    actions: int
    approvals: int
    series: PeriodSeries


def cvar(values: np.ndarray, level: float) -> float:
    """Conditional value at risk: mean of the worst ``1 − level`` share of ``values`` (higher = worse).

    The boundary value enters with the fraction that makes the tail mass exactly ``(1 − level)·n``.
    """
    if not 0.0 <= level < 1.0:
        raise ValueError(f"CVaR level must lie in [0, 1), got {level}")
    x = np.sort(np.asarray(values, dtype=np.float64))[::-1]
    if x.size == 0:
        return float("nan")
    mass = (1.0 - level) * x.size
    whole = int(np.floor(mass + _EPS))
    part = mass - whole
    total = x[:whole].sum() + (x[whole] * part if whole < x.size and part > _EPS else 0.0)
    return float(total / mass)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > _EPS else float("nan")


def _bundle_fill_rate(inputs: SimInputs, run: SimRun) -> float | None:
    kits = np.unique(inputs.bom_bundle)
    demand = float(run.demand[kits].sum()) if kits.size else 0.0
    return _ratio(float(run.filled[kits].sum()), demand) if demand > _EPS else None


def _bullwhip(inputs: SimInputs, run: SimRun) -> tuple[EchelonBullwhip, ...]:
    echelon = inputs.echelon
    seen = run.demand + run.requests
    items = np.unique(np.asarray(inputs.item_ids), return_inverse=True)[1]
    shelf = run.demand.copy()  # what customers took from each item's stock, bundles counted in their components
    np.add.at(shelf, inputs.bom_component, inputs.bom_qty[:, None] * run.demand[inputs.bom_bundle])
    shelf[inputs.assembled] = 0.0
    consumer = np.zeros((int(items.max(initial=0)) + 1, run.demand.shape[1]))
    np.add.at(consumer, items, shelf)
    consumer_var = consumer.var(axis=1).sum()
    out = []
    ordering = ~inputs.assembled  # bundles order nothing: they are assembled from their components
    for level in range(int(echelon.max(initial=0)) + 1):
        rows = np.flatnonzero((echelon == level) & ordering)
        if not rows.size:
            continue
        local = _ratio(float(run.orders[rows].var(axis=1).sum()), float(seen[rows].var(axis=1).sum()))
        agg = np.zeros_like(consumer)
        np.add.at(agg, items[rows], run.orders[rows])
        out.append(EchelonBullwhip(level, int(rows.size), local, _ratio(float(agg.var(axis=1).sum()), consumer_var)))
    return tuple(out)


def compute_metrics(inputs: SimInputs, run: SimRun, costs: CostArrays, *, cvar_level: float = 0.95) -> PolicyMetrics:
    """All figures of ``run`` (see the module docstring)."""
    s0 = inputs.start
    price = costs.unit_price[:, s0:]
    unit_cost = costs.unit_cost[:, s0:]
    customer = run.demand.sum(axis=1) > _EPS
    lost = run.unmet is UnmetDemand.LOST
    lost_value = run.unmet_units * price if lost else np.zeros_like(price)
    short = run.unmet_units > _EPS
    classes = np.asarray(inputs.item_class)
    by_class = []
    for klass in sorted(set(inputs.item_class)):
        rows = np.flatnonzero((classes == klass) & customer)
        if not rows.size:
            continue
        demand = float(run.demand[rows].sum())
        by_class.append(
            ClassService(
                item_class=klass,
                demand_units=demand,
                fill_rate=_ratio(float(run.filled[rows].sum()), demand),
                cycle_service_level=float(1.0 - short[rows].mean()),
                unmet_units=float(run.unmet_units[rows].sum()),
                lost_revenue=float(lost_value[rows].sum()),
            )
        )
    period_cost = run.period_cost
    demand_t = run.demand.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill_t = np.where(demand_t > _EPS, run.filled.sum(axis=0) / demand_t, 1.0)
    inventory_value = (run.on_hand * unit_cost).sum(axis=0)
    series = PeriodSeries(
        period_start=tuple(d.isoformat() for d in inputs.period_starts[s0:]),
        inventory_value=tuple(float(v) for v in inventory_value),
        fill_rate=tuple(float(v) for v in fill_t),
        cost=tuple(float(v) for v in period_cost),
        unmet_units=tuple(float(v) for v in run.unmet_units.sum(axis=0)),
        orders_units=tuple(float(v) for v in run.orders.sum(axis=0)),
    )
    return PolicyMetrics(
        policy=run.policy,
        settings=run.settings,
        total_cost=run.total_cost,
        holding_cost=float(run.holding_cost.sum()),
        shortage_cost=float(run.shortage_cost.sum()),
        transport_cost=float(run.transport_cost.sum()),
        fill_rate=_ratio(float(run.filled.sum()), float(run.demand.sum())),
        cycle_service_level=float(1.0 - short[customer].mean()) if customer.any() else float("nan"),
        by_class=tuple(by_class),
        demand_units=float(run.demand.sum()),
        unmet_units=float(run.unmet_units.sum()),
        lost_revenue=float(lost_value.sum()),
        backlog_end_units=float(run.backlog[:, -1].sum()) if run.backlog.shape[1] else 0.0,
        bundle_fill_rate=_bundle_fill_rate(inputs, run),
        capital_tied_up=float(inventory_value.mean()) if inventory_value.size else 0.0,
        pipeline_value=float((run.on_order * unit_cost).sum(axis=0).mean()) if inventory_value.size else 0.0,
        bullwhip=_bullwhip(inputs, run),
        mean_period_cost=float(period_cost.mean()) if period_cost.size else 0.0,
        cvar_period_cost=cvar(period_cost, cvar_level),
        cvar_level=cvar_level,
        actions=int(run.actions.sum()),
        approvals=int(run.approvals.sum()),
        series=series,
    )
