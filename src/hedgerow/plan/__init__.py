"""The hedge planner: the cheapest way to be wrong, within guardrails (docs/planner.md).

Entry points: :func:`plan_partition` (the pure unit of work over a partition of items), :func:`plan_echelons` (a
partition echelon by echelon: stores, then their distribution centres), :func:`problem_from_frames` (contract
tables → :class:`PlanningProblem`). Explained, ranked plans are made after planning, by
:func:`hedgerow.pipeline.make_plan`. The building blocks — :func:`build_model`, :func:`evaluate` (the cost model),
:func:`run_ladder` (the hedge ladder) and :func:`solve_sample_average` (the exact model on HiGHS) — are public for
benchmarks and tests.
"""

from hedgerow.domain.network import BundleComponent, Item, Lane, Location, OriginKind
from hedgerow.plan.adapter import SnapshotLineage, problem_from_frames
from hedgerow.plan.evaluate import Evaluation, evaluate
from hedgerow.plan.exact import ExactOptions, ExactResult, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import LadderOptions, LadderResult, run_ladder
from hedgerow.plan.model import PlanModel, build_model
from hedgerow.plan.planner import MethodChoice, PartitionPlan, PlannerOptions, plan_echelons, plan_partition
from hedgerow.plan.problem import DataSource, HoldSpec, ItemLocationSpec, OpenShipment, PlannerPolicy, PlanningProblem

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
    "plan_echelons",
    "plan_partition",
    "problem_from_frames",
    "run_ladder",
    "solve_sample_average",
]
