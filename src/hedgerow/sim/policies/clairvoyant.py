"""The clairvoyant lower bound: the cheapest replenishment plan with perfect foresight, as one LP (HiGHS).

It knows the whole simulated future — every period's demand, every lane's realised transit time and capacity, every
FX rate — and chooses how much to ship on each lane option in each period. Per item-location ``i`` and simulated
period ``j`` (decision variables ≥ 0):

- ``I[i,j]`` units on hand at the end of the period;
- lost sales: ``s[i,j] ≤ d[i,j]`` units sold; backorders: ``B[i,j]`` units owed at the end of the period;
- ``y[i,j,k]`` units shipped to ``i`` on lane option ``k`` (fixed at 0 where the lane ships nothing);
- ``a[b,j]`` bundles ``b`` assembled: they arrive at the bundle and take ``bom_qty`` of each component.

Stock balance (lost sales)::

    I[i,j] = I[i,j−1] + A[i,j] − s[i,j] − Σ_{c supplied by i, k} y[c,j,k] − Σ_{b using i} bom_qty·a[b,j]

with ``A[i,j]`` the initial pipeline due at ``j`` plus every ``y[i,j',k]`` whose realised transit brings it at
``j' + L[i,j',k] = j`` (for a bundle: ``a[i,j]``). With backorders ``I − B`` replaces ``I`` on both sides,
``d[i,j]`` is subtracted instead of ``s``, and a DC may ship only what it has: ``Σ y[c,j,k] ≤ I[i,j−1] + A[i,j]``.
Objective: Σ holding·I + shortage·(d − s) (or shortage·B) + transport·y — exactly the simulator's cost.

Every trajectory the simulator can produce is a feasible point of this LP with the same cost (the simulator only
adds restrictions: it must sell when it can, it assembles a bundle only when one is sold, and a DC splits
shortfalls in proportion), so the optimum is a lower bound on the total cost of *any* policy. Replaying the LP's
shipments through the simulator reproduces its cost exactly when there are no bundles and the shortage penalty
does not rise over time. Otherwise the LP may do what the simulator does not allow — hold a unit back from a cheap
lost sale now for a dearer one later, or give a component to a bundle rather than to its own customer — and the
replay costs slightly more (0.003 % on the demo network without bundles). The LP objective is the bound.
Item-locations are solved in independent blocks (supply trees, joined where a bundle takes components from
several), a few hundred thousand variables each.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np
import scipy.sparse as sp

from hedgerow.sim.costs import CostArrays, cost_arrays
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, UnmetDemand, lead_periods
from hedgerow.sim.policies.base import PolicyName

#: Largest number of LP variables solved in one HiGHS call; supply trees are packed into blocks up to this size.
MAX_BLOCK_VARIABLES = 400_000


class LpStatus(StrEnum):
    """Outcome of a clairvoyant LP solve."""

    OPTIMAL = "optimal"
    FAILED = "failed"


@dataclass(frozen=True)
class ClairvoyantPlan:
    """The perfect-foresight plan and its cost.

    Attributes
    ----------
    shipped:
        [il, K, S] units shipped on each lane option in each simulated period.
    requested:
        [il, K, S] what to order so that the simulator ships ``shipped`` (shipped / capacity factor).
    objective:
        Total cost of the plan, base currency: the lower bound.
    status:
        Always OPTIMAL (a failed block raises).
    blocks:
        Number of LPs solved.
    """

    shipped: np.ndarray
    requested: np.ndarray
    objective: float
    status: LpStatus
    blocks: int


def supply_trees(parent: np.ndarray) -> np.ndarray:
    """[il] index of the root (the item-location buying from a supplier) of each item-location's supply tree."""
    root = np.arange(parent.shape[0])
    while True:
        up = parent[root]
        moving = up >= 0
        if not moving.any():
            return root
        root = np.where(moving, up, root)


def _groups(inputs: SimInputs) -> np.ndarray:
    """[il] a group id such that supply trees joined by a bundle (its components' trees) share one id."""
    group = supply_trees(inputs.parent)
    changed = inputs.bom_bundle.size > 0
    while changed:  # union over bill-of-materials rows until stable (few bundles: a handful of passes)
        changed = False
        for b, c in zip(inputs.bom_bundle, inputs.bom_component, strict=True):
            gb, gc = group[b], group[c]
            if gb != gc:
                low, high = min(gb, gc), max(gb, gc)
                group[group == high] = low
                changed = True
    return group


