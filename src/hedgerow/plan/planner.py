"""The planner façade: the position and the scenarios in, a ranked and explained plan out.

:func:`plan_partition` is the unit of work — a pure function over a partition of items (items tied by bundles
stay together) plus the headroom of the shared limits — so the same code runs in-process or on a distributed
engine. :func:`make_plan` runs it over the partitions of a problem, then ranks, explains and identifies the
recommendations.

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

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.plan import (
    GuardrailNote,
    LadderStep,
    Plan,
    PlanMethod,
    PlanStatus,
    PlanTotals,
    Recommendation,
    stable_id,
)
from hedgerow.domain.plan import action_to_dict as _action_dict
from hedgerow.explain.context import ExplainContext
from hedgerow.explain.lineage import freshness
from hedgerow.explain.recommend import Draft, draft_recommendations, keep_buffer_drafts
from hedgerow.plan.evaluate import Evaluation, evaluate
from hedgerow.plan.exact import ExactOptions, ExactResult, SolverStatus, solve_sample_average
from hedgerow.plan.guardrails import buffers_to_keep, guardrail_notes
from hedgerow.plan.ladder import LadderOptions, LadderResult, run_ladder
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.model import PlanModel, build_model
from hedgerow.plan.problem import PlanningProblem
from hedgerow.scenarios.scenario_set import ScenarioSet

#: Progress callback: (step name, done, total).
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


def _coupled(model: PlanModel) -> bool:
    pol = model.problem.policy
    c = model.candidates
    return (
        math.isfinite(pol.budget_total)
        or any(math.isfinite(v) for v in pol.budget_per_region.values())
        or bool(np.isfinite(model.lanes.capacity).any())
        or any(loc.capacity_units is not None for loc in model.problem.locations)
        or bool((c.moq > 0).any())
    )


def plan_partition(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    items: Sequence[str] | None = None,
    *,
    options: PlannerOptions | None = None,
    limits: SharedLimits | None = None,
    model: PlanModel | None = None,
) -> PartitionPlan:
    """Plan one partition of items (pure: same inputs, same plan).

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
    final = evaluate(model, x)
    return PartitionPlan(model=model, x=x, ladder=ladder, exact=exact, method=method, final=final)


def _integral(model: PlanModel, x: np.ndarray) -> np.ndarray:
    """Exact quantities of counted items rounded to whole units (the MIP may return 1e-9 noise)."""
    count = model.is_count[model.candidates.target]
    return np.where(count, np.round(x), x)


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


def _totals(ev: Evaluation) -> PlanTotals:
    return PlanTotals(
        expected_cost=float(ev.expected.sum()),
        cvar=float(ev.tail.sum()),
        objective=float(ev.objective.sum()),
        capital=float(ev.capital.sum()),
        lost_units=float(ev.expected_lost_units.sum()),
    )


def _sum_totals(parts: Sequence[PlanTotals]) -> PlanTotals:
    return PlanTotals(
        expected_cost=sum(p.expected_cost for p in parts),
        cvar=sum(p.cvar for p in parts),
        objective=sum(p.objective for p in parts),
        capital=sum(p.capital for p in parts),
        lost_units=sum(p.lost_units for p in parts),
    )


def _rank_key(d: Draft) -> tuple[int, int, float, float]:
    """Actions before buffers to keep, then guardrail actions first, then by value per unit of capital, then by
    value. A buffer to keep asks people *not* to move stock; it commits no capital, so by value per capital it
    would head every list, while the first line of a plan should be something to do."""
    vpc = d.value_per_capital
    keep = 1 if d.action.kind is ActionKind.KEEP_BUFFER else 0
    return (keep, 0 if d.guardrail is not None else 1, -(vpc if vpc is not None else math.inf), -d.value)


@dataclass(frozen=True)
class PartitionOutcome:
    """What a partition contributes to the plan (small: no arrays), so it can come back from a worker."""

    drafts: tuple[Draft, ...]
    notes: tuple[GuardrailNote, ...]
    totals: PlanTotals
    do_nothing: PlanTotals
    method: PlanMethod
    solver_status: str | None
    limits: SharedLimits | None


def run_partition(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    items: Sequence[str],
    *,
    options: PlannerOptions,
    inherited: SharedLimits | None = None,
    shared: bool = False,
) -> PartitionOutcome:
    """Plan, check and explain one partition (the unit of work of :func:`make_plan`).

    ``shared``: budgets and capacities are shared with other partitions; ``inherited`` is what the previous
    partitions left of them (None for the first).
    """
    model = build_model(problem, scenarios, items)
    limits = None
    if shared:
        limits = SharedLimits.from_model(model)
        if inherited is not None:
            limits.inherit(inherited)
    pp = plan_partition(problem, scenarios, items, options=options, limits=limits, model=model)
    notes = guardrail_notes(pp.model, pp.x, pp.final, pp.ladder.events)
    drafts: list[Draft] = []
    if options.explain:
        data = freshness(problem.sources, scenarios.as_of, scenarios.snapshots)
        ctx = ExplainContext(pp.model, pp.x)
        drafts.extend(draft_recommendations(ctx, notes=notes, data=data))
        buffers = buffers_to_keep(pp.model, pp.x, pp.ladder.events)
        if buffers:
            drafts.extend(keep_buffer_drafts(ctx, buffers, notes=notes, data=data))
    return PartitionOutcome(
        drafts=tuple(drafts),
        notes=notes,
        totals=_totals(pp.final),
        do_nothing=_totals(evaluate(pp.model)),
        method=pp.method,
        solver_status=pp.exact.status.value if pp.exact is not None else None,
        limits=limits,
    )


