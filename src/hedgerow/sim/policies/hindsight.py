"""The best stationary base-stock policy chosen in hindsight: one fixed level S per item-location, picked knowing
the whole simulated period.

For every series the simulator replays a grid of candidate levels side by side (the series repeated once per
candidate, one vectorised replay) and keeps the cheapest; a second, finer grid around the winner refines it.
Candidates run from 0 to the largest demand of any period times (the longest realised lead time + 1).

A component faces its own customers plus what the bundles it goes into take (bundles are assembled, so they have
no level). In a network, echelons are chosen from the stores up: first each customer-facing series with its supplier assumed
ample, then each DC on the requests its stores would have sent under their chosen levels, its shortage priced at
the mean penalty of those stores. The final levels are then replayed together (a DC can still run short). This is
a reference, not a policy anyone could run: it knows the year before it starts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

from hedgerow.sim.costs import CostArrays, cost_arrays
from hedgerow.sim.engine import simulate
from hedgerow.sim.inputs import SimInputs, UnmetDemand, lead_periods, take_item_locations
from hedgerow.sim.policies.base import PolicyName
from hedgerow.sim.policies.order_up_to import BaseStockPolicy


@dataclass(frozen=True)
class HindsightSettings:
    """Search settings.

    Attributes
    ----------
    grid:
        Candidate levels of the first, coarse pass (evenly spaced).
    refine:
        Candidate levels of the second pass, between the coarse winner's neighbours.
    max_rows_per_replay:
        Item-location × candidate rows replayed at once (bounds memory).
    """

    grid: int = 21
    refine: int = 11
    max_rows_per_replay: int = 20_000

    def __post_init__(self) -> None:
        if self.grid < 2 or self.refine < 2 or self.max_rows_per_replay < 1:
            raise ValueError("grid and refine must be at least 2 and max_rows_per_replay at least 1")


def _take_costs(costs: CostArrays, rows: np.ndarray, repeat: int = 1) -> CostArrays:
    def rep(a: np.ndarray) -> np.ndarray:
        picked = a[rows]
        return np.concatenate([picked] * repeat, axis=0) if repeat > 1 else picked

    return CostArrays(
        unit_cost=rep(costs.unit_cost),
        unit_price=rep(costs.unit_price),
        holding=rep(costs.holding),
        shortage=rep(costs.shortage),
        unit_margin=rep(costs.unit_margin),
        transport=costs.transport,
    )


def _evaluate(sub: SimInputs, costs: CostArrays, levels: np.ndarray, unmet: UnmetDemand, max_rows: int) -> np.ndarray:
    """[m, G] total cost of each series under each candidate level ``levels`` [m, G] (series replayed alone)."""
    m, g = levels.shape
    out = np.zeros((m, g))
    chunk = max(1, max_rows // g)
    for lo in range(0, m, chunk):
        rows = np.arange(lo, min(m, lo + chunk))
        tiled = take_item_locations(sub, rows, repeat=g, detach=True)
        policy = BaseStockPolicy(levels[rows].T.ravel())
        run = simulate(tiled, policy, unmet=unmet, costs=_take_costs(costs, rows, g))
        out[rows] = run.cost_per_il.reshape(g, rows.size).T
    return out


def _search(sub: SimInputs, costs: CostArrays, unmet: UnmetDemand, cfg: HindsightSettings) -> np.ndarray:
    """[m] the cheapest stationary level of each (detached) series of ``sub``."""
    lt = lead_periods(sub.lane_lead_time_days, sub.period_days)[sub.lane_options[:, 0]][:, sub.start :]
    demand = sub.demand[:, sub.start :]
    hi = demand.max(axis=1, initial=0.0) * (lt.max(axis=1, initial=0) + 1)
    coarse = np.linspace(0.0, 1.0, cfg.grid)[None, :] * hi[:, None]
    cost = _evaluate(sub, costs, coarse, unmet, cfg.max_rows_per_replay)
    best = cost.argmin(axis=1)
    step = hi / (cfg.grid - 1)
    centre = coarse[np.arange(sub.n_il), best]
    lo = np.maximum(centre - step, 0.0)
    fine = lo[:, None] + np.linspace(0.0, 1.0, cfg.refine)[None, :] * (centre + step - lo)[:, None]
    fine_cost = _evaluate(sub, costs, fine, unmet, cfg.max_rows_per_replay)
    pick = fine_cost.argmin(axis=1)
    better = fine_cost[np.arange(sub.n_il), pick] < cost[np.arange(sub.n_il), best]
    return np.asarray(np.where(better, fine[np.arange(sub.n_il), pick], centre), dtype=np.float64)


def best_stationary_levels(
    inputs: SimInputs,
    unmet: UnmetDemand = UnmetDemand.LOST,
    costs: CostArrays | None = None,
    settings: HindsightSettings | None = None,
) -> np.ndarray:
    """[il] the best stationary base-stock level of every item-location, in hindsight (module docstring)."""
    cfg = settings or HindsightSettings()
    costs = costs or cost_arrays(inputs)
    echelon = inputs.echelon
    seen = inputs.demand.astype(np.float64, copy=True)
    # a component sees what the bundles it goes into ask of it; bundles themselves order nothing
    np.add.at(seen, inputs.bom_component, inputs.bom_qty[:, None] * inputs.demand[inputs.bom_bundle])
    ordering = ~inputs.assembled
    levels = np.zeros(inputs.n_il)
    for level in range(int(echelon.max(initial=0)) + 1):
        rows = np.flatnonzero((echelon == level) & ordering)
        if not rows.size:
            continue
        sub = take_item_locations(inputs, rows, detach=True, demand=seen[rows])
        sub_costs = _take_costs(costs, rows)
        if level > 0:
            kids = np.flatnonzero(inputs.parent >= 0)
            n = inputs.n_il
            total = np.zeros((n, inputs.n_periods))
            np.add.at(total, inputs.parent[kids], costs.shortage[kids])
            count = np.bincount(inputs.parent[kids], minlength=n)[:, None]
            inherited = np.where(count > 0, total / np.maximum(count, 1), costs.shortage)
            shortage = np.where(costs.shortage[rows] > 0, costs.shortage[rows], inherited[rows])
            sub_costs = replace(sub_costs, shortage=shortage)
        chosen = _search(sub, sub_costs, unmet, cfg)
        levels[rows] = chosen
        run = simulate(sub, BaseStockPolicy(chosen), unmet=unmet, costs=sub_costs)
        has_parent = inputs.parent[rows] >= 0
        np.add.at(seen[:, inputs.start :], inputs.parent[rows[has_parent]], run.orders[has_parent])
    return levels


def best_stationary_policy(
    inputs: SimInputs,
    unmet: UnmetDemand = UnmetDemand.LOST,
    costs: CostArrays | None = None,
    settings: HindsightSettings | None = None,
) -> BaseStockPolicy:
    """The hindsight levels as a policy the simulator can replay."""
    cfg = settings or HindsightSettings()
    levels = best_stationary_levels(inputs, unmet, costs, cfg)
    return BaseStockPolicy(
        levels,
        name=PolicyName.BEST_STATIONARY.value,
        settings={"chosen": "in hindsight, per series, echelon by echelon from the stores up", **asdict(cfg)},
    )
