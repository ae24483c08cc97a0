"""The hedge planner: the cheapest way to be wrong, within guardrails (docs/planner.md).

Entry points: :func:`make_plan` (a whole scenario chunk → an explained, ranked :class:`~hedgerow.domain.plan.Plan`),
:func:`plan_partition` (the pure unit of work over a partition of items), :func:`problem_from_frames` (contract
tables → :class:`PlanningProblem`). The building blocks — :func:`build_model`, :func:`evaluate` (the cost model),
:func:`run_ladder` (the hedge ladder) and :func:`solve_sample_average` (the exact model on HiGHS) — are public for
benchmarks and tests.
"""

from hedgerow.domain.network import BundleComponent, Item, Lane, Location, OriginKind
from hedgerow.plan.adapter import SnapshotLineage, problem_from_frames
from hedgerow.plan.evaluate import Evaluation, evaluate
from hedgerow.plan.exact import ExactOptions, ExactResult, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import LadderOptions, LadderResult, run_ladder
from hedgerow.plan.model import PlanModel, build_model
from hedgerow.plan.problem import DataSource, HoldSpec, ItemLocationSpec, OpenShipment, PlannerPolicy, PlanningProblem

# The façade (planner.py) builds explanations, and the explanations use the plan's modules: it is loaded on first
# use so that importing any hedgerow.plan module never imports hedgerow.explain half-way.
_LAZY = {"MethodChoice", "PartitionPlan", "PlannerOptions", "make_plan", "plan_partition"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from hedgerow.plan import planner

        return getattr(planner, name)
    raise AttributeError(f"module 'hedgerow.plan' has no attribute {name!r}")


__all__ = [
    "BundleComponent",
    "DataSource",
    "Evaluation",
    "ExactOptions",
    "ExactResult",
    "HoldSpec",
    "Item",
    "ItemLocationSpec",
    "LadderOptions",
    "LadderResult",
    "Lane",
    "Location",
    "MethodChoice",
    "OpenShipment",
    "OriginKind",
    "PartitionPlan",
    "PlanModel",
    "PlannerOptions",
    "PlannerPolicy",
    "PlanningProblem",
    "SnapshotLineage",
    "SolverStatus",
    "build_model",
    "evaluate",
    "make_plan",
    "plan_partition",
    "problem_from_frames",
    "run_ladder",
    "solve_sample_average",
]
