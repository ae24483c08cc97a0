"""Two echelons by hand: a DC that feeds two stores (issue 13).

One item bought from one supplier into a DC (two periods away), sent on to two stores the same day; demand is
10 and 20 units a period at the stores in every scenario, so each stage's answer is known exactly:

* the stores want one period of demand each (10 and 20) — what a plan covers until the next plan's order arrives;
* with 25 units at the DC they get a share of it in proportion to what they asked for (25 × 10/30 and 25 × 20/30,
  in whole units by the largest remainder: 8 and 17);
* the DC orders up to what its stores will draw over its protection interval — what they could not get now (5)
  plus their demand of periods 1 and 2 (60) — against its position (nothing left, nothing on order): 65.
"""

from __future__ import annotations

import numpy as np
import pytest
from plan_cases import PLAIN

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import Mode
from hedgerow.domain.network import Item, Lane, Location, OriginKind
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.planner import plan_echelons
from hedgerow.plan.problem import ItemLocationSpec, OpenShipment, PlanningProblem
from hedgerow.plan.synthetic import scenario_set

S, T = 7, 6


def network(dc_on_hand: float, pipeline: float = 0.0, eta_days: float = 21.0) -> tuple[PlanningProblem, object]:
    stores = ("S1", "S2")
    problem = PlanningProblem(
        base_currency="USD",
        items=(Item("SKU", "Widget", "A", 10.0, "USD", ("SUP",)),),
        locations=(
            Location("DC", "Central DC", "NA", "USD", 0.10),
            Location("S1", "Store one", "NA", "USD", 0.20),
            Location("S2", "Store two", "NA", "USD", 0.20),
        ),
        item_locations=(
            ItemLocationSpec("SKU", "S1", 20.0, "USD"),
            ItemLocationSpec("SKU", "S2", 20.0, "USD"),
            ItemLocationSpec("SKU", "DC", 20.0, "USD", on_hand=dc_on_hand, sells=False),
        ),
        lanes=(
            Lane("SUP-DC", "SUP", OriginKind.SUPPLIER, "DC", Mode.TRUCK, 0.0, "USD", transit_days=14.0),
            Lane("DC-S1", "DC", OriginKind.LOCATION, "S1", Mode.TRUCK, 0.0, "USD", transit_days=0.0),
            Lane("DC-S2", "DC", OriginKind.LOCATION, "S2", Mode.TRUCK, 0.0, "USD", transit_days=0.0),
        ),
        shipments=(OpenShipment("P1", "SKU", "SUP-DC", pipeline, eta_days=eta_days),) if pipeline else (),
        supplier_names={"SUP": "Acme"},
        policy=PLAIN,
        parents=tuple(("SKU", s, "DC") for s in stores),
    )
    demand = np.stack([np.full((S, T), 10.0), np.full((S, T), 20.0)])
    scen = scenario_set(
        item_ids=["SKU", "SKU"],
        location_ids=list(stores),
        demand=demand,
        lanes={"SUP-DC": 14.0, "DC-S1": 0.0, "DC-S2": 0.0},
        shipments={"P1": np.full(S, eta_days)} if pipeline else None,
    )
    return problem, scen


def _units(stages: tuple[object, ...]) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for pp in stages:
        m = pp.model  # type: ignore[attr-defined]
        c = m.candidates
        for j in np.flatnonzero(pp.x > 0):  # type: ignore[attr-defined]
            lane = m.lanes.lanes[c.lane[j]].lane_id
            key = (m.il_locations[c.target[j]], lane, "transfer" if c.source[j] >= 0 else "order")
            out[key] = out.get(key, 0.0) + float(pp.x[j])  # type: ignore[attr-defined]
    return out


def test_a_short_dc_is_shared_and_orders_what_its_stores_will_draw() -> None:
    problem, scen = network(dc_on_hand=25.0)
    stages = plan_echelons(problem, scen)  # type: ignore[arg-type]
    assert len(stages) == 2
    assert _units(stages) == {
        ("S1", "DC-S1", "transfer"): 8.0,
        ("S2", "DC-S2", "transfer"): 17.0,
        ("DC", "SUP-DC", "order"): 65.0,
    }


def test_a_dc_with_enough_counts_its_position_and_stock_on_order() -> None:
    # 100 at the DC: the stores get all they want (30); 70 left covers the 60 they will draw -> no order
    assert _units(plan_echelons(*network(dc_on_hand=100.0))) == {  # type: ignore[arg-type]
        ("S1", "DC-S1", "transfer"): 10.0,
        ("S2", "DC-S2", "transfer"): 20.0,
    }
    # 40 at the DC and 15 arriving after the interval: position 10 + 15 = 25 against 60 -> order 35 (stock that is
    # merely late is not ordered again)
    assert _units(plan_echelons(*network(dc_on_hand=40.0, pipeline=15.0)))[("DC", "SUP-DC", "order")] == 35.0  # type: ignore[arg-type]


def test_an_empty_dc_still_hears_what_its_stores_want() -> None:
    # nothing at the DC and nothing coming: the stores get nothing now, and the DC orders what they asked for (30)
    # on top of their demand over its protection interval (60)
    assert _units(plan_echelons(*network(dc_on_hand=0.0))) == {("DC", "SUP-DC", "order"): 90.0}  # type: ignore[arg-type]


def test_a_receipt_due_this_period_is_passed_on_to_the_stores() -> None:
    # nothing on the DC's shelves but 12 units arriving this period: the stores share the 12 (4 and 8, in proportion
    # to the 10 and 20 they asked for); the DC's position is 0 + 12 on order - 12 sent on = 0, so it orders the 18
    # they could not get plus the 60 they will draw: 78
    assert _units(plan_echelons(*network(dc_on_hand=0.0, pipeline=12.0, eta_days=0.0))) == {  # type: ignore[arg-type]
        ("S1", "DC-S1", "transfer"): 4.0,
        ("S2", "DC-S2", "transfer"): 8.0,
        ("DC", "SUP-DC", "order"): 78.0,
    }


def test_both_echelons_are_recommended_and_explained() -> None:
    problem, scen = network(dc_on_hand=25.0)
    plan = make_plan(problem, scen)  # type: ignore[arg-type]
    by_kind = {(r.action.kind, r.action.location_id): r for r in plan.recommendations}
    order = by_kind[(ActionKind.ORDER, "DC")]
    assert order.action.qty == pytest.approx(65.0)
    assert order.explanation.summary
    assert order.value > 0
    for store, qty in (("S1", 8.0), ("S2", 17.0)):
        rec = by_kind[(ActionKind.TRANSFER, store)]
        assert rec.action.qty == pytest.approx(qty)
        assert rec.explanation.summary
