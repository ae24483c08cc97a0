"""Small hand-made planning problems for the planner tests (imported by the test modules)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from hedgerow.domain.enums import Mode
from hedgerow.domain.network import Item, Lane, Location, OriginKind
from hedgerow.plan.problem import ItemLocationSpec, PlannerPolicy, PlanningProblem
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
    smoothing_periods=1.0,
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
        items=(Item("SKU", "Widget", "A", cost, "USD"),),
        locations=(Location("LOC", "Store", "NA", "USD", holding_rate),),
        item_locations=(ItemLocationSpec("SKU", "LOC", price, "USD", on_hand=on_hand),),
        lanes=(Lane("LANE", "SUP", OriginKind.SUPPLIER, "LOC", Mode.TRUCK, 0.0, "USD", **lane),),
        policy=policy,
    )
    scen = scenario_set(
        item_ids=["SKU"], location_ids=["LOC"], demand=demand[None], lanes={"LANE": lead_days}, is_count=is_count
    )
    return problem, scen


def with_policy(problem: PlanningProblem, **changes: Any) -> PlanningProblem:
    """The same problem under a changed policy."""
    return replace(problem, policy=replace(problem.policy, **changes))


def poisson(lam: float, shape: tuple[int, ...], key: str) -> np.ndarray:
    """Poisson demand drawn from the project's seeded streams."""
    from hedgerow.scenarios.rng import Stream, stream_rng

    return stream_rng(7, Stream.DEMAND, key).poisson(lam, shape).astype(float)


def two_locations(
    demand_a: np.ndarray,
    demand_b: np.ndarray,
    *,
    on_hand_a: float,
    on_hand_b: float = 0.0,
    held_a: float = 0.0,
    policy: PlannerPolicy = PLAIN,
    supplier_lead_days: float = 28.0,
    transfer_lead_days: float = 0.0,
) -> tuple[PlanningProblem, ScenarioSet]:
    """One item at locations A (region NA) and B (region APAC); a supplier lane into each, transfers both ways."""
    from datetime import date

    from hedgerow.plan.problem import HoldSpec

    holds = (HoldSpec("H1", "SKU", "A", held_a, "Ana", "launch buffer", date(2026, 6, 30)),) if held_a else ()
    problem = PlanningProblem(
        base_currency="USD",
        items=(Item("SKU", "Widget", "A", 10.0, "USD"),),
        locations=(
            Location("A", "Los Angeles", "NA", "USD", 0.2),
            Location("B", "Tokyo", "APAC", "USD", 0.2),
        ),
        item_locations=(
            ItemLocationSpec("SKU", "A", 20.0, "USD", on_hand=on_hand_a),
            ItemLocationSpec("SKU", "B", 20.0, "USD", on_hand=on_hand_b),
        ),
        lanes=(
            Lane("SUP-A", "SUP", OriginKind.SUPPLIER, "A", Mode.OCEAN, 0.5, "USD"),
            Lane("SUP-B", "SUP", OriginKind.SUPPLIER, "B", Mode.OCEAN, 0.5, "USD"),
            Lane("A-B", "A", OriginKind.LOCATION, "B", Mode.AIR, 1.0, "USD"),
            Lane("B-A", "B", OriginKind.LOCATION, "A", Mode.AIR, 1.0, "USD"),
        ),
        holds=holds,
        supplier_names={"SUP": "Acme"},
        policy=policy,
    )
    scen = scenario_set(
        item_ids=["SKU", "SKU"],
        location_ids=["A", "B"],
        demand=np.stack([demand_a, demand_b]),
        lanes={
            "SUP-A": supplier_lead_days,
            "SUP-B": supplier_lead_days,
            "A-B": transfer_lead_days,
            "B-A": transfer_lead_days,
        },
    )
    return problem, scen


def many_locations(
    demand: np.ndarray,
    *,
    price: np.ndarray,
    cost: float = 10.0,
    on_hand: np.ndarray | None = None,
    lead_days: float = 0.0,
    policy: PlannerPolicy = PLAIN,
) -> tuple[PlanningProblem, ScenarioSet]:
    """One item sold at ``len(demand)`` stores, each buying on its own supplier lane; ``demand`` is [n, S, T],
    ``price`` [n] the selling price at each store (USD), ``on_hand`` [n] its stock now."""
    n = demand.shape[0]
    stock = np.zeros(n) if on_hand is None else on_hand
    locs = [f"STORE-{k:03d}" for k in range(n)]
    problem = PlanningProblem(
        base_currency="USD",
        items=(Item("SKU", "Widget", "A", cost, "USD"),),
        locations=tuple(Location(loc, f"Store {k}", "NA", "USD", 0.25) for k, loc in enumerate(locs)),
        item_locations=tuple(
            ItemLocationSpec("SKU", loc, float(price[k]), "USD", on_hand=float(stock[k])) for k, loc in enumerate(locs)
        ),
        lanes=tuple(Lane(f"SUP-{loc}", "SUP", OriginKind.SUPPLIER, loc, Mode.TRUCK, 0.0, "USD") for loc in locs),
        policy=policy,
    )
    scen = scenario_set(
        item_ids=["SKU"] * n,
        location_ids=locs,
        demand=demand,
        lanes={f"SUP-{loc}": lead_days for loc in locs},
    )
    return problem, scen
