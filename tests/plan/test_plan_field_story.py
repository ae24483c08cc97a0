"""The field story on a small synthetic network (the demo-network version follows with the CLI wiring).

A cascade: a Los Angeles port software outage (the ocean lane into LA is late and short of capacity in 40 % of
the scenarios), a US truck-driver shortage (LA → New York trucks slow and scarce), a viral demand shift for the
Gadget in Tokyo (62 % likely), and a low-margin cable that the US console kits need. hedgerow should get Gadgets
to Tokyo fast (a transfer or air), protect the cable, and name those drivers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import Mode
from hedgerow.domain.network import BundleComponent, Item, Lane, Location, OriginKind
from hedgerow.domain.plan import DriverKind, GuardrailKind, Plan
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.problem import ItemLocationSpec, OpenShipment, PlannerPolicy, PlanningProblem
from hedgerow.plan.synthetic import scenario_set
from hedgerow.scenarios.rng import Stream, stream_rng

S, T = 300, 10


def field_story(policy: PlannerPolicy | None = None) -> tuple[PlanningProblem, object]:
    rng = stream_rng(2026, Stream.SIMULATION, "field-story")
    items = (
        Item("GADGET", "Gadget", "A", 40.0, "USD", ("CN",)),
        Item("CONSOLE", "Console", "A", 150.0, "USD", ("CN",)),
        Item("CABLE", "Cable", "C", 1.0, "USD", ("CN",)),
        Item("KIT", "Console kit", "A", 0.0, "USD"),
    )
    locations = (
        Location("LA", "Los Angeles", "NA", "USD", 0.2),
        Location("NYC", "New York", "NA", "USD", 0.2),
        Location("TYO", "Tokyo", "APAC", "USD", 0.25),
    )
    ils = (
        ItemLocationSpec("GADGET", "LA", 90.0, "USD", on_hand=400.0),
        ItemLocationSpec("GADGET", "NYC", 90.0, "USD", on_hand=150.0),
        ItemLocationSpec("GADGET", "TYO", 95.0, "USD", on_hand=30.0),
        ItemLocationSpec("CONSOLE", "LA", 260.0, "USD", on_hand=300.0),
        ItemLocationSpec("CONSOLE", "NYC", 260.0, "USD", on_hand=250.0),
        ItemLocationSpec("CABLE", "LA", 1.5, "USD", on_hand=60.0),
        ItemLocationSpec("CABLE", "NYC", 1.5, "USD", on_hand=20.0),
        ItemLocationSpec("KIT", "LA", 330.0, "USD"),
        ItemLocationSpec("KIT", "NYC", 330.0, "USD"),
    )
    lanes = (
        Lane("CN-LA-OCEAN", "CN", OriginKind.SUPPLIER, "LA", Mode.OCEAN, 1.0, "USD", ports=("CNSHA", "USLAX")),
        Lane("CN-LA-AIR", "CN", OriginKind.SUPPLIER, "LA", Mode.AIR, 6.0, "USD"),
        Lane("CN-NYC-OCEAN", "CN", OriginKind.SUPPLIER, "NYC", Mode.OCEAN, 1.5, "USD", ports=("CNSHA", "USNYC")),
        Lane("CN-TYO-OCEAN", "CN", OriginKind.SUPPLIER, "TYO", Mode.OCEAN, 0.8, "USD", ports=("CNSHA", "JPTYO")),
        Lane("CN-TYO-AIR", "CN", OriginKind.SUPPLIER, "TYO", Mode.AIR, 5.0, "USD"),
        Lane("LA-NYC-TRUCK", "LA", OriginKind.LOCATION, "NYC", Mode.TRUCK, 0.6, "USD"),
        Lane("LA-TYO-AIR", "LA", OriginKind.LOCATION, "TYO", Mode.AIR, 4.0, "USD"),
        Lane("NYC-TYO-AIR", "NYC", OriginKind.LOCATION, "TYO", Mode.AIR, 4.5, "USD"),
    )
    shipments = (OpenShipment("SH-CABLE", "CABLE", "CN-LA-OCEAN", 200.0),)
    problem = PlanningProblem(
        base_currency="USD",
        items=items,
        locations=locations,
        item_locations=ils,
        lanes=lanes,
        shipments=shipments,
        bundles=(BundleComponent("KIT", "CONSOLE", 1.0), BundleComponent("KIT", "CABLE", 1.0)),
        supplier_names={"CN": "Shenzhen Works"},
        policy=policy or PlannerPolicy(),
    )
    port_outage = rng.random((S, 1)) < 0.4
    driver_shortage = rng.random((S, 1)) < 0.5
    viral = rng.random(S) < 0.62

    def lead(base: float, extra: np.ndarray | float = 0.0) -> np.ndarray:
        return base + rng.gamma(3.0, 0.7, (S, T)) + extra

    demand = {
        ("GADGET", "LA"): rng.poisson(30, (S, T)),
        ("GADGET", "NYC"): rng.poisson(20, (S, T)),
        ("GADGET", "TYO"): rng.poisson(np.where(viral[:, None], 75.0, 25.0), (S, T)),
        ("CONSOLE", "LA"): rng.poisson(15, (S, T)),
        ("CONSOLE", "NYC"): rng.poisson(12, (S, T)),
        ("CABLE", "LA"): rng.poisson(2, (S, T)),
        ("CABLE", "NYC"): rng.poisson(2, (S, T)),
        ("KIT", "LA"): rng.poisson(25, (S, T)),
        ("KIT", "NYC"): rng.poisson(20, (S, T)),
    }
    keys = list(demand)
    shift = np.array([0.62 if k == ("GADGET", "TYO") else 0.0 for k in keys])
    scen = scenario_set(
        item_ids=[k[0] for k in keys],
        location_ids=[k[1] for k in keys],
        demand=np.stack([demand[k] for k in keys]).astype(float),
        lanes={
            "CN-LA-OCEAN": lead(18.0, np.where(port_outage, 9.0, 0.0)),
            "CN-LA-AIR": lead(4.0),
            "CN-NYC-OCEAN": lead(30.0),
            "CN-TYO-OCEAN": lead(12.0),
            "CN-TYO-AIR": lead(3.0),
            "LA-NYC-TRUCK": lead(4.0, np.where(driver_shortage, 6.0, 0.0)),
            "LA-TYO-AIR": lead(3.0),
            "NYC-TYO-AIR": lead(3.5),
        },
        capacity_factor={
            "CN-LA-OCEAN": np.where(port_outage, 0.5, 1.0) * np.ones((S, T)),
            "LA-NYC-TRUCK": np.where(driver_shortage, 0.6, 1.0) * np.ones((S, T)),
        },
        disrupted={
            "CN-LA-OCEAN": np.broadcast_to(port_outage, (S, T)),
            "LA-NYC-TRUCK": np.broadcast_to(driver_shortage, (S, T)),
        },
        shipments={"SH-CABLE": 12.0 + rng.gamma(3.0, 1.0, S) + np.where(port_outage[:, 0], 9.0, 0.0)},
        shift_probability=shift,
        seed=2026,
        as_of=date(2026, 5, 4),
    )
    return problem, scen


@pytest.fixture(scope="module")
def plan() -> Plan:
    problem, scen = field_story()
    return make_plan(problem, scen)  # type: ignore[arg-type]


def test_stock_goes_to_tokyo_fast(plan: Plan) -> None:
    fast = [
        r
        for r in plan.recommendations
        if r.action.item_id == "GADGET"
        and r.action.location_id == "TYO"
        and (r.action.kind is ActionKind.TRANSFER or r.action.mode is Mode.AIR)
    ]
    assert fast, [(r.action.kind, r.action.location_id, r.action.mode) for r in plan.recommendations]
    assert sum(r.action.qty for r in fast) >= 50
    top = max(fast, key=lambda r: r.value)
    labels = " | ".join(d.label for d in top.explanation.drivers)
    shift = [d for d in top.explanation.drivers if d.kind is DriverKind.DEMAND_SHIFT]
    assert shift, labels
    assert "Tokyo demand-shift probability 62 %" in labels
    assert top.stockout_after < top.stockout_before
    assert "Tokyo" in top.explanation.summary


def test_the_accessory_the_bundles_need_is_protected(plan: Plan) -> None:
    cable = [r for r in plan.recommendations if r.action.item_id == "CABLE"]
    assert cable, [(r.action.item_id, r.action.kind) for r in plan.recommendations]
    kinds = {d.kind for r in cable for d in r.explanation.drivers}
    assert DriverKind.BUNDLE in kinds
    notes = [g for g in plan.guardrails if g.item_id == "CABLE"]
    assert any(g.kind is GuardrailKind.BUNDLE_COMPONENT for g in notes)
    # the cable is stocked for the kits: the plan keeps it available in almost every scenario
    assert all(r.stockout_after <= 0.05 + 1e-9 for r in cable if r.action.kind is not ActionKind.KEEP_BUFFER)


def test_the_cascade_is_named(plan: Plan) -> None:
    labels = [d.label for r in plan.recommendations for d in r.explanation.drivers]
    assert any("USLAX" in lab and "disruption adds" in lab for lab in labels), labels
    assert any("Los Angeles → New York truck" in lab for lab in labels), labels


def test_hedgerow_loses_less_revenue_in_tokyo_than_a_margin_maximising_plan() -> None:
    """Over the same scenarios: hedgerow (goodwill, floors, CVaR) against the plan that only maximises expected
    margin (no goodwill, no floors, risk-neutral)."""
    from hedgerow.plan.costs import simulate
    from hedgerow.plan.evaluate import evaluate, inflow_for
    from hedgerow.plan.planner import plan_partition

    # compared unsmoothed: order smoothing departs from each plan's own optimum on purpose
    margin_only = replace(PlannerPolicy().margin_only(), smoothing_periods=1.0)
    problem, scen = field_story()
    problem = replace(problem, policy=replace(problem.policy, smoothing_periods=1.0))  # type: ignore[attr-defined]
    hedged = plan_partition(problem, scen)  # type: ignore[arg-type]
    greedy = plan_partition(replace(problem, policy=margin_only), scen)  # type: ignore[arg-type]

    def lost_revenue(pp: object) -> float:
        m = pp.model  # type: ignore[attr-defined]
        flow = simulate(inflow_for(m, pp.x), m.demand, m.holding, m.floor_from, m.window)  # type: ignore[attr-defined]
        price = np.array(
            [
                next(il.unit_price for il in problem.item_locations if (il.item_id, il.location_id) == (i, loc))
                for i, loc in zip(m.il_items, m.il_locations, strict=True)
            ]
        )
        return float((flow.lost_units @ m.scenario_weight * price).sum())

    assert lost_revenue(hedged) < lost_revenue(greedy)
    # each plan is the better one by its own objective: hedging costs expected margin, and the margin-only plan
    # breaks floors the hedged plan keeps (a floor is a constraint, so it is not compared on objective)
    assert evaluate(greedy.model, greedy.x).total_objective <= evaluate(greedy.model, hedged.x).total_objective
    limit = 1.0 - hedged.model.floor + 1e-12
    kept = evaluate(hedged.model, hedged.x).stockout_probability <= limit
    assert (evaluate(hedged.model, greedy.x).stockout_probability[kept] > limit[kept]).any()
