"""The exact sample-average problem as an LP / MIP, solved with HiGHS (highspy).

Three separate steps, in the manner of PyPSA / linopy: :func:`build_exact` writes the model as arrays (one
small ``_define_*`` function per block of variables or constraints), :func:`solve_exact` runs HiGHS and
returns an explicit :class:`SolverStatus`, :func:`read_exact` turns the column values back into a decision per
candidate. The model is the ladder's cost model written as linear constraints, so evaluating its decision with
:func:`hedgerow.plan.evaluate.evaluate` gives back its objective (a test checks this).

Variables (per item-location ``i``, scenario ``s``, period ``t < Tw``): stock ``I[i,s,t] >= 0``, sales
``0 <= z[i,s,t] <= demand``; per candidate ``x_j >= 0`` (and a binary ``y_j`` when the lane has a minimum
order quantity); per item-location ``η_i`` and ``u[i,s] >= 0`` for its CVaR (Rockafellar & Uryasev 2000); per
item-location with a service floor a binary ``b[i,s]`` (1 = a stockout is allowed in scenario ``s``).

Stock balance: ``I[t] = I[t-1] + inflow0[t] + Σ_j a_j[s,t] x_j - z[t]``. With costs constant over time within a
scenario, selling as much as possible is optimal, so the LP reproduces the lost-sales simulation.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np
import scipy.sparse as sp

from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.limits import warehouse_headroom
from hedgerow.plan.model import PlanModel


class SolverStatus(StrEnum):
    """Outcome of a HiGHS run, checked by every caller."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"  # stopped early; a feasible solution may exist
    ERROR = "error"


@dataclass(frozen=True)
class ExactOptions:
    """What the exact model includes.

    Attributes
    ----------
    floors:
        Service floors as chance constraints (binaries per item-location and scenario).
    integer:
        Whole units for items counted in units.
    budgets:
        Apply the total and per-region budgets.
    capacities:
        Apply lane and warehouse capacities.
    time_limit_s:
        HiGHS time limit in seconds.
    mip_rel_gap:
        Relative MIP gap at which HiGHS may stop.
    """

    floors: bool = True
    integer: bool = False
    budgets: bool = True
    capacities: bool = True
    time_limit_s: float = 60.0
    mip_rel_gap: float = 1e-6


@dataclass
class _Builder:
    n_col: int = 0
    cost: list[np.ndarray] = field(default_factory=list)
    lo: list[np.ndarray] = field(default_factory=list)
    hi: list[np.ndarray] = field(default_factory=list)
    integ: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    offset: float = 0.0

    def variables(
        self,
        n: int,
        lo: float | np.ndarray,
        hi: float | np.ndarray,
        cost: float | np.ndarray = 0.0,
        integer: bool | np.ndarray = False,
    ) -> np.ndarray:
        idx = np.arange(self.n_col, self.n_col + n)
        self.n_col += n
        self.cost.append(np.broadcast_to(np.asarray(cost, dtype=np.float64), (n,)).copy())
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (n,)).copy())
        self.hi.append(np.broadcast_to(np.asarray(hi, dtype=np.float64), (n,)).copy())
        self.integ.append(np.broadcast_to(np.asarray(integer, dtype=bool), (n,)).copy())
        return idx

    def add_cost(self, cols: np.ndarray, values: np.ndarray) -> None:
        self.rows.append(np.full(cols.size, -1))  # -1 marks objective terms
        self.cols.append(np.asarray(cols, dtype=np.int64).ravel())
        self.vals.append(np.asarray(values, dtype=np.float64).ravel())

    def constraint(self, lo: float, hi: float) -> int:
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        return len(self.row_lo) - 1

    def constraints(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        start = len(self.row_lo)
        self.row_lo.extend(np.asarray(lo, dtype=np.float64).ravel().tolist())
        self.row_hi.extend(np.asarray(hi, dtype=np.float64).ravel().tolist())
        return np.arange(start, len(self.row_lo))

    def terms(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        rows = np.asarray(rows, dtype=np.int64).ravel()
        cols = np.asarray(cols, dtype=np.int64).ravel()
        self.rows.append(rows)
        self.cols.append(cols)
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape).ravel().copy())


@dataclass(frozen=True)
class ExactModel:
    """The built LP / MIP as arrays, with the index maps needed to read it back."""

    model: PlanModel
    options: ExactOptions
    cost: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray
    matrix: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    offset: float
    x_cols: np.ndarray

    @property
    def is_mip(self) -> bool:
        """True when some variable is integer."""
        return bool(self.integer.any())