def _blocks(inputs: SimInputs) -> list[np.ndarray]:
    root = _groups(inputs)
    per_il = (2 + inputs.lane_options.shape[1]) * inputs.n_simulated
    limit = max(1, MAX_BLOCK_VARIABLES // max(per_il, 1))
    order = np.argsort(root, kind="stable")
    bounds = np.flatnonzero(np.diff(root[order])) + 1
    trees = np.split(order, bounds) if order.size else []
    blocks: list[np.ndarray] = []
    current: list[np.ndarray] = []
    size = 0
    for tree in trees:
        if current and size + tree.size > limit:
            blocks.append(np.concatenate(current))
            current, size = [], 0
        current.append(tree)
        size += tree.size
    if current:
        blocks.append(np.concatenate(current))
    return blocks


def _solve_block(
    inputs: SimInputs, costs: CostArrays, unmet: UnmetDemand, rows_il: np.ndarray
) -> tuple[np.ndarray, float]:
    """Solve the LP of the item-locations ``rows_il`` (closed under parent); returns shipped [m, K, S], cost."""
    s0, n_s = inputs.start, inputs.n_simulated
    m, k = rows_il.size, inputs.lane_options.shape[1]
    local = np.full(inputs.n_il, -1)
    local[rows_il] = np.arange(m)
    par = inputs.parent[rows_il]
    par_local = np.where(par >= 0, local[np.maximum(par, 0)], -1)
    periods = np.arange(s0, s0 + n_s)
    opts = inputs.lane_options[rows_il]
    valid = opts >= 0
    lane = np.where(valid, opts, 0)
    lt = lead_periods(inputs.lane_lead_time_days, inputs.period_days)[lane][:, :, periods]  # [m, K, S]
    cap = inputs.lane_capacity_factor[lane][:, :, periods]
    d = inputs.demand[rows_il][:, periods]
    h = costs.holding[rows_il][:, periods]
    pen = costs.shortage[rows_il][:, periods]
    tr = costs.transport[lane][:, :, periods]
    pipe = np.zeros((m, n_s))
    p = min(inputs.initial_pipeline.shape[1], n_s)
    pipe[:, :p] = inputs.initial_pipeline[rows_il, :p]
    oh0 = inputs.initial_on_hand[rows_il]

    in_block = np.isin(inputs.bom_bundle, rows_il)
    kit_of, comp_of, kit_qty = (
        local[inputs.bom_bundle[in_block]],
        local[inputs.bom_component[in_block]],
        inputs.bom_qty[in_block],
    )
    kits = np.unique(kit_of)
    kit_pos = np.full(m, -1)
    kit_pos[kits] = np.arange(kits.size)

    n_cell = m * n_s
    cell = np.arange(n_cell).reshape(m, n_s)
    col_i, col_x, col_y = 0, n_cell, 2 * n_cell
    col_a = col_y + m * k * n_s  # kits assembled per bundle and period
    n_col = col_a + kits.size * n_s
    ycol = col_y + np.arange(m * k * n_s).reshape(m, k, n_s)
    acol = col_a + np.arange(kits.size * n_s).reshape(kits.size, n_s)
    lost = unmet is UnmetDemand.LOST

    cost = np.zeros(n_col)
    lower = np.zeros(n_col)
    upper = np.full(n_col, np.inf)
    cost[col_i : col_i + n_cell] = h.ravel()
    if lost:
        cost[col_x : col_x + n_cell] = -pen.ravel()
        upper[col_x : col_x + n_cell] = d.ravel()
        offset = float((pen * d).sum())
    else:
        cost[col_x : col_x + n_cell] = pen.ravel()
        # never more owed than has been asked for (the simulator's backlog obeys it; without it a DC with no
        # customers could carry phantom stock against a free backlog)
        upper[col_x : col_x + n_cell] = np.cumsum(d, axis=1).ravel()
        offset = 0.0
    cost[col_y:col_a] = np.where(valid[:, :, None], tr, 0.0).ravel()
    upper[col_y:col_a] = np.where(valid[:, :, None] & (cap > 0), np.inf, 0.0).ravel()

    r_idx: list[np.ndarray] = []
    c_idx: list[np.ndarray] = []
    vals: list[np.ndarray] = []

    def add(rows: np.ndarray, cols: np.ndarray, value: float) -> None:
        r_idx.append(rows.ravel())
        c_idx.append(cols.ravel())
        vals.append(np.full(rows.size, value))

    # balance rows: one per (i, j)
    add(cell, col_i + cell, 1.0)
    add(cell[:, 1:], col_i + cell[:, :-1], -1.0)
    add(cell, col_x + cell, 1.0 if lost else -1.0)
    if not lost:
        add(cell[:, 1:], col_x + cell[:, :-1], 1.0)
    arrive = np.arange(n_s)[None, None, :] + lt
    inside = valid[:, :, None] & (arrive < n_s)
    ii = np.broadcast_to(np.arange(m)[:, None, None], lt.shape)
    add(cell[ii[inside], arrive[inside]], ycol[inside], -1.0)
    is_kid = par_local >= 0
    kid_y = valid[:, :, None] & is_kid[:, None, None] & np.ones((1, 1, n_s), dtype=bool)
    jj = np.broadcast_to(np.arange(n_s)[None, None, :], lt.shape)
    parent_of = np.broadcast_to(par_local[:, None, None], lt.shape)
    add(cell[parent_of[kid_y], jj[kid_y]], ycol[kid_y], 1.0)
    # assembling a bundle: it "arrives" at the bundle and takes qty of each component
    if kits.size:
        add(cell[kits], acol, -1.0)
        for kit, comp, q in zip(kit_of, comp_of, kit_qty, strict=True):
            add(cell[comp], acol[kit_pos[kit]], float(q))
    rhs = pipe.copy()
    rhs[:, 0] += oh0
    if not lost:
        rhs -= d
    row_lo = rhs.ravel()
    row_hi = rhs.ravel().copy()
    n_row = n_cell
    if not lost:
        # a DC ships only what it has: Σ y_kids − I[j−1] − arrivals ≤ pipeline (+ initial stock at j = 0)
        parents = np.unique(par_local[is_kid])
        ship_row = np.full(m, -1)
        ship_row[parents] = np.arange(parents.size)
        base = n_row
        prow = base + ship_row[parent_of[kid_y]] * n_s + jj[kid_y]
        add(prow, ycol[kid_y], 1.0)
        dc_cells = cell[parents]
        prow_i = base + np.arange(parents.size)[:, None] * n_s + np.arange(n_s)[None, :]
        add(prow_i[:, 1:], col_i + dc_cells[:, :-1], -1.0)
        own = inside & (ship_row[ii] >= 0)
        add(base + ship_row[ii[own]] * n_s + arrive[own], ycol[own], -1.0)
        ship_hi = pipe[parents].copy()
        ship_hi[:, 0] += oh0[parents]
        row_lo = np.concatenate([row_lo, np.full(parents.size * n_s, -np.inf)])
        row_hi = np.concatenate([row_hi, ship_hi.ravel()])
        n_row += parents.size * n_s

    matrix = sp.csc_matrix((np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))), shape=(n_row, n_col))
    values, objective = _highs(cost, lower, upper, row_lo, row_hi, matrix)
    shipped = np.maximum(values[col_y:col_a].reshape(m, k, n_s), 0.0)
    return np.where(shipped < 1e-9, 0.0, shipped), objective + offset


