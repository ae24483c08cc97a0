"""The planner pays each scenario's freight rate: cost_per_unit × the scenario's multiplier (issue 19)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from plan_cases import PLAIN

from hedgerow.domain.enums import Mode
from hedgerow.domain.network import Item, Lane, Location, OriginKind
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.ladder import run_ladder
from hedgerow.plan.model import build_model
from hedgerow.plan.problem import ItemLocationSpec, PlanningProblem
from hedgerow.plan.synthetic import scenario_set
from hedgerow.scenarios.rng import Stream, stream_rng

S = 200


def _problem() -> PlanningProblem:
    """One item at one store, bought from one supplier by ocean ($1.00 a unit) or by air ($1.20 a unit)."""
    return PlanningProblem(
        base_currency="USD",
        items=(Item("SKU", "Widget", "A", 10.0, "USD"),),
        locations=(Location("LOC", "Store", "NA", "USD", 0.0),),
        item_locations=(ItemLocationSpec("SKU", "LOC", 20.0, "USD"),),
        lanes=(
            Lane("OCEAN", "SUP", OriginKind.SUPPLIER, "LOC", Mode.OCEAN, 1.0, "USD"),
            Lane("AIR", "SUP", OriginKind.SUPPLIER, "LOC", Mode.AIR, 1.2, "USD"),
        ),
        policy=replace(PLAIN, leftover_value_fraction=0.5),
    )


def _scenarios(ocean_freight: np.ndarray | None) -> object:
    demand = stream_rng(5, Stream.DEMAND, "freight").poisson(20.0, (1, S, 2)).astype(float)
    return scenario_set(
        item_ids=["SKU"],
        location_ids=["LOC"],
        demand=demand,
        lanes={"OCEAN": 0.0, "AIR": 0.0},
        freight=None if ocean_freight is None else {"OCEAN": ocean_freight},
    )


def test_candidate_transport_is_the_lane_rate_times_the_scenario_multiplier() -> None:
    mult = np.ones((S, 2))
    mult[:, 0] = np.linspace(0.5, 3.0, S)
    model = build_model(_problem(), _scenarios(mult))  # type: ignore[arg-type]
    c = model.candidates
    ocean = int(np.flatnonzero((c.kind == CandidateKind.ORDER) & (c.lane == model.lanes.row("OCEAN")))[0])
    air = int(np.flatnonzero(c.lane == model.lanes.row("AIR"))[0])
    # full capacity: the whole booking leaves in period 0 at that period's rate
    np.testing.assert_allclose(c.cost_parts[0, ocean], 1.0 * mult[:, 0])
    np.testing.assert_allclose(c.cost_parts[0, air], 1.2)
    # capital is committed at today's rate
    assert c.capital[ocean] == pytest.approx(10.0 + 1.0)


def test_the_ocean_or_air_choice_sees_the_freight_tail() -> None:
    problem = _problem()
    constant = build_model(problem, _scenarios(None))  # type: ignore[arg-type]
    lanes = [constant.lanes.lanes[li].lane_id for li in constant.candidates.lane]
    x = run_ladder(constant).x
    assert x[lanes.index("OCEAN")] > 0
    assert x[lanes.index("AIR")] == 0
    # ocean rates quadruple in one scenario in ten (a closure): on average $1.30 a unit, dearer than air's $1.20
    mult = np.ones((S, 2))
    mult[::10, 0] = 4.0
    spiky = build_model(problem, _scenarios(mult))  # type: ignore[arg-type]
    assert float(spiky.candidates.cost_parts[0, lanes.index("OCEAN")].mean()) == pytest.approx(1.3)
    y = run_ladder(spiky).x
    assert y[lanes.index("AIR")] > 0
    assert y[lanes.index("OCEAN")] == 0
    assert y[lanes.index("AIR")] == x[lanes.index("OCEAN")]  # the same quantity, on the other mode