@dataclass(frozen=True)
class ExactSolution:
    """Raw HiGHS result."""

    status: SolverStatus
    objective: float
    values: np.ndarray
    mip_gap: float
    message: str


@dataclass(frozen=True)
class ExactResult:
    """The exact decision read back."""

    status: SolverStatus
    x: np.ndarray
    objective: float
    mip_gap: float


def _coef_arrays(model: PlanModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sparse coefficients ``a_j[row, s, t]`` of every candidate on inflow: (cand, row, s, t, value)."""
    c, lanes = model.candidates, model.lanes
    n_s = model.n_scenarios
    out_j, out_r, out_s, out_t, out_v = [], [], [], [], []
    s_idx = np.arange(n_s)
    for j in range(c.n):
        li = c.lane[j]
        for k in range(lanes.share.shape[1]):
            out_j.append(np.full(n_s, j))
            out_r.append(np.full(n_s, c.target[j]))
            out_s.append(s_idx)
            out_t.append(lanes.arrival[li, k])
            out_v.append(lanes.share[li, k])
        if c.source[j] >= 0:
            out_j.append(np.full(n_s, j))
            out_r.append(np.full(n_s, c.source[j]))
            out_s.append(s_idx)
            out_t.append(np.zeros(n_s, dtype=np.int64))
            out_v.append(-np.ones(n_s))
        if c.shipment[j] >= 0:
            out_j.append(np.full(n_s, j))
            out_r.append(np.full(n_s, c.target[j]))
            out_s.append(s_idx)
            out_t.append(model.pipeline.arrival[c.shipment[j]])
            out_v.append(-np.ones(n_s))
    if not out_j:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e, e, np.zeros(0)
    return (
        np.concatenate(out_j),
        np.concatenate(out_r),
        np.concatenate(out_s),
        np.concatenate(out_t),
        np.concatenate(out_v),
    )


def build_exact(model: PlanModel, options: ExactOptions | None = None) -> ExactModel:
    """Write the sample-average problem of ``model`` as an LP (or MIP with MOQs, floors or whole units)."""
    opt = options or ExactOptions()
    b = _Builder()
    n, n_s, tw = model.n_il, model.n_scenarios, model.tw
    p = model.scenario_weight
    pol = model.problem.policy
    w, beta = pol.risk_aversion, 1.0 - pol.cvar_level
    c = model.candidates

    x, opened = _define_decisions(b, model, opt)
    stock = b.variables(n * n_s * tw, 0.0, math.inf).reshape(n, n_s, tw)
    sales = b.variables(n * n_s * tw, 0.0, model.demand.ravel()).reshape(n, n_s, tw)
    _define_balance(b, model, x, stock, sales)

    # scenario cost of each item-location (risk is measured per item-location, hedgerow.plan.costs), as
    # (cols, coefficients) + constant, then expected part and CVaR part; an action's cost is its target's
    unit_of = np.arange(n)
    coef_j, coef_r, coef_s, coef_t, coef_v = _coef_arrays(model)
    const = model.penalty * model.demand.sum(axis=2) + model.writedown[:, None] * model.inflow0[:, :, tw]
    cost_terms: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # (row, s, col, coef)
    hold = np.broadcast_to(model.holding[:, None, :], (n, n_s, tw))
    gi = np.broadcast_to(unit_of[:, None, None], (n, n_s, tw))
    gs = np.broadcast_to(np.arange(n_s)[None, :, None], (n, n_s, tw))
    cost_terms.append((gi.ravel(), gs.ravel(), stock.ravel(), hold.ravel().copy()))
    end = np.zeros((n, n_s, tw))
    end[:, :, tw - 1] = model.writedown[:, None]
    cost_terms.append((gi.ravel(), gs.ravel(), stock.ravel(), end.ravel()))
    pen = np.broadcast_to(model.penalty[:, :, None], (n, n_s, tw))
    cost_terms.append((gi.ravel(), gs.ravel(), sales.ravel(), -pen.ravel()))
    after = coef_t >= tw
    if after.any():
        j = coef_j[after]
        cost_terms.append((coef_r[after], coef_s[after], x[j], coef_v[after] * model.writedown[coef_r[after]]))
    if c.n:
        jj = np.repeat(np.arange(c.n), n_s)
        ss = np.tile(np.arange(n_s), c.n)
        cost_terms.append((c.target[jj], ss, x[jj], c.unit_cost.ravel()))
        fixed = np.flatnonzero((c.fixed_cost > 0) & (opened >= 0))
        if fixed.size:  # a line's fixed cost, in every scenario, when it is open
            jf = np.repeat(fixed, n_s)
            sf = np.tile(np.arange(n_s), fixed.size)
            cost_terms.append((c.target[jf], sf, opened[jf], c.fixed_cost[jf]))
    g_all = np.concatenate([t[0] for t in cost_terms])
    s_all = np.concatenate([t[1] for t in cost_terms])
    col_all = np.concatenate([t[2] for t in cost_terms])
    v_all = np.concatenate([t[3] for t in cost_terms])

    # expected part: (1 - w) Σ_s p_s cost_rs
    b.add_cost(col_all, (1.0 - w) * p[s_all] * v_all)
    b.offset += float((1.0 - w) * (const @ p).sum())
    if w > 0:
        eta = b.variables(n, -math.inf, math.inf, w)
        u = b.variables(n * n_s, 0.0, math.inf, (w / beta) * np.tile(p, n)).reshape(n, n_s)
        # u_rs + η_r - cost_rs >= const_rs
        rows = b.constraints(const.ravel(), np.full(n * n_s, math.inf)).reshape(n, n_s)
        b.terms(rows.ravel(), u.ravel(), 1.0)
        b.terms(rows.ravel(), np.repeat(eta, n_s), 1.0)
        b.terms(rows[g_all, s_all], col_all, -v_all)
    _define_item_limits(b, model, x)
    if opt.budgets or opt.capacities:
        _define_shared_limits(b, model, x, opt)
    if opt.floors:
        _define_floors(b, model, stock, sales)
    return _finish(b, model, opt, x)


def _define_decisions(b: _Builder, model: PlanModel, opt: ExactOptions) -> tuple[np.ndarray, np.ndarray]:
    """Quantity columns [J], and a binary "the line is open" per candidate with a minimum quantity or a fixed cost
    (-1 for the others)."""
    c = model.candidates
    integer = np.full(c.n, opt.integer, dtype=bool)
    upper = np.where(np.isfinite(c.upper), c.upper, math.inf)
    x = b.variables(c.n, 0.0, upper, 0.0, integer)
    opened = np.full(c.n, -1, dtype=np.int64)
    with_moq = np.flatnonzero((c.moq > 0) | (c.fixed_cost > 0))
    if with_moq.size:
        y = b.variables(with_moq.size, 0.0, 1.0, 0.0, True)
        big = np.where(
            np.isfinite(upper[with_moq]),
            upper[with_moq],
            20.0 * model.demand[c.target[with_moq]].sum(axis=2).max(axis=1) + 1e4,
        )
        r1 = b.constraints(np.zeros(with_moq.size), np.full(with_moq.size, math.inf))  # x - moq y >= 0
        b.terms(r1, x[with_moq], 1.0)
        b.terms(r1, y, -c.moq[with_moq])
        r2 = b.constraints(np.full(with_moq.size, -math.inf), np.zeros(with_moq.size))  # x - M y <= 0
        b.terms(r2, x[with_moq], 1.0)
        b.terms(r2, y, -big)
        opened[with_moq] = y
    return x, opened


def _define_balance(b: _Builder, model: PlanModel, x: np.ndarray, stock: np.ndarray, sales: np.ndarray) -> None:
    """I[t] - I[t-1] + z[t] - Σ_j a_j[t] x_j = inflow0[t] for every item-location, scenario and period."""
    n, n_s, tw = stock.shape
    rhs = model.inflow0[:, :, :tw]
    rows = b.constraints(rhs.ravel(), rhs.ravel()).reshape(n, n_s, tw)
    b.terms(rows.ravel(), stock.ravel(), 1.0)
    b.terms(rows[:, :, 1:].ravel(), stock[:, :, :-1].ravel(), -1.0)
    b.terms(rows.ravel(), sales.ravel(), 1.0)
    cj, cr, cs, ct, cv = _coef_arrays(model)
    inside = ct < tw
    b.terms(rows[cr[inside], cs[inside], ct[inside]], x[cj[inside]], -cv[inside])


def _define_item_limits(b: _Builder, model: PlanModel, x: np.ndarray) -> None:
    """Free stock (holds), shipment units and the bounded order change."""
    c = model.candidates
    pol = model.problem.policy
    for src in np.unique(c.source[c.source >= 0]):
        js = np.flatnonzero(c.source == src)
        r = b.constraint(-math.inf, float(model.movable[src]))
        b.terms(np.full(js.size, r), x[js], 1.0)
    for ship in np.unique(c.shipment[c.shipment >= 0]):
        js = np.flatnonzero(c.shipment == ship)
        r = b.constraint(-math.inf, float(model.pipeline.qty[ship]))
        b.terms(np.full(js.size, r), x[js], 1.0)
    if math.isfinite(pol.max_change_per_period):
        for row in np.flatnonzero(~np.isnan(model.last_order)):
            js = np.flatnonzero((c.target == row) & (c.kind == CandidateKind.ORDER))
            if js.size == 0:
                continue
            delta = pol.max_change_per_period * model.mean_demand[row]
            r = b.constraint(max(model.last_order[row] - delta, 0.0), model.last_order[row] + delta)
            b.terms(np.full(js.size, r), x[js], 1.0)


def _define_shared_limits(b: _Builder, model: PlanModel, x: np.ndarray, opt: ExactOptions) -> None:
    """Budgets (total and per region of the destination), lane capacity and warehouse headroom."""
    c = model.candidates
    pol = model.problem.policy
    problem = model.problem
    if opt.budgets:
        if math.isfinite(pol.budget_total) and c.n:
            r = b.constraint(-math.inf, pol.budget_total)
            b.terms(np.full(c.n, r), x, c.capital)
        region = np.array([problem.location(model.il_locations[t]).region for t in c.target])
        for reg, limit in pol.budget_per_region.items():
            js = np.flatnonzero(region == reg)
            if js.size and math.isfinite(limit):
                r = b.constraint(-math.inf, limit)
                b.terms(np.full(js.size, r), x[js], c.capital[js])
    if opt.capacities:
        for li in np.unique(c.lane):
            cap = model.lanes.capacity[li]
            if math.isfinite(cap):
                js = np.flatnonzero(c.lane == li)
                r = b.constraint(-math.inf, cap)
                b.terms(np.full(js.size, r), x[js], 1.0)
        headroom = warehouse_headroom(model)
        inbound = c.kind != CandidateKind.EXPEDITE
        loc_of = np.array([model.il_locations[t] for t in c.target])
        for loc, room in headroom.items():
            js = np.flatnonzero(inbound & (loc_of == loc))
            if js.size:
                r = b.constraint(-math.inf, room)
                b.terms(np.full(js.size, r), x[js], 1.0)


def _define_floors(b: _Builder, model: PlanModel, stock: np.ndarray, sales: np.ndarray) -> None:
    """Service floors as chance constraints, with sales forced to follow the lost-sales rule.

    ``P(lost sale in [W - R, W)) <= 1 - floor``: ``demand - z <= demand · b[s]`` in the floor window and
    ``Σ_s p_s b[s] <= 1 - floor``. A floor would make an LP *ration*: refuse early customers to keep stock for
    the floor window, which the real flow (and :func:`~hedgerow.plan.costs.simulate`) never does. So on rows
    with a floor, a binary ``e[s,t]`` per period enforces "serve all demand, or run out": ``demand - z <=
    demand · e`` and ``stock <= M · (1 - e)``.
    """
    n_s = model.n_scenarios
    big_stock = model.inflow0.sum(axis=2).max(axis=1) + 20.0 * model.demand.sum(axis=2).max(axis=1) + 1e4
    for row in np.flatnonzero(model.floor > 0):
        w = int(model.window[row])
        periods = np.arange(model.floor_from[row], w)
        if periods.size == 0:
            continue
        d_all = model.demand[row][:, :w]  # [S, W]
        e = b.variables(n_s * w, 0.0, 1.0, 0.0, True).reshape(n_s, w)
        r1 = b.constraints(d_all.ravel(), np.full(d_all.size, math.inf)).reshape(n_s, w)  # z + d e >= d
        b.terms(r1.ravel(), sales[row][:, :w].ravel(), 1.0)
        b.terms(r1.ravel(), e.ravel(), d_all.ravel())
        r2 = b.constraints(np.full(d_all.size, -math.inf), np.full(d_all.size, float(big_stock[row]))).reshape(n_s, w)
        b.terms(r2.ravel(), stock[row][:, :w].ravel(), 1.0)  # I + M e <= M
        b.terms(r2.ravel(), e.ravel(), float(big_stock[row]))
        bins = b.variables(n_s, 0.0, 1.0, 0.0, True)
        d = model.demand[row][:, periods]  # [S, P]
        rows = b.constraints(d.ravel(), np.full(d.size, math.inf)).reshape(n_s, periods.size)  # z + d b >= d
        b.terms(rows.ravel(), sales[row][:, periods].ravel(), 1.0)
        b.terms(rows.ravel(), np.repeat(bins, periods.size), d.ravel())
        r = b.constraint(-math.inf, 1.0 - float(model.floor[row]) + 1e-9)
        b.terms(np.full(n_s, r), bins, model.scenario_weight)


def _finish(b: _Builder, model: PlanModel, opt: ExactOptions, x: np.ndarray) -> ExactModel:
    rows = np.concatenate(b.rows)
    cols = np.concatenate(b.cols)
    vals = np.concatenate(b.vals)
    obj = rows < 0
    cost = np.concatenate(b.cost)
    np.add.at(cost, cols[obj], vals[obj])
    m = len(b.row_lo)
    matrix = sp.csc_matrix((vals[~obj], (rows[~obj], cols[~obj])), shape=(m, b.n_col))
    matrix.sum_duplicates()
    return ExactModel(
        model=model,
        options=opt,
        cost=cost,
        col_lo=np.concatenate(b.lo),
        col_hi=np.concatenate(b.hi),
        integer=np.concatenate(b.integ),
        matrix=matrix,
        row_lo=np.array(b.row_lo),
        row_hi=np.array(b.row_hi),
        offset=b.offset,
        x_cols=x,
    )


_STATUS = {
    highspy.HighsModelStatus.kOptimal: SolverStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: SolverStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: SolverStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: SolverStatus.UNBOUNDED,
    highspy.HighsModelStatus.kTimeLimit: SolverStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kIterationLimit: SolverStatus.TIME_LIMIT,
    highspy.HighsModelStatus.kSolutionLimit: SolverStatus.TIME_LIMIT,
}


def _new_highs() -> highspy.Highs:
    """A HiGHS instance. HiGHS prints a banner on the process's standard output the first time one is made,
    whatever its options, which would corrupt ``--json`` output; that one write is sent to /dev/null."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return h


def solve_exact(em: ExactModel) -> ExactSolution:
    """Solve with HiGHS; the status says whether ``values`` can be used."""
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(em.options.time_limit_s))
    h.setOptionValue("mip_rel_gap", float(em.options.mip_rel_gap))
    lp = highspy.HighsLp()
    lp.num_col_ = int(em.cost.size)
    lp.num_row_ = int(em.row_lo.size)
    inf = highspy.kHighsInf
    lp.col_cost_ = em.cost
    lp.col_lower_ = np.where(np.isinf(em.col_lo), -inf, em.col_lo)
    lp.col_upper_ = np.where(np.isinf(em.col_hi), inf, em.col_hi)
    lp.row_lower_ = np.where(np.isinf(em.row_lo), -inf, em.row_lo)
    lp.row_upper_ = np.where(np.isinf(em.row_hi), inf, em.row_hi)
    lp.offset_ = em.offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = em.matrix.indptr
    lp.a_matrix_.index_ = em.matrix.indices
    lp.a_matrix_.value_ = em.matrix.data
    if em.is_mip:
        lp.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous for f in em.integer]
    h.passModel(lp)
    h.run()
    model_status = h.getModelStatus()
    status = _STATUS.get(model_status, SolverStatus.ERROR)
    info = h.getInfo()
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    has_solution = info.primal_solution_status == highspy.kSolutionStatusFeasible
    if status is SolverStatus.TIME_LIMIT and not has_solution:
        values = np.zeros(0)
    gap = float(info.mip_gap) if em.is_mip else 0.0
    return ExactSolution(
        status=status,
        objective=float(info.objective_function_value) if has_solution else math.nan,
        values=values if has_solution else np.zeros(0),
        mip_gap=gap,
        message=h.modelStatusToString(model_status),
    )


def read_exact(em: ExactModel, solution: ExactSolution) -> ExactResult:
    """The decision per candidate; raises when the status has no usable solution."""
    if solution.values.size == 0:
        raise ValueError(f"HiGHS found no solution: {solution.status.value} ({solution.message})")
    x = np.maximum(solution.values[em.x_cols], 0.0)
    x = np.where(x < 1e-9, 0.0, x)
    return ExactResult(status=solution.status, x=x, objective=solution.objective, mip_gap=solution.mip_gap)


def solve_sample_average(model: PlanModel, options: ExactOptions | None = None) -> ExactResult:
    """Build, solve and read back in one call (each step stays separate and inspectable)."""
    em = build_exact(model, options)
    sol = solve_exact(em)
    if sol.status not in (SolverStatus.OPTIMAL, SolverStatus.TIME_LIMIT):
        return ExactResult(status=sol.status, x=np.zeros(model.candidates.n), objective=math.nan, mip_gap=math.nan)
    if sol.values.size == 0:
        # the time limit struck before HiGHS found any solution: nothing to read, the caller keeps the ladder's
        return ExactResult(status=sol.status, x=np.zeros(0), objective=math.nan, mip_gap=math.nan)
    return read_exact(em, sol)
