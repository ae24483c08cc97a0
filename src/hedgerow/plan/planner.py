"""The planner façade: the position and the scenarios in, the decision of every echelon out.

:func:`plan_partition` is the unit of work — a pure function over a partition of items (items tied by bundles
stay together) plus the headroom of the shared limits — so the same code runs in-process or on a distributed
engine; :func:`plan_echelons` runs it echelon by echelon where distribution centres supply stores
(:mod:`hedgerow.plan.echelons`). Ranked, explained recommendations are made from these decisions after planning,
by :mod:`hedgerow.pipeline.planning` (explanation is its own stage: the planner never imports it).

Method: the hedge ladder always runs (it ranks where the next unit of capital goes). When limits couple items
(budgets, lane or warehouse capacity, minimum order quantities) and the sample-average problem is small enough,
the exact model is also solved with HiGHS and its decision is used when it is better; the solver status is
recorded in the plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from hedgerow.domain.plan import PlanMethod
from hedgerow.plan.echelons import (
    customer_stage,
    drawn_from,
    fair_shares,
    pool_rows,
    pools_short,
    supply_stage,
    supply_stage_model,
)
from hedgerow.plan.evaluate import Evaluation, evaluate
from hedgerow.plan.exact import ExactOptions, ExactResult, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import LadderOptions, LadderResult, run_ladder
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.materiality import Folded, Materiality, fold_immaterial
from hedgerow.plan.model import PlanModel, build_model
from hedgerow.plan.problem import PlanningProblem
from hedgerow.plan.repair import undominate
from hedgerow.plan.smoothing import Smoothed, smooth_orders
from hedgerow.scenarios.scenario_set import ScenarioSet

Progress = Callable[[str, int, int], None]


class MethodChoice(StrEnum):
    """How :func:`plan_partition` chooses quantities."""

    AUTO = "auto"  # ladder; exact model too when limits couple items and the problem is small
    LADDER = "ladder"
    EXACT = "exact"


@dataclass(frozen=True)
class PlannerOptions:
    """Tuning of the planner (the policy itself lives in hedgerow.toml).

    Attributes
    ----------
    method:
        See :class:`MethodChoice`.
    exact_max_cells:
        AUTO solves the exact model only when item-locations × scenarios × window periods is at most this.
    exact:
        Options of the exact model.
    ladder:
        Options of the ladder.
    max_partition_item_locations:
        Largest partition; larger problems are split by item groups (budgets are then shared in order).
    explain:
        Build explanations (off for pure speed measurements).
    workers:
        Processes for independent partitions (see :func:`make_plan`).
    """

    method: MethodChoice = MethodChoice.AUTO
    exact_max_cells: int = 40_000
    exact: ExactOptions = field(default_factory=lambda: ExactOptions(time_limit_s=30.0))
    ladder: LadderOptions = field(default_factory=LadderOptions)
    max_partition_item_locations: int = 50_000
    explain: bool = True
    workers: int = 1


@dataclass(frozen=True)
class PartitionPlan:
    """The decision for one partition and how it was reached."""

    model: PlanModel
    x: np.ndarray
    ladder: LadderResult
    exact: ExactResult | None
    method: PlanMethod
    final: Evaluation
    smoothed: tuple[Smoothed, ...] = ()
    folded: Folded = field(default_factory=Folded)


def _coupled(model: PlanModel) -> bool:
    pol = model.problem.policy
    c = model.candidates
    return (
        math.isfinite(pol.budget_total)
        or any(math.isfinite(v) for v in pol.budget_per_region.values())
        or bool(np.isfinite(model.lanes.capacity).any())
        or any(loc.capacity_units is not None for loc in model.problem.locations)
        or bool(((c.moq > 0) | (c.fixed_cost > 0)).any())
    )


def plan_partition(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    items: Sequence[str] | None = None,
    *,
    options: PlannerOptions | None = None,
    limits: SharedLimits | None = None,
    model: PlanModel | None = None,
    rate: np.ndarray | None = None,
) -> PartitionPlan:
    """Plan one partition of items (pure: same inputs, same plan), orders smoothed by ``[orders]
    smoothing_periods`` (:mod:`hedgerow.plan.smoothing`), no action dominated by one of its options
    (:mod:`hedgerow.plan.repair`) and none below the materiality rule (:mod:`hedgerow.plan.materiality`).

    Parameters
    ----------
    problem, scenarios:
        Position, policy and a scenario chunk holding the partition's demand paths.
    items:
        The partition (a union of :meth:`PlanningProblem.item_groups`); None = every item in the chunk.
    options:
        Planner tuning.
    limits:
        Headroom of the shared limits for this partition (default: the whole policy budget); consumed in place.
    model:
        The partition's arrays when already built.
    rate:
        [n] expected demand per period of each row, for smoothing (default: its mean over its window).
    """
    opt = options or PlannerOptions()
    model = model if model is not None else build_model(problem, scenarios, items)
    ladder = run_ladder(model, limits=limits, options=opt.ladder)
    x, method, exact = ladder.x, PlanMethod.LADDER, None
    cells = model.n_il * model.n_scenarios * model.tw
    want_exact = opt.method is MethodChoice.EXACT or (
        opt.method is MethodChoice.AUTO and _coupled(model) and cells <= opt.exact_max_cells
    )
    if want_exact and limits is None:
        exact = solve_sample_average(model, opt.exact)
        usable = exact.status in (SolverStatus.OPTIMAL, SolverStatus.TIME_LIMIT) and exact.x.size > 0
        if usable and evaluate(model, exact.x).total_objective < evaluate(model, x).total_objective - 1e-9:
            x, method = _integral(model, exact.x), PlanMethod.EXACT
    x, smoothed = smooth_orders(model, x, periods=problem.policy.smoothing_periods, rate=rate)
    x, _ = undominate(model, x)
    pol = problem.policy
    x, folded = fold_immaterial(model, x, Materiality(pol.min_value, pol.min_value_share))
    final = evaluate(model, x)
    return PartitionPlan(
        model=model, x=x, ladder=ladder, exact=exact, method=method, final=final, smoothed=smoothed, folded=folded
    )


def plan_echelons(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    items: Sequence[str] | None = None,
    *,
    options: PlannerOptions | None = None,
    limits: SharedLimits | None = None,
) -> tuple[PartitionPlan, ...]:
    """Plan one partition echelon by echelon (:mod:`hedgerow.plan.echelons`): the item-locations that sell, then
    each level of distribution centres by position. A network without DCs has one stage (:func:`plan_partition`).

    The stores first say what they want with their DCs' stock unlimited; when a DC cannot give it all, they are
    planned again on what it has (shared in proportion to what each asked for), and the DC's next order covers
    what they still lack.
    """
    opt = options or PlannerOptions()
    base = build_model(problem, scenarios, items)
    pools = pool_rows(base)
    if not pools.any():
        return (plan_partition(problem, scenarios, items, options=opt, limits=limits, model=base),)
    snap = limits.snapshot() if limits is not None else None
    unlimited = customer_stage(base, pools, unlimited=True)
    first = plan_partition(problem, scenarios, items, options=opt, limits=limits, model=unlimited)
    wanted = drawn_from(unlimited, first.x)
    if pools_short(base, pools, wanted):
        if limits is not None and snap is not None:
            limits.restore(snap)
        staged = customer_stage(base, pools, caps=fair_shares(base, pools, first.x))
        first = plan_partition(problem, scenarios, items, options=opt, limits=limits, model=staged)
    stages = [first]
    below, below_pools, shipped = first.model, pools, drawn_from(first.model, first.x)
    while (stage := supply_stage(problem, scenarios, below, wanted, shipped, below_pools)) is not None:
        model = supply_stage_model(build_model(stage.problem, stage.scenarios, stage.items, windows=stage.windows))
        rate = np.array([stage.rate.get(key, 0.0) for key in zip(model.il_items, model.il_locations, strict=True)])
        part = plan_partition(
            stage.problem, stage.scenarios, stage.items, options=opt, limits=limits, model=model, rate=rate
        )
        stages.append(part)
        below, below_pools = model, pool_rows(model)
        wanted = shipped = drawn_from(model, part.x)
    return tuple(stages)


def _integral(model: PlanModel, x: np.ndarray) -> np.ndarray:
    """Exact quantities rounded to whole packs (the MIP may return 1e-9 noise)."""
    grain = model.grain[model.candidates.target]
    return np.asarray(np.round(x / grain) * grain)


def partitions(problem: PlanningProblem, scenarios: ScenarioSet, max_item_locations: int) -> list[tuple[str, ...]]:
    """Item groups of the chunk packed into partitions of at most ``max_item_locations`` item-locations."""
    present = set(scenarios.demand.item_ids)
    il_count: dict[str, int] = {}
    for il in problem.item_locations:
        il_count[il.item_id] = il_count.get(il.item_id, 0) + 1
    out: list[tuple[str, ...]] = []
    current: list[str] = []
    size = 0
    for group in problem.item_groups():
        if not present.intersection(group):
            continue
        n = sum(il_count.get(i, 0) for i in group)
        if current and size + n > max_item_locations:
            out.append(tuple(current))
            current, size = [], 0
        current.extend(group)
        size += n
    if current:
        out.append(tuple(current))
    return out
