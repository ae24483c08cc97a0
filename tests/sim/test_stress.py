"""Stress shocks change exactly what they name: the fields, the lanes, the rows and the periods."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from hedgerow.config import Settings
from hedgerow.errors import SimulationInputError
from hedgerow.sim.costs import cost_arrays
from hedgerow.sim.engine import simulate
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.metrics import compute_metrics
from hedgerow.sim.policies import OrderUpToPolicy
from hedgerow.sim.stress import StressName, apply_shock
from tests.sim.helpers import network_frames


@pytest.fixture(scope="module")
def network() -> SimInputs:
    return inputs_from_frames(network_frames(), Settings(), FrameOptions(periods=40))


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


@pytest.mark.parametrize("name", list(StressName))
def test_each_shock_changes_exactly_the_fields_it_names(network: SimInputs, name: StressName) -> None:
    shock = apply_shock(network, name)
    assert shock.changed
    for f in fields(SimInputs):
        before, after = getattr(network, f.name), getattr(shock.inputs, f.name)
        if f.name in shock.changed:
            assert not _same(before, after), f"{name} names {f.name} but left it unchanged"
        else:
            assert _same(before, after), f"{name} changed {f.name}, which it does not name"


def _lanes(network: SimInputs, ids: list[str]) -> np.ndarray:
    return np.array([network.lane_ids.index(i) for i in ids])


def test_port_closure_delays_exactly_the_goods_due_while_the_port_is_closed(network: SimInputs) -> None:
    start, weeks = network.start + 5, 3
    shock = apply_shock(network, "port_closure", port="USLAX", weeks=weeks, start=start)
    assert shock.target["lanes"] == ["CN-LA-OCN"]
    lane = network.lane_ids.index("CN-LA-OCN")
    before, after = network.lane_lead_time_days, shock.inputs.lane_lead_time_days
    others = np.ones(len(network.lane_ids), dtype=bool)
    others[lane] = False
    np.testing.assert_array_equal(before[others], after[others])
    depart = np.arange(network.n_periods) * 7
    arrival = depart + before[lane]
    closed = (arrival >= start * 7) & (arrival < (start + weeks) * 7)
    assert closed.any()
    np.testing.assert_array_equal(after[lane, ~closed], before[lane, ~closed])
    np.testing.assert_array_equal(depart[closed] + after[lane, closed], (start + weeks) * 7)


def test_strike_slows_and_thins_only_the_inbound_lanes_of_its_country_in_its_window(network: SimInputs) -> None:
    start = network.start + 4
    shock = apply_shock(network, "strike", country="JP", weeks=2, start=start, delay_days=5.0, capacity_cut=0.5)
    lane = network.lane_ids.index("CN-TYO-AIR")
    assert shock.target["lanes"] == ["CN-TYO-AIR"]
    d_lt = shock.inputs.lane_lead_time_days - network.lane_lead_time_days
    d_cap = shock.inputs.lane_capacity_factor / network.lane_capacity_factor
    expected_lt = np.zeros_like(d_lt)
    expected_lt[lane, start : start + 2] = 5.0
    np.testing.assert_allclose(d_lt, expected_lt)
    expected_cap = np.ones_like(d_cap)
    expected_cap[lane, start : start + 2] = 0.5
    np.testing.assert_allclose(d_cap, expected_cap)


def test_supplier_failure_stops_only_that_suppliers_lanes_in_its_window(network: SimInputs) -> None:
    start = network.start + 2
    shock = apply_shock(network, "supplier_failure", supplier="SUP-CN", weeks=4, start=start)
    lanes = _lanes(network, ["CN-LA-OCN", "CN-LA-AIR", "CN-TYO-AIR"])
    assert set(shock.target["lanes"]) == {"CN-LA-OCN", "CN-LA-AIR", "CN-TYO-AIR"}  # type: ignore[call-overload]
    expected = network.lane_capacity_factor.copy()
    expected[np.ix_(lanes, np.arange(start, start + 4))] = 0.0
    np.testing.assert_array_equal(shock.inputs.lane_capacity_factor, expected)


def test_demand_shift_scales_only_the_scoped_rows_from_its_start(network: SimInputs) -> None:
    start = network.start + 10
    shock = apply_shock(network, "demand_shift", factor=1.5, region="Asia-Pacific", start=start)
    rows = np.array([r == "Asia-Pacific" for r in network.region])
    expected = network.demand.copy()
    expected[rows, start:] *= 1.5
    np.testing.assert_array_equal(shock.inputs.demand, expected)
    assert rows.sum() == 1


def test_fx_shock_moves_only_its_currency_from_its_start(network: SimInputs) -> None:
    start = network.start + 3
    shock = apply_shock(network, "fx_shock", currency="CNY", change=0.2, start=start)
    c = network.currencies.index("CNY")
    expected = network.fx_units_per_base.copy()
    expected[c, start:] /= 1.2
    np.testing.assert_allclose(shock.inputs.fx_units_per_base, expected)
    # a cost invoiced in CNY is 20 % dearer in the base currency from then on
    cost_before = cost_arrays(network).unit_cost
    cost_after = cost_arrays(shock.inputs).unit_cost
    cny_items = network.cost_currency == c
    np.testing.assert_allclose(cost_after[cny_items, start:], cost_before[cny_items, start:] * 1.2)
    np.testing.assert_array_equal(cost_after[~cny_items], cost_before[~cny_items])


def test_field_story_surges_the_bundles_fed_through_the_closed_port(network: SimInputs) -> None:
    start = network.start + 6
    shock = apply_shock(network, "field_story", weeks=3, start=start, surge=2.0)
    assert shock.target["port"] in {"CNSHA", "USLAX"}
    surged = shock.inputs.demand != network.demand
    rows = np.flatnonzero(surged.any(axis=1))
    names = {(network.item_ids[r], network.location_ids[r]) for r in rows}
    # the kit and its components at the stores behind the LA DC; not Tokyo (air, no port), not the DC itself
    assert names == {
        ("KIT-LAP", "ST-1"),
        ("LAP-14", "ST-1"),
        ("CBL-1M", "ST-1"),
        ("CBL-1M", "ST-2"),
        ("CHG-65", "ST-1"),
        ("CHG-65", "ST-2"),
    }
    cols = np.flatnonzero(surged.any(axis=0))
    assert cols.min() >= start
    assert cols.max() < start + 3 + 4
    assert shock.target["currency"] == "CNY"


@pytest.mark.parametrize(
    ("name", "settings", "message"),
    [
        ("meteor", {}, "the stress library has"),
        ("port_closure", {"port": "XXABC"}, "no lane passes through port"),
        ("supplier_failure", {"supplier": "ACME"}, "no lane leaves supplier"),
        ("fx_shock", {"currency": "USD"}, "not a foreign currency"),
        ("demand_shift", {"region": "Mars"}, "no item-location has region"),
        ("port_closure", {"weeks": 0}, "at least 1"),
        ("port_closure", {"colour": "red"}, "unexpected keyword"),
    ],
)
def test_shocks_naming_what_the_network_lacks_are_refused(
    network: SimInputs, name: str, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(SimulationInputError, match=message):
        apply_shock(network, name, **settings)


def test_a_port_closure_costs_the_textbook_policy_revenue(network: SimInputs) -> None:
    shock = apply_shock(network, "port_closure", weeks=8)
    base = compute_metrics(network, simulate(network, OrderUpToPolicy()), cost_arrays(network))
    hit = compute_metrics(shock.inputs, simulate(shock.inputs, OrderUpToPolicy()), cost_arrays(shock.inputs))
    assert hit.lost_revenue > base.lost_revenue
