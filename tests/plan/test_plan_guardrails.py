"""Every guardrail binds on a small hand-made case, and the plan says so."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from plan_cases import PLAIN, poisson, single_item, two_locations, with_policy

from hedgerow.domain.network import BundleComponent, Item
from hedgerow.domain.plan import GuardrailKind, PlanStatus
from hedgerow.explain.guardrails import guardrail_notes
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.ladder import run_ladder
from hedgerow.plan.model import build_model
from hedgerow.plan.planner import MethodChoice, PlannerOptions, plan_partition
from hedgerow.plan.problem import ItemLocationSpec

S = 400
LADDER = PlannerOptions(method=MethodChoice.LADDER)


def _kinds(problem, scen, x=None):  # type: ignore[no-untyped-def]
    pp = plan_partition(problem, scen, options=LADDER)
    notes = guardrail_notes(pp.model, pp.x, pp.final, pp.ladder.events)
    return pp, {n.kind for n in notes if n.binding}, notes


def test_service_floor_forces_stock_above_the_cost_optimum() -> None:
    demand = poisson(20, (S, 1), "floor")
    # thin margin: the cheapest quantity runs out often
    problem, scen = single_item(demand, price=10.5, cost=10.0, policy=replace(PLAIN, leftover_value_fraction=0.5))
    free = run_ladder(build_model(problem, scen))
    p_free = evaluate(build_model(problem, scen), free.x).stockout_probability[0]
    assert p_free > 0.05
    guarded = with_policy(problem, service_floors={"A": 0.95})
    pp, kinds, _ = _kinds(guarded, scen)
    assert pp.final.stockout_probability[0] <= 0.05 + 1e-12
    assert pp.x[0] > free.x[0]
    assert GuardrailKind.SERVICE_FLOOR in kinds
    # the floor costs money: the guarded plan is worse in expected cost, never traded away
    assert pp.final.total_objective > evaluate(pp.model, free.x).total_objective


def test_budget_limits_the_plan() -> None:
    demand = poisson(30, (S, 1), "budget")
    problem, scen = single_item(demand, price=30.0, cost=10.0)
    free = plan_partition(problem, scen, options=LADDER)
    assert free.final.capital.sum() > 200
    pp, kinds, _ = _kinds(with_policy(problem, budget_total=200.0), scen)
    assert pp.final.capital.sum() <= 200.0 + 1e-9
    assert pp.x[0] == 20.0  # whole units of $10
    assert GuardrailKind.BUDGET_TOTAL in kinds


def test_region_budget_limits_only_its_region() -> None:
    problem, scen = two_locations(poisson(20, (S, 6), "ra"), poisson(20, (S, 6), "rb"), on_hand_a=0.0)
    problem = with_policy(problem, budget_per_region={"APAC": 100.0})
    pp, kinds, _ = _kinds(problem, scen)
    c = pp.model.candidates
    to_b = np.array([pp.model.il_locations[t] == "B" for t in c.target])
    assert (pp.x[to_b] * c.capital[to_b]).sum() <= 100.0 + 1e-9
    assert (pp.x[~to_b] * c.capital[~to_b]).sum() > 100.0
    assert GuardrailKind.BUDGET_REGION in kinds


def test_minimum_order_quantity_is_zero_or_at_least_the_minimum() -> None:
    demand = poisson(10, (S, 1), "moq")
    problem, scen = single_item(demand, price=40.0, cost=10.0, min_order_qty=25.0)
    pp, kinds, _ = _kinds(problem, scen)
    assert pp.x[0] == 25.0  # the unconstrained optimum (about 13) is below the minimum
    assert GuardrailKind.MIN_ORDER_QTY in kinds
    unpaid, scen2 = single_item(demand, price=10.6, cost=10.0, min_order_qty=25.0)
    pp2 = plan_partition(with_policy(unpaid, leftover_value_fraction=0.0), scen2, options=LADDER)
    assert pp2.x[0] == 0.0  # a forced lot of 25 does not pay: nothing, never a lot below the minimum


def test_lane_capacity_caps_the_order() -> None:
    demand = poisson(20, (S, 1), "cap")
    problem, scen = single_item(demand, price=30.0, cost=10.0, capacity_units_per_period=15.0)
    pp, kinds, _ = _kinds(problem, scen)
    assert pp.x[0] == 15.0
    assert GuardrailKind.LANE_CAPACITY in kinds


def test_warehouse_capacity_caps_inbound_stock() -> None:
    demand = poisson(20, (S, 1), "wh")
    problem, scen = single_item(demand, price=30.0, cost=10.0, on_hand=4.0)
    loc = replace(problem.locations[0], capacity_units=12.0)
    pp, kinds, _ = _kinds(replace(problem, locations=(loc,)), scen)
    assert pp.x[0] == 8.0
    assert GuardrailKind.WAREHOUSE_CAPACITY in kinds


@pytest.mark.parametrize(("last", "expected"), [(5.0, 15.0), (100.0, 90.0)])
def test_bounded_order_change(last: float, expected: float) -> None:
    demand = np.full((S, 1), 20.0)  # mean demand 20: the order may move by 0.5 × 20 = 10 from last period's
    demand[: S // 2] = 10.0
    demand[S // 2 :] = 30.0
    problem, scen = single_item(demand, price=30.0, cost=10.0)
    problem = replace(
        with_policy(problem, max_change_per_period=0.5),
        item_locations=(replace(problem.item_locations[0], last_order_qty=last),),
    )
    pp, kinds, notes = _kinds(problem, scen)
    assert pp.x[0] == pytest.approx(expected)
    assert GuardrailKind.MAX_ORDER_CHANGE in kinds
    assert any("[orders] max_change_per_period" in n.settings for n in notes)


def test_bundle_component_is_protected_and_carries_the_bundle_margin() -> None:
    demand_acc = poisson(5, (S, 1), "acc")
    demand_bundle = poisson(15, (S, 1), "bundle")
    problem, _ = single_item(demand_acc, price=2.2, cost=2.0, policy=replace(PLAIN, leftover_value_fraction=0.5))
    accessory = Item("SKU", "Cable", "C", 2.0, "USD")
    bundle = Item("KIT", "Cable kit", "A", 5.0, "USD")
    # a bundle is assembled from its components, so its margin is $5 - $2 = $3 per kit: its economics alone
    # stock the cable at about the 75th percentile, the bundle's 97 % floor asks for more
    with_bundle = replace(
        problem,
        items=(accessory, bundle),
        item_locations=(*problem.item_locations, ItemLocationSpec("KIT", "LOC", 5.0, "USD")),
        bundles=(BundleComponent("KIT", "SKU", 1.0),),
        policy=replace(problem.policy, service_floors={"A": 0.97, "C": 0.0}),
    )
    from hedgerow.plan.synthetic import scenario_set

    scen_b = scenario_set(
        item_ids=["SKU", "KIT"],
        location_ids=["LOC", "LOC"],
        demand=np.stack([demand_acc, demand_bundle]),
        lanes={"LANE": 0.0},
    )
    alone = plan_partition(replace(with_bundle, bundles=()), scen_b, options=LADDER)
    pp, kinds, notes = _kinds(with_bundle, scen_b)
    model = pp.model
    assert model.il_items == ("SKU",)  # the bundle is assembled when sold: no stock of its own
    assert model.floor[0] == pytest.approx(0.97)
    assert model.penalty_parts[2, 0].mean() > 10 * model.penalty_parts[0, 0].mean()
    sku_alone = alone.x[alone.model.candidates.target == alone.model.il_row("SKU", "LOC")].sum()
    assert sku_alone < 8  # on its own thin margin the accessory is barely stocked
    assert pp.x[0] > 20 + sku_alone  # the bundles' demand, protected at the bundle's floor
    assert pp.final.stockout_probability[0] <= 0.03 + 1e-12
    assert GuardrailKind.BUNDLE_COMPONENT in kinds
    assert any("bundle" in n.message for n in notes if n.kind is GuardrailKind.BUNDLE_COMPONENT)


def test_holds_are_counted_and_never_moved() -> None:
    # Tokyo (B) is short; Los Angeles (A) has 50 units of which 40 are held
    problem, scen = two_locations(
        np.full((S, 4), 1.0), poisson(30, (S, 4), "holdB"), on_hand_a=50.0, held_a=40.0, supplier_lead_days=60.0
    )
    pp = plan_partition(problem, scen, options=LADDER)
    model = pp.model
    a = model.il_row("SKU", "A")
    assert model.on_hand[a] == 50.0  # held units are part of the position
    assert model.movable[a] == 10.0
    c = model.candidates
    moved_out = pp.x[c.source == a].sum()
    assert 0 < moved_out <= 10.0  # Tokyo gets stock, but never the held units
    assert (model.inflow0[a, :, 0] == 50.0).all()  # and A's own demand is served from all 50
    notes = guardrail_notes(model, pp.x, pp.final, pp.ladder.events)
    hold = [n for n in notes if n.kind is GuardrailKind.HOLD]
    assert hold
    assert hold[0].binding
    assert "H1" in hold[0].message
    # without the hold the planner would move more: the hold binds
    free = plan_partition(replace(problem, holds=()), scen, options=LADDER)
    assert free.x[c.source == a].sum() > moved_out


def test_infeasible_floor_names_the_conflicting_settings() -> None:
    demand = poisson(20, (S, 3), "infeasible")
    problem, scen = single_item(demand, price=30.0, cost=10.0, lead_days=7.0)
    floor = with_policy(problem, service_floors={"A": 0.99})
    # lead time: orders arrive from period 1, the floor window is period 1, but the budget buys only 5 units
    plan = make_plan(with_policy(floor, budget_total=50.0), scen, options=LADDER)
    assert plan.status is PlanStatus.BEST_FEASIBLE
    bad = [g for g in plan.guardrails if g.infeasible]
    assert bad
    assert "[service] floors.A" in bad[0].settings
    assert "[finance] budget_total" in bad[0].settings
    assert "best feasible" in bad[0].message
    assert sum(r.capital for r in plan.recommendations) <= 50.0 + 1e-9


def test_floor_no_budget_can_meet_names_the_floor_and_the_lanes() -> None:
    # half of the scenarios deliver after the floor window, so no quantity and no budget reaches 99 %
    demand = poisson(20, (S, 4), "late")
    problem, scen = single_item(demand, price=30.0, cost=10.0)
    lead = np.where(np.arange(S)[:, None] % 2 == 0, 7.0, 21.0) * np.ones((S, 4))
    from hedgerow.plan.synthetic import scenario_set

    scen = scenario_set(item_ids=["SKU"], location_ids=["LOC"], demand=demand[None], lanes={"LANE": lead})
    plan = make_plan(with_policy(problem, service_floors={"A": 0.99}), scen, options=LADDER)
    assert plan.status is PlanStatus.BEST_FEASIBLE
    bad = [g for g in plan.guardrails if g.infeasible]
    assert len(bad) == 1
    assert bad[0].settings == ("[service] floors.A", "lanes (LANE)")
    assert "no lane delivers in time" in bad[0].message
    assert plan.recommendations  # the best feasible plan still orders


def test_a_floor_a_late_lane_cannot_meet_never_buys_more_than_any_scenario_can_sell() -> None:
    """In a fifth of the scenarios the lane delivers after the window: no quantity meets a 98 % floor. The order
    stays within the most demand any scenario shows over the window, and the plan says the floor is unmet."""
    from hedgerow.plan.synthetic import scenario_set

    demand = poisson(20, (S, 2), "late")
    problem, _ = single_item(demand, price=30.0, cost=10.0)
    problem = with_policy(problem, service_floors={"A": 0.98})
    late = np.where(np.arange(S)[:, None] < S // 5, 60.0, 0.0) * np.ones((S, 2))
    scen = scenario_set(item_ids=["SKU"], location_ids=["LOC"], demand=demand[None], lanes={"LANE": late})
    pp, _, notes = _kinds(problem, scen)
    window = int(pp.model.window[0])
    assert 0 < pp.x[0] <= demand[:, :window].sum(axis=1).max()
    assert pp.final.stockout_probability[0] > 0.02  # unmet, as it must be
    assert any(n.infeasible and n.kind is GuardrailKind.SERVICE_FLOOR for n in notes)
