"""Exposure and landed cost on a network small enough to check by hand (numbers worked out in comments)."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.supply.exposure import ElementType, ItemLocationPosition, exposure_report, tail_stats
from hedgerow.supply.landed_cost import landed_costs, margin_paths, supply_routes
from hedgerow.supply.network import LaneNetwork
from tests.supply.supply_fixtures import frame, lanes, locations, suppliers

# Item A from S-CN (10 USD) sold in LA at 25 USD. Lanes into LA from S-CN: ocean (1 USD/unit, via CNSHA and
# USLAX) and air (5 USD/unit, no port). Without history the cheapest, ocean, carries all the flow.
ITEMS = frame([{"item_id": "A", "name": "a", "item_class": "A", "unit_cost": 10.0, "cost_currency": "USD",
                "supplier_id": "S-CN"}])  # fmt: skip
ITEM_LOCATIONS = frame([{"item_id": "A", "location_id": "LA", "unit_price": 25.0, "price_currency": "USD"}])


def _network() -> LaneNetwork:
    return LaneNetwork.from_frames(lanes(), locations(), suppliers())


def _demand() -> dict[tuple[str, str], np.ndarray]:
    # 20 scenarios × 8 weeks: 10 units a week in 19 scenarios, 20 a week in the last one
    paths = np.full((20, 8), 10.0)
    paths[-1] = 20.0
    return {("A", "LA"): paths}


def _position() -> ItemLocationPosition:
    return ItemLocationPosition("A", "LA", "A", on_hand=15.0, inbound_by_lane={"CN-LA-OC": 5.0},
                                holding_rate_per_year=0.28)  # fmt: skip


def test_routes_and_landed_cost() -> None:
    net = _network()
    routes = supply_routes(ITEMS, ITEM_LOCATIONS, net, None)
    assert {(r.lane_id, r.share) for r in routes} == {("CN-LA-AIR", 0.0), ("CN-LA-OC", 1.0)}
    costs = {c.lane_id: c for c in landed_costs(routes, ITEMS, ITEM_LOCATIONS, net, {}, "USD")}
    assert costs["CN-LA-OC"].landed_base == 11.0
    assert costs["CN-LA-OC"].margin_base == 14.0
    assert costs["CN-LA-AIR"].margin_base == 10.0


def test_exposure_figures_by_hand() -> None:
    net = _network()
    costs = landed_costs(supply_routes(ITEMS, ITEM_LOCATIONS, net, None), ITEMS, ITEM_LOCATIONS, net, {}, "USD")
    rows = {(r.element_type, r.element_id): r for r in exposure_report([_position()], costs, _demand(), net, weeks=4)}
    # The air lane carries no flow and the ocean lane can be routed around: air is not listed.
    assert set(rows) == {
        (ElementType.LANE, "CN-LA-OC"),
        (ElementType.PORT, "CNSHA"),
        (ElementType.PORT, "USLAX"),
        (ElementType.SUPPLIER, "S-CN"),
    }
    # Ocean lane out 4 weeks: switch to air, paying 15 − 11 = 4 more per unit on D_4 = 40 (or 80) units.
    lane = rows[(ElementType.LANE, "CN-LA-OC")]
    assert lane.dependence_share == 1.0
    assert not lane.single_source
    assert lane.expected_lost_margin == pytest.approx((19 * 160 + 320) / 20)  # 168
    assert lane.cvar95_lost_margin == pytest.approx(320.0)
    assert rows[(ElementType.PORT, "USLAX")].expected_lost_margin == pytest.approx(168.0)
    # Supplier out 4 weeks: no way around it. Stock 15 (the 5 in transit on its ocean lane are stuck):
    # lost 40 − 15 = 25 units × margin 14 = 350 (19 scenarios), 80 − 15 = 65 × 14 = 910 (1 scenario).
    sup = rows[(ElementType.SUPPLIER, "S-CN")]
    assert sup.single_source_items == ("A",)
    assert sup.expected_lost_margin == pytest.approx((19 * 350 + 910) / 20)  # 378
    assert sup.var95_lost_margin == pytest.approx(350 + 0.05 * 560)  # linear 95th percentile of 20 values
    assert sup.cvar95_lost_margin == pytest.approx(910.0)  # the worst 5 % is the one 20-a-week scenario
    assert sup.second_source_avoids_expected == pytest.approx(378.0)
    # Buffer covering D_4 in 95 % of scenarios: q95(D_4) = 40 + 0.05 × 40 = 42 → 42 − 15 = 27 units,
    # held at landed cost 11 × 0.28 a year.
    assert sup.buffer_units == pytest.approx(27.0)
    assert sup.buffer_holding_cost_per_year == pytest.approx(27 * 11 * 0.28)


def test_a_second_source_removes_the_single_source_flag() -> None:
    net = _network()
    routes = supply_routes(ITEMS, ITEM_LOCATIONS, net, None)
    costs = landed_costs(routes, ITEMS, ITEM_LOCATIONS, net, {}, "USD")
    # a second supplier's lane into LA (same costs as the ocean lane, no port)
    second = lanes().to_dict("records")
    second.append({"lane_id": "DE-LA-TRUCK", "origin_id": "S-DE", "destination_id": "LA", "mode": "truck",
                   "cost_per_unit": 1.0, "cost_currency": "USD", "transit_days": 3.0, "ports": None})  # fmt: skip
    net2 = LaneNetwork.from_frames(frame(second), locations(), suppliers())
    items2 = ITEMS.assign(supplier_id=None)  # unknown supplier: every supplier lane into LA is a candidate
    costs2 = landed_costs(supply_routes(items2, ITEM_LOCATIONS, net2, None), items2, ITEM_LOCATIONS, net2, {}, "USD")
    rows = exposure_report([_position()], costs2, _demand(), net2, weeks=4)
    assert not any(r.single_source for r in rows)
    assert any(r.single_source for r in exposure_report([_position()], costs, _demand(), net, weeks=4))


def test_currency_exposure_by_hand() -> None:
    net = _network()
    il = ITEM_LOCATIONS.assign(unit_price=2500.0, price_currency="JPY")
    il["price_currency"] = il["price_currency"].astype("string")
    costs = landed_costs(supply_routes(ITEMS, il, net, None), ITEMS, il, net, {"JPY": 100.0}, "USD")
    fx = np.ones((2, 20, 8))
    fx[0] = 125.0  # JPY weakens from 100 to 125 per USD in every scenario
    rows = exposure_report([_position()], costs, _demand(), net, weeks=4, currencies=("JPY", "USD"), fx=fx,
                           base_currency="USD")  # fmt: skip
    jpy = next(r for r in rows if r.element_type is ElementType.CURRENCY)
    # price 2,500 JPY = 25 USD at spot, 20 USD after: 5 USD less per unit on 40 (or 80) units
    assert jpy.element_id == "JPY"
    assert jpy.expected_lost_margin == pytest.approx((19 * 200 + 400) / 20)
    assert jpy.dependence_share == pytest.approx(25 / (25 + 10 + 1))  # revenue leg of the gross flows
    margin = margin_paths(costs[1], ("JPY", "USD"), fx, 3)
    assert margin == pytest.approx(np.full(20, 20 - 11))


def test_tail_stats_known_answer() -> None:
    mean, var, cvar = tail_stats(np.arange(100, dtype=float))
    assert mean == 49.5
    assert var == pytest.approx(94.05)
    assert cvar == pytest.approx(97.0)  # mean of 95..99