def _highs(
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    matrix: sp.csc_matrix,
) -> tuple[np.ndarray, float]:
    inf = highspy.kHighsInf
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_ = int(cost.size)
    lp.num_row_ = int(row_lo.size)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = np.where(np.isinf(upper), inf, upper)
    lp.row_lower_ = np.where(np.isinf(row_lo), -inf, row_lo)
    lp.row_upper_ = np.where(np.isinf(row_hi), inf, row_hi)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr
    lp.a_matrix_.index_ = matrix.indices
    lp.a_matrix_.value_ = matrix.data
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"clairvoyant LP not solved to optimality: {h.modelStatusToString(status)}")
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return values, float(h.getInfo().objective_function_value)


def clairvoyant_plan(
    inputs: SimInputs, unmet: UnmetDemand = UnmetDemand.LOST, costs: CostArrays | None = None
) -> ClairvoyantPlan:
    """Solve the perfect-foresight LP over the simulated periods of ``inputs`` (see the module docstring)."""
    costs = costs or cost_arrays(inputs)
    n, k, n_s = inputs.n_il, inputs.lane_options.shape[1], inputs.n_simulated
    shipped = np.zeros((n, k, n_s))
    total = 0.0
    blocks = _blocks(inputs)
    for rows in blocks:
        block, objective = _solve_block(inputs, costs, unmet, rows)
        shipped[rows] = block
        total += objective
    valid = inputs.lane_options >= 0
    lane = np.where(valid, inputs.lane_options, 0)
    cap = inputs.lane_capacity_factor[lane][:, :, inputs.start :]
    with np.errstate(invalid="ignore", divide="ignore"):
        requested = np.where(cap > 0, shipped / cap, 0.0)
    return ClairvoyantPlan(shipped, requested, total, LpStatus.OPTIMAL, len(blocks))


class FixedPlanPolicy:
    """Replays a plan fixed in advance (the clairvoyant's): orders ``plan[:, :, t − start]`` at period t.

    It ignores the view, as a plan made with perfect foresight needs nothing from the past.
    """

    def __init__(self, requested: np.ndarray, *, name: str = PolicyName.CLAIRVOYANT.value, objective: float = 0.0):
        self.requested = requested
        self._name = name
        self.objective = objective

    @property
    def name(self) -> str:
        """Name shown in reports."""
        return self._name

    def settings(self) -> dict[str, object]:
        """The stated settings."""
        return {
            "rule": "perfect-foresight LP (HiGHS) over realised demand, lead times and FX; a lower bound",
            "lp_objective": self.objective,
        }

    def reset(self) -> None:
        """Stateless."""

    def decide(self, view: HistoryView) -> Decision:
        """The plan's orders for this period."""
        return Decision(qty=self.requested[:, :, view.t - view.start].copy())


def clairvoyant_policy(
    inputs: SimInputs, unmet: UnmetDemand = UnmetDemand.LOST, costs: CostArrays | None = None
) -> FixedPlanPolicy:
    """The clairvoyant plan as a policy the simulator can replay."""
    plan = clairvoyant_plan(inputs, unmet, costs)
    return FixedPlanPolicy(plan.requested, objective=plan.objective)
