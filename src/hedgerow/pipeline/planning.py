"""Plans made whole: every partition planned (:mod:`hedgerow.plan.planner`), then explained and ranked.

:func:`make_plan` runs :func:`run_partition` — plan the partition echelon by echelon, then explain each stage's
decision (:mod:`hedgerow.explain`) — over the partitions of a problem, and :func:`_assemble` ranks the
recommendations, gives them ids and builds the :class:`~hedgerow.domain.plan.Plan`. Explanation is a stage after
planning: the planner never imports it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.ids import stable_id
from hedgerow.domain.plan import (
    GuardrailNote,
    LadderStep,
    Plan,
    PlanMethod,
    PlanStatus,
    PlanTotals,
    Recommendation,
)
from hedgerow.domain.plan import action_to_dict as _action_dict
from hedgerow.explain.context import ExplainContext
from hedgerow.explain.guardrails import guardrail_notes
from hedgerow.explain.lineage import freshness
from hedgerow.explain.recommend import Draft, draft_recommendations, keep_buffer_drafts
from hedgerow.plan.buffers import buffers_to_keep
from hedgerow.plan.evaluate import Evaluation, evaluate
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.materiality import Folded
from hedgerow.plan.model import build_model
from hedgerow.plan.planner import PlannerOptions, Progress, partitions, plan_echelons
from hedgerow.plan.problem import PlanningProblem
from hedgerow.scenarios.scenario_set import ScenarioSet


@dataclass(frozen=True)
class TotalParts:
    """The figures a plan total adds up, one per item (or candidate), so that totals are summed exactly
    (:func:`math.fsum`) and do not depend on how items were split into partitions."""

    expected_cost: tuple[float, ...] = ()
    cvar: tuple[float, ...] = ()
    objective: tuple[float, ...] = ()
    capital: tuple[float, ...] = ()
    lost_units: tuple[float, ...] = ()

    @classmethod
    def of(cls, ev: Evaluation) -> TotalParts:
        """The parts of an evaluated decision."""
        return cls(
            tuple(ev.expected.tolist()),
            tuple(ev.tail.tolist()),
            tuple(ev.objective.tolist()),
            tuple(ev.capital.tolist()),
            tuple(ev.expected_lost_units.tolist()),
        )

    def __add__(self, other: TotalParts) -> TotalParts:
        return TotalParts(
            self.expected_cost + other.expected_cost,
            self.cvar + other.cvar,
            self.objective + other.objective,
            self.capital + other.capital,
            self.lost_units + other.lost_units,
        )

    def totals(self) -> PlanTotals:
        """The exact sums."""
        return PlanTotals(
            expected_cost=math.fsum(self.expected_cost),
            cvar=math.fsum(self.cvar),
            objective=math.fsum(self.objective),
            capital=math.fsum(self.capital),
            lost_units=math.fsum(self.lost_units),
        )


def _sum_parts(parts: Sequence[TotalParts]) -> TotalParts:
    out = TotalParts()
    for part in parts:
        out = out + part
    return out


def _rank_key(d: Draft) -> tuple[float, str]:
    """The queue's order: by value — the risk-adjusted saving against doing nothing, what a manager gains by
    approving — largest first; ties in a fixed order of the actions."""
    return (-round(d.value, 6), json.dumps(_action_dict(d.action), sort_keys=True))


def _ladder_key(d: Draft) -> tuple[int, float, float, str]:
    """The hedge ladder's order (where the next unit of capital goes): guardrail actions first, then by value per
    unit of capital; buffers to keep, which commit none, last."""
    vpc = d.value_per_capital
    keep = 1 if d.action.kind is ActionKind.KEEP_BUFFER else 0
    first = 0 if d.guardrail is not None else 1
    return (keep * 2 + first, -(vpc if vpc is not None else math.inf), -d.value, json.dumps(_action_dict(d.action)))


@dataclass(frozen=True)
class PartitionOutcome:
    """What a partition contributes to the plan (small: no arrays), so it can come back from a worker."""

    drafts: tuple[Draft, ...]
    notes: tuple[GuardrailNote, ...]
    totals: TotalParts
    do_nothing: TotalParts
    method: PlanMethod
    solver_status: str | None
    limits: SharedLimits | None
    folded: Folded = field(default_factory=Folded)


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
    limits = None
    if shared:
        limits = SharedLimits.from_model(build_model(problem, scenarios, items))
        if inherited is not None:
            limits.inherit(inherited)
    stages = plan_echelons(problem, scenarios, items, options=options, limits=limits)
    notes: list[GuardrailNote] = []
    drafts: list[Draft] = []
    data = freshness(problem.sources, scenarios.as_of, scenarios.snapshots)
    for pp in stages:
        stage_notes = guardrail_notes(pp.model, pp.x, pp.final, pp.ladder.events, pp.smoothed)
        notes.extend(stage_notes)
        if options.explain:
            ctx = ExplainContext(pp.model, pp.x)
            drafts.extend(draft_recommendations(ctx, notes=stage_notes, data=data))
            buffers = buffers_to_keep(pp.model, pp.x, pp.ladder.events)
            if buffers:
                drafts.extend(keep_buffer_drafts(ctx, buffers, notes=stage_notes, data=data))
    exact = [pp.exact.status.value for pp in stages if pp.exact is not None]
    return PartitionOutcome(
        drafts=tuple(drafts),
        notes=tuple(notes),
        totals=_sum_parts([TotalParts.of(pp.final) for pp in stages]),
        do_nothing=_sum_parts([TotalParts.of(evaluate(pp.model)) for pp in stages]),
        method=PlanMethod.EXACT if all(pp.method is PlanMethod.EXACT for pp in stages) else PlanMethod.LADDER,
        solver_status=",".join(sorted(set(exact))) or None,
        limits=limits,
        folded=sum((pp.folded for pp in stages), Folded()),
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
    # notes in one order whatever the partitions: by item, location, kind and message
    notes = sorted(
        (n for o in outcomes for n in o.notes),
        key=lambda n: (n.item_id or "", n.location_id or "", n.kind.value, n.message),
    )
    methods = {o.method for o in outcomes}
    statuses = sorted({o.solver_status for o in outcomes if o.solver_status is not None})
    recs = []
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
    cumulative = 0.0
    ladder = []
    for position, d in enumerate(sorted(drafts, key=_ladder_key), start=1):
        cumulative += d.capital
        ladder.append(LadderStep(position, d.action, d.capital, d.value, d.value_per_capital, cumulative, d.guardrail))
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
        totals=_sum_parts([o.totals for o in outcomes]).totals(),
        do_nothing=_sum_parts([o.do_nothing for o in outcomes]).totals(),
        snapshots=dict(scenarios.snapshots),
        folded_actions=sum(o.folded.actions for o in outcomes),
        folded_value=math.fsum(o.folded.value for o in outcomes),
    )
