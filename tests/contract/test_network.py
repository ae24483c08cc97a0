"""One network, read once: `hedgerow plan` and the simulator see the same item-locations, lanes, suppliers, costs
and parents (issue 13), and the sourcing rule gives a store behind a DC its DC as parent (docs/network.md)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from hedgerow.config import Settings
from hedgerow.contract.network import network_from_frames
from hedgerow.domain.enums import Mode, TableName
from hedgerow.domain.network import Item, ItemLocation, Lane, Location, Network, OriginKind
from hedgerow.plan.adapter import problem_from_frames
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.model import build_model
from hedgerow.plan.synthetic import scenario_set
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from tests.sim.helpers import network_frames


@pytest.fixture(scope="module")
def both() -> tuple[object, object]:
    frames = network_frames()
    settings = Settings()
    as_of = (pd.Timestamp(frames[TableName.DEMAND]["period_start"].max()) + timedelta(days=7)).date()
    problem = problem_from_frames(frames, settings, as_of=as_of)
    inputs = inputs_from_frames(frames, settings, FrameOptions(periods=40))
    return problem, inputs


def test_plan_and_simulator_see_the_same_item_locations_and_parents(both: tuple[object, object]) -> None:
    problem, inputs = both
    plan_keys = {(il.item_id, il.location_id) for il in problem.item_locations}  # type: ignore[attr-defined]
    sim_keys = set(zip(inputs.item_ids, inputs.location_ids, strict=True))  # type: ignore[attr-defined]
    assert plan_keys == sim_keys
    assert ("CHG-65", "DC-LA") in plan_keys  # the DC the stores imply, though item_locations does not list it
    plan_parents = {(i, loc): p for i, loc, p in problem.parents}  # type: ignore[attr-defined]
    sim_parents = {
        (inputs.item_ids[k], inputs.location_ids[k]): inputs.location_ids[int(inputs.parent[k])]  # type: ignore[attr-defined]
        for k in np.flatnonzero(inputs.parent >= 0)  # type: ignore[attr-defined]
    }
    assert plan_parents == sim_parents
    assert plan_parents[("CHG-65", "ST-1")] == "DC-LA"
    assert ("CHG-65", "TYO") not in plan_parents  # bought directly by air


def test_plan_and_simulator_see_the_same_lanes_suppliers_and_costs(both: tuple[object, object]) -> None:
    problem, inputs = both
    plan_lanes = {
        lane.lane_id: (lane.origin_id, lane.destination_id, lane.mode.value, lane.cost_per_unit, lane.cost_currency)
        for lane in problem.lanes  # type: ignore[attr-defined]
    }
    sim_lanes = {
        inputs.lane_ids[k]: (  # type: ignore[attr-defined]
            inputs.lane_origin[k],  # type: ignore[attr-defined]
            inputs.lane_destination[k],  # type: ignore[attr-defined]
            inputs.lane_mode[k],  # type: ignore[attr-defined]
            float(inputs.lane_cost_per_unit[k]),  # type: ignore[attr-defined]
            inputs.currencies[int(inputs.lane_currency[k])],  # type: ignore[attr-defined]
        )
        for k in range(len(inputs.lane_ids))  # type: ignore[attr-defined]
    }
    assert plan_lanes == sim_lanes
    # each item-location is replenished on the same lanes: the planner's orders from its suppliers (its candidates),
    # or the lanes from its DC, are the simulator's lane options
    scen = scenario_set(
        item_ids=[il.item_id for il in problem.item_locations],  # type: ignore[attr-defined]
        location_ids=[il.location_id for il in problem.item_locations],  # type: ignore[attr-defined]
        demand=np.ones((len(problem.item_locations), 5, 8)),  # type: ignore[attr-defined]
        lanes={lane.lane_id: lane.transit_days or 7.0 for lane in problem.lanes},  # type: ignore[attr-defined]
    )
    model = build_model(problem, scen)  # type: ignore[arg-type]
    c = model.candidates
    parents = {(i, loc): p for i, loc, p in problem.parents}  # type: ignore[attr-defined]
    for r in range(model.n_il):
        key = (model.il_items[r], model.il_locations[r])
        k = next(i for i in range(len(inputs.item_ids)) if (inputs.item_ids[i], inputs.location_ids[i]) == key)  # type: ignore[attr-defined]
        sim = {inputs.lane_ids[int(li)] for li in inputs.lane_options[k] if li >= 0}  # type: ignore[attr-defined]
        if key in parents:
            plan = {
                lane.lane_id
                for lane in problem.lanes  # type: ignore[attr-defined]
                if lane.origin_id == parents[key] and lane.destination_id == key[1]
            }
        else:
            plan = {
                model.lanes.lanes[c.lane[j]].lane_id
                for j in np.flatnonzero((c.target == r) & (c.kind == CandidateKind.ORDER))
            }
        assert plan == sim, key
    # suppliers and costs
    for item in problem.items:  # type: ignore[attr-defined]
        rows = [k for k, i in enumerate(inputs.item_ids) if i == item.item_id]  # type: ignore[attr-defined]
        assert float(inputs.unit_cost[rows[0]]) == pytest.approx(item.unit_cost)  # type: ignore[attr-defined]
    rate = {loc.location_id: loc.holding_cost_rate_per_year for loc in problem.locations}  # type: ignore[attr-defined]
    coc = problem.policy.cost_of_capital_per_year  # type: ignore[attr-defined]
    for k, loc in enumerate(inputs.location_ids):  # type: ignore[attr-defined]
        assert inputs.holding_rate_per_year[k] == pytest.approx(rate[loc] + coc)  # type: ignore[attr-defined]


def test_the_sourcing_rule_resolves_dcs_of_dcs_and_stays_a_forest() -> None:
    """Supplier → regional DC → local DC → store, with a transfer lane back from the store and between the DCs:
    the store's parent is the local DC, whose parent is the regional DC; both are implied item-locations."""
    lane = lambda lid, o, d, kind: Lane(lid, o, kind, d, Mode.TRUCK, 1.0, "USD", transit_days=1.0)  # noqa: E731
    net = Network.build(
        items=[Item("SKU", "Widget", "A", 5.0, "USD", ("SUP",))],
        locations=[Location(x, x, "NA", "USD", 0.2) for x in ("RDC", "LDC", "STORE")],
        suppliers=[],
        lanes=[
            lane("S-R", "SUP", "RDC", OriginKind.SUPPLIER),
            lane("R-L", "RDC", "LDC", OriginKind.LOCATION),
            lane("L-S", "LDC", "STORE", OriginKind.LOCATION),
            lane("S-L", "STORE", "LDC", OriginKind.LOCATION),
            lane("L-R", "LDC", "RDC", OriginKind.LOCATION),
        ],
        item_locations=[ItemLocation("SKU", "STORE", 9.0, "USD")],
    )
    keys = [il.key for il in net.item_locations]
    assert keys == [("SKU", "STORE"), ("SKU", "LDC"), ("SKU", "RDC")]
    assert [il.implied for il in net.item_locations] == [False, True, True]
    assert net.parent == (1, 2, -1)
    assert net.supply == (("L-S",), ("R-L",), ("S-R",))
    assert net.echelon == (0, 1, 2)


def test_network_from_frames_reads_what_the_contract_says() -> None:
    net = network_from_frames(network_frames())
    assert net.item("CHG-65").supplier_ids == ("SUP-CN",)
    assert net.lane("CN-LA-OCN").ports == ("CNSHA", "USLAX")
    assert net.lane("LA-ST1").origin_kind is OriginKind.LOCATION
    assert net.location("TYO").country == "JP"