# inputs of the forked workers (set just before the pool starts; children inherit them without pickling)
_FORK_INPUTS: dict[str, object] = {}


def _forked_partition(args: tuple[tuple[str, ...], PlannerOptions]) -> PartitionOutcome:
    items, options = args
    problem = _FORK_INPUTS["problem"]
    scenarios = _FORK_INPUTS["scenarios"]
    assert isinstance(problem, PlanningProblem)
    assert isinstance(scenarios, ScenarioSet)
    return run_partition(problem, scenarios, items, options=options)


def _independent(problem: PlanningProblem) -> bool:
    """True when no limit is shared between partitions (no budget, lane or warehouse capacity)."""
    pol = problem.policy
    return (
        not math.isfinite(pol.budget_total)
        and not any(math.isfinite(v) for v in pol.budget_per_region.values())
        and all(
            lane.capacity_units_per_period is None or not math.isfinite(lane.capacity_units_per_period)
            for lane in problem.lanes
        )
        and all(loc.capacity_units is None for loc in problem.locations)
    )


def make_plan(
    problem: PlanningProblem,
    scenarios: ScenarioSet,
    *,
    options: PlannerOptions | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Plan the whole chunk: partitions, ladder (and exact model), guardrails, ranked explained recommendations.

    Partitions run in ``options.workers`` processes when no budget or capacity is shared between them (the
    same pure function, so the plan is identical); otherwise in order, each taking what the previous left.

    Parameters
    ----------
    problem, scenarios:
        Position, policy and scenarios.
    options:
        Planner tuning.
    progress:
        Called as ``progress(step, done, total)`` after each partition.
    """
    opt = options or PlannerOptions()
    parts = partitions(problem, scenarios, opt.max_partition_item_locations)
    outcomes: list[PartitionOutcome] = []
    if opt.workers > 1 and len(parts) > 1 and _independent(problem):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        _FORK_INPUTS.update(problem=problem, scenarios=scenarios)
        try:
            with ProcessPoolExecutor(max_workers=opt.workers, mp_context=mp.get_context("fork")) as pool:
                for k, out in enumerate(pool.map(_forked_partition, [(p, opt) for p in parts])):
                    outcomes.append(out)
                    if progress is not None:
                        progress("plan", k + 1, len(parts))
        finally:
            _FORK_INPUTS.clear()
    else:
        shared = len(parts) > 1 and not _independent(problem)
        inherited: SharedLimits | None = None
        for k, items in enumerate(parts):
            out = run_partition(problem, scenarios, items, options=opt, inherited=inherited, shared=shared)
            inherited = out.limits if out.limits is not None else inherited
            outcomes.append(out)
            if progress is not None:
                progress("plan", k + 1, len(parts))
    return _assemble(problem, scenarios, outcomes)


def _assemble(problem: PlanningProblem, scenarios: ScenarioSet, outcomes: Sequence[PartitionOutcome]) -> Plan:
    """Rank the recommendations of every partition, give them ids and build the plan."""
    drafts = sorted((d for o in outcomes for d in o.drafts), key=_rank_key)
    notes = [n for o in outcomes for n in o.notes]
    methods = {o.method for o in outcomes}
    statuses = sorted({o.solver_status for o in outcomes if o.solver_status is not None})
    recs = []
    cumulative = 0.0
    ladder = []
    for rank, d in enumerate(drafts, start=1):
        rec_id = stable_id(
            "rec",
            {
                "seed": scenarios.seed,
                "as_of": scenarios.as_of.isoformat(),
                "snapshots": dict(sorted(scenarios.snapshots.items())),
                "action": _action_dict(d.action),
            },
        )
        recs.append(
            Recommendation(
                id=rec_id,
                rank=rank,
                action=d.action,
                expected_saving=d.expected_saving,
                value=d.value,
                capital=d.capital,
                value_per_capital=d.value_per_capital,
                stockout_before=d.stockout_before,
                stockout_after=d.stockout_after,
                guardrail=d.guardrail,
                explanation=d.explanation,
            )
        )
        cumulative += d.capital
        ladder.append(LadderStep(rank, d.action, d.capital, d.value, d.value_per_capital, cumulative, d.guardrail))
    status = PlanStatus.BEST_FEASIBLE if any(n.infeasible for n in notes) else PlanStatus.FEASIBLE
    method = PlanMethod.EXACT if methods == {PlanMethod.EXACT} else PlanMethod.LADDER
    plan_id = stable_id(
        "plan",
        {
            "seed": scenarios.seed,
            "as_of": scenarios.as_of.isoformat(),
            "snapshots": dict(sorted(scenarios.snapshots.items())),
            "recommendations": [r.id for r in recs],
            "quantities": [round(r.action.qty, 6) for r in recs],
        },
    )
    return Plan(
        id=plan_id,
        seed=scenarios.seed,
        as_of=scenarios.as_of,
        base_currency=problem.base_currency,
        status=status,
        method=method,
        solver_status=",".join(statuses) or None,
        recommendations=tuple(recs),
        ladder=tuple(ladder),
        guardrails=tuple(notes),
        totals=_sum_totals([o.totals for o in outcomes]),
        do_nothing=_sum_totals([o.do_nothing for o in outcomes]),
        snapshots=dict(scenarios.snapshots),
    )
