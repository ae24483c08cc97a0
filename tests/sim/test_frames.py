"""From workspace tables to simulator inputs: network structure, lanes, lead times, FX, drivers, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.config import Settings, settings_from_dict
from hedgerow.domain.enums import TableName
from hedgerow.errors import SimulationInputError
from hedgerow.sim.costs import cost_arrays
from hedgerow.sim.frames import DEFAULT_LANE_PREFIX, FrameOptions, inputs_from_frames
from hedgerow.sim.inputs import SimInputs
from tests.sim.helpers import FIRST, WEEKS, network_frames


@pytest.fixture(scope="module")
def inputs() -> SimInputs:
    return inputs_from_frames(network_frames(), Settings(), FrameOptions(periods=40, seed=1))


def _row(inputs: SimInputs, item: str, loc: str) -> int:
    return list(zip(inputs.item_ids, inputs.location_ids, strict=True)).index((item, loc))


def test_stores_are_supplied_by_the_dc_and_the_dc_by_the_supplier(inputs: SimInputs) -> None:
    store = _row(inputs, "CBL-1M", "ST-1")
    dc = _row(inputs, "CBL-1M", "DC-LA")
    assert inputs.parent[store] == dc
    assert inputs.parent[dc] == -1
    assert inputs.echelon[store] == 0
    assert inputs.echelon[dc] == 1
    assert np.isnan(inputs.unit_price[dc])
    assert inputs.demand[dc].sum() == 0
    # the DC buys the Chinese cable by ocean (cheapest first) or air
    assert [inputs.lane_ids[k] for k in inputs.lane_options[dc] if k >= 0] == ["CN-LA-OCN", "CN-LA-AIR"]
    # the US laptop comes by truck from its own supplier only
    laptop_dc = _row(inputs, "LAP-14", "DC-LA")
    assert [inputs.lane_ids[k] for k in inputs.lane_options[laptop_dc] if k >= 0] == ["US-LA-TRK"]
    # Tokyo buys directly by air
    tyo = _row(inputs, "CHG-65", "TYO")
    assert inputs.parent[tyo] == -1
    assert inputs.lane_ids[inputs.lane_options[tyo, 0]] == "CN-TYO-AIR"


def test_demand_periods_and_drivers_land_on_the_right_cells(inputs: SimInputs) -> None:
    frames = network_frames()
    demand = frames[TableName.DEMAND]
    assert inputs.n_periods == WEEKS
    assert inputs.start == WEEKS - 40
    assert inputs.period_starts[0] == FIRST.date()
    row = demand[(demand["item_id"] == "CHG-65") & (demand["location_id"] == "TYO")].sort_values("period_start")
    i = _row(inputs, "CHG-65", "TYO")
    np.testing.assert_array_equal(inputs.demand[i], row["qty"].to_numpy())
    np.testing.assert_array_equal(inputs.drivers["promo"][i], row["promo"].to_numpy())
    assert inputs.driver_lookahead == 4


def test_lead_times_come_from_shipments_where_they_exist_else_from_the_lane_history(inputs: SimInputs) -> None:
    ships = network_frames()[TableName.SHIPMENTS]
    lane = inputs.lane_ids.index("CN-LA-OCN")
    transit = (ships["delivered_date"] - ships["ship_date"]).dt.days.to_numpy()
    period = ((ships["ship_date"] - FIRST).dt.days // 7).to_numpy()
    np.testing.assert_array_equal(inputs.lane_lead_time_days[lane, period], transit)
    others = np.setdiff1d(np.arange(inputs.n_periods), period)
    assert set(inputs.lane_lead_time_days[lane, others]) <= set(transit.astype(float))
    assert inputs.lane_nominal_days[lane] == 28.0  # the planned transit_days
    # a lane without shipments keeps its planned transit
    air = inputs.lane_ids.index("CN-TYO-AIR")
    assert set(inputs.lane_lead_time_days[air]) == {6.0}


def test_money_is_converted_at_each_periods_rate(inputs: SimInputs) -> None:
    fx = network_frames()[TableName.FX_RATES]
    costs = cost_arrays(inputs)
    i = _row(inputs, "CHG-65", "TYO")
    t = inputs.start + 3
    day = pd.Timestamp(inputs.period_starts[t])
    cny = fx[(fx["currency"] == "CNY") & (fx["date"] == day)]["units_per_base"].iloc[0]
    jpy = fx[(fx["currency"] == "JPY") & (fx["date"] == day)]["units_per_base"].iloc[0]
    assert costs.unit_cost[i, t] == pytest.approx(80.0 / cny)
    assert costs.unit_price[i, t] == pytest.approx(4200.0 / jpy)
    # holding = cost × (location rate + cost of capital) × 7/365; penalty = margin × (1 + class-A goodwill 1.0)
    assert costs.holding[i, t] == pytest.approx(80.0 / cny * (0.15 + 0.08) * 7 / 365)
    assert costs.shortage[i, t] == pytest.approx((4200.0 / jpy - 80.0 / cny) * 2.0)


def test_goodwill_and_cost_of_capital_come_from_the_settings() -> None:
    settings = settings_from_dict(
        {"finance": {"cost_of_capital_per_year": 0.2}, "service": {"goodwill_multiplier": {"C": 3.0}}}
    )
    inputs = inputs_from_frames(network_frames(), settings, FrameOptions(periods=40))
    cable = _row(inputs, "CBL-1M", "ST-1")
    assert inputs.goodwill_multiplier[cable] == 3.0
    assert inputs.holding_rate_per_year[cable] == pytest.approx(0.2 + 0.2)


def test_a_network_without_lanes_gets_default_lanes() -> None:
    frames = network_frames()
    del frames[TableName.LANES]
    del frames[TableName.SHIPMENTS]
    inputs = inputs_from_frames(frames, Settings(), FrameOptions(periods=40, default_lead_time_days=14.0))
    assert all(lane.startswith(DEFAULT_LANE_PREFIX) for lane in inputs.lane_ids)
    assert (inputs.parent == -1).all()
    assert set(inputs.lane_nominal_days) == {14.0}


def test_bundles_are_read(inputs: SimInputs) -> None:
    assert len(inputs.bundles) == 1
    assert inputs.bundles[0].bundle_item_id == "KIT-LAP"
    assert dict(inputs.bundles[0].components) == {"LAP-14": 1.0, "CBL-1M": 2.0, "CHG-65": 1.0}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.pop(TableName.DEMAND), "needs the demand table"),
        (lambda f: f.__setitem__(TableName.FX_RATES, f[TableName.FX_RATES].query("currency != 'JPY'")), "JPY"),
    ],
)
def test_missing_inputs_are_refused_by_name(mutate: object, message: str) -> None:
    frames = network_frames()
    mutate(frames)  # type: ignore[operator]
    with pytest.raises(SimulationInputError, match=message):
        inputs_from_frames(frames, Settings(), FrameOptions(periods=40))


def test_too_short_a_history_is_refused_with_what_it_needs() -> None:
    with pytest.raises(SimulationInputError, match="needs at least 88 periods"):
        inputs_from_frames(network_frames(), Settings(), FrameOptions(periods=80))
