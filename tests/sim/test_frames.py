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


def test_bundles_are_assembled_from_their_components_at_the_same_location(inputs: SimInputs) -> None:
    kit = _row(inputs, "KIT-LAP", "ST-1")
    assert inputs.assembled[kit]
    assert inputs.assembled.sum() == 1
    assert (inputs.lane_options[kit] < 0).all()
    assert inputs.parent[kit] == -1
    parts = {
        inputs.item_ids[c]: q for b, c, q in zip(inputs.bom_bundle, inputs.bom_component, inputs.bom_qty, strict=True)
    }
    assert parts == {"LAP-14": 1.0, "CBL-1M": 2.0, "CHG-65": 1.0}
    assert {inputs.location_ids[c] for c in inputs.bom_component} == {"ST-1"}
    assert inputs.initial_on_hand[kit] == 0


def test_a_component_missing_at_the_bundles_location_is_added() -> None:
    frames = network_frames()
    bundles = frames[TableName.BUNDLES]
    frames[TableName.BUNDLES] = bundles.assign(
        component_item_id=bundles["component_item_id"].replace({"CHG-65": "LAP-14"}).astype("string")
    ).drop_duplicates(["bundle_item_id", "component_item_id"])
    il = frames[TableName.ITEM_LOCATIONS]
    frames[TableName.ITEM_LOCATIONS] = il[~((il["item_id"] == "LAP-14") & (il["location_id"] == "ST-1"))]
    demand = frames[TableName.DEMAND]
    frames[TableName.DEMAND] = demand[~((demand["item_id"] == "LAP-14") & (demand["location_id"] == "ST-1"))]
    inputs = inputs_from_frames(frames, Settings(), FrameOptions(periods=40))
    laptop = _row(inputs, "LAP-14", "ST-1")
    assert inputs.demand[laptop].sum() == 0
    assert inputs.parent[laptop] == _row(inputs, "LAP-14", "DC-LA")


def test_nested_bundles_are_refused() -> None:
    frames = network_frames()
    extra = pd.DataFrame({"bundle_item_id": ["LAP-14"], "component_item_id": ["KIT-LAP"], "qty_per_bundle": [1.0]})
    frames[TableName.BUNDLES] = pd.concat(
        [frames[TableName.BUNDLES], extra.astype({"bundle_item_id": "string", "component_item_id": "string"})]
    )
    with pytest.raises(SimulationInputError, match="nested bundles"):
        inputs_from_frames(frames, Settings(), FrameOptions(periods=40))


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


def test_transfer_lanes_both_ways_never_make_a_cycle() -> None:
    """Tokyo and the LA DC can ship to each other; a Mexican item reaches only LA. Tokyo's item must hang under LA
    (one hop from the supplier), not LA under Tokyo."""
    frames = network_frames()
    lanes = frames[TableName.LANES]
    extra = pd.DataFrame(
        {
            "lane_id": ["LA-TYO", "TYO-LA", "MX-LA-TRK"],
            "origin_id": ["DC-LA", "TYO", "SUP-MX"],
            "destination_id": ["TYO", "DC-LA", "DC-LA"],
            "mode": ["air", "air", "truck"],
            "cost_per_unit": [2.0, 2.0, 0.3],
            "cost_currency": ["USD"] * 3,
            "transit_days": [4.0, 4.0, 6.0],
        }
    )
    frames[TableName.LANES] = pd.concat(
        [lanes, extra.astype({c: "string" for c in extra.columns if c not in ("cost_per_unit", "transit_days")})],
        ignore_index=True,
    )
    items = frames[TableName.ITEMS]
    frames[TableName.ITEMS] = pd.concat(
        [
            items,
            pd.DataFrame(
                {
                    "item_id": ["MX-1"],
                    "name": ["Mexican item"],
                    "item_class": ["B"],
                    "unit_cost": [5.0],
                    "cost_currency": ["USD"],
                    "supplier_id": ["SUP-MX"],
                }
            ).astype(
                {
                    "item_id": "string",
                    "name": "string",
                    "item_class": "string",
                    "cost_currency": "string",
                    "supplier_id": "string",
                }
            ),
        ],
        ignore_index=True,
    )
    il = frames[TableName.ITEM_LOCATIONS]
    frames[TableName.ITEM_LOCATIONS] = pd.concat(
        [
            il,
            pd.DataFrame(
                {
                    "item_id": ["MX-1", "MX-1"],
                    "location_id": ["TYO", "DC-LA"],
                    "unit_price": [900.0, 8.0],
                    "price_currency": ["JPY", "USD"],
                }
            )
            .astype("string")
            .astype({"unit_price": float}),
        ],
        ignore_index=True,
    )
    inputs = inputs_from_frames(frames, Settings(), FrameOptions(periods=40))
    tyo, la = _row(inputs, "MX-1", "TYO"), _row(inputs, "MX-1", "DC-LA")
    assert inputs.parent[tyo] == la
    assert inputs.parent[la] == -1
    assert inputs.lane_ids[inputs.lane_options[la, 0]] == "MX-LA-TRK"
    assert inputs.lane_ids[inputs.lane_options[tyo, 0]] == "LA-TYO"
    # the Chinese charger still flies to Tokyo directly from its supplier
    assert inputs.parent[_row(inputs, "CHG-65", "TYO")] == -1
