"""Small hand-made planning problems for the planner tests (imported by the test modules)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from hedgerow.domain.enums import Mode
from hedgerow.plan.problem import (
    ItemLocationSpec,
    ItemSpec,
    LaneSpec,
    LocationSpec,
    OriginKind,
    PlannerPolicy,
    PlanningProblem,
)
from hedgerow.plan.synthetic import scenario_set
from hedgerow.scenarios.scenario_set import ScenarioSet

#: A policy with every guardrail and risk term off: pure expected cost, for textbook cases.
PLAIN = PlannerPolicy(
    service_floors={},
    default_service_floor=0.0,
    goodwill_multipliers={},
    default_goodwill_multiplier=0.0,
    risk_aversion=0.0,
    cost_of_capital_per_year=0.0,
    max_change_per_period=float("inf"),
)


def single_item(
    demand: np.ndarray,
    *,
    price: float,
    cost: float,
    lead_days: float = 0.0,
    on_hand: float = 0.0,
    holding_rate: float = 0.0,
    policy: PlannerPolicy = PLAIN,
    is_count: bool = True,
    **lane: Any,
) -> tuple[PlanningProblem, ScenarioSet]:
    """One item at one location bought on one lane from one supplier; ``demand`` is [S, T]."""
    problem = PlanningProblem(
        base_currency="USD",
        items=(ItemSpec("SKU", "Widget", "A", cost, "USD"),),
        locations=(LocationSpec("LOC", "Store", "NA", "USD", holding_rate),),
        item_locations=(ItemLocationSpec("SKU", "LOC", price, "USD", on_hand=on_hand),),
        lanes=(LaneSpec("LANE", "SUP", OriginKind.SUPPLIER, "LOC", Mode.TRUCK, 0.0, "USD", **lane),),
        policy=policy,
    )
    scen = scenario_set(
        item_ids=["SKU"], location_ids=["LOC"], demand=demand[None], lanes={"LANE": lead_days}, is_count=is_count
    )
    return problem, scen


def with_policy(problem: PlanningProblem, **changes: Any) -> PlanningProblem:
    """The same problem under a changed policy."""
    return replace(problem, policy=replace(problem.policy, **changes))
