"""Supply side of the demo: shipment lead times, lateness, goods in transit, stock counts, holds, bundles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.decide.reconcile import reconcile
from hedgerow.demo import DemoNetwork
from hedgerow.demo.templates import LOW_MARGIN_ACCESSORIES
from hedgerow.domain.enums import Mode, TableName


@pytest.fixture(scope="module")
def shipments(standard: DemoNetwork) -> pd.DataFrame:
    """One row per shipment (its lines share lane and dates) with mode, origin and lead time in days."""
    lines = standard.tables[TableName.SHIPMENTS]
    per_shipment = lines.groupby("shipment_id")[["lane_id", "ship_date", "eta_date", "delivered_date"]].nunique(
        dropna=False
    )
    assert (per_shipment == 1).all().all()  # a shipment travels as one
    out = lines.drop_duplicates("shipment_id")
    lanes = standard.tables[TableName.LANES].set_index("lane_id")
    return out.assign(
        mode=out["lane_id"].map(lanes["mode"]),
        origin_id=out["lane_id"].map(lanes["origin_id"]),
        transit_days=out["lane_id"].map(lanes["transit_days"]),
        lead_days=(out["delivered_date"] - out["ship_date"]).dt.days,
    )


def test_lead_times_by_mode(shipments: pd.DataFrame) -> None:
    lead = shipments.dropna(subset=["delivered_date"]).groupby("mode")["lead_days"]
    median = lead.median()
    assert median[Mode.OCEAN.value] > median[Mode.TRUCK.value] > median[Mode.AIR.value]
    assert 15 <= median[Mode.OCEAN.value] <= 40
    assert 3 <= median[Mode.AIR.value] <= 8
    assert 2 <= median[Mode.TRUCK.value] <= 6
    long_haul = shipments[(shipments["mode"] == Mode.OCEAN.value) & (shipments["transit_days"] >= 20)]
    assert 25 <= long_haul["lead_days"].median() <= 40
    assert (shipments["lead_days"].dropna() >= 1).all()


def test_ocean_delays_have_a_right_tail(shipments: pd.DataFrame) -> None:
    ocean = shipments[shipments["mode"] == Mode.OCEAN.value].dropna(subset=["delivered_date"])
    delay = ocean["lead_days"] - ocean["transit_days"]  # days beyond the planned transit
    assert abs(delay.median()) <= 2
    assert delay.quantile(0.99) >= 10
    assert delay.skew() > 1.0


def test_some_shipments_are_late(shipments: pd.DataFrame) -> None:
    delivered = shipments.dropna(subset=["delivered_date"])
    late = delivered["delivered_date"] > delivered["eta_date"]
    assert 0.10 <= late.mean() <= 0.60
    assert late.groupby(delivered["mode"]).mean().gt(0).all()


def test_goods_in_transit(standard: DemoNetwork, shipments: pd.DataFrame) -> None:
    as_of = pd.Timestamp(standard.spec.as_of)
    in_transit = shipments[shipments["delivered_date"].isna()]
    assert len(in_transit) >= 5
    recent = in_transit["ship_date"] >= as_of - pd.Timedelta(weeks=8)
    assert recent.mean() >= 0.9  # shipped in the last weeks; a stuck container or two may be older
    assert (in_transit["ship_date"] >= as_of - pd.Timedelta(weeks=20)).all()
    assert (in_transit["eta_date"] > as_of).sum() >= 5
    assert (shipments["delivered_date"].dropna() < as_of).all()
    assert (shipments["ship_date"] <= as_of).all()
    assert shipments["ship_date"].min() >= pd.Timestamp(standard.spec.history_start)


def test_one_shipment_leaves_on_the_as_of_date_on_a_lane_with_a_faster_mode(
    standard: DemoNetwork, shipments: pd.DataFrame
) -> None:
    as_of = pd.Timestamp(standard.spec.as_of)
    leaving = shipments[shipments["ship_date"] >= as_of]
    assert len(leaving) == 1  # one line, one shipment: not departed yet, so a plan may still expedite it
    row = leaving.iloc[0]
    assert row["shipment_id"] == shipments["shipment_id"].max()
    assert row["ship_date"] == as_of
    assert pd.isna(row["delivered_date"])
    assert row["mode"] == Mode.OCEAN.value
    assert row["eta_date"] == as_of + pd.Timedelta(days=float(row["transit_days"]))
    lanes = standard.tables[TableName.LANES]
    destination = lanes.set_index("lane_id").loc[row["lane_id"], "destination_id"]
    route = lanes[(lanes["origin_id"] == row["origin_id"]) & (lanes["destination_id"] == destination)]
    assert Mode.AIR.value in set(route["mode"])
    items = standard.tables[TableName.ITEMS].set_index("item_id")
    assert items.loc[row["item_id"], "item_class"] == "A"
    assert row["qty"] >= float(route.loc[route["mode"] == Mode.OCEAN.value, "min_order_qty"].iloc[0])


def test_supply_and_transfer_lanes_carry_goods(standard: DemoNetwork, shipments: pd.DataFrame) -> None:
    locations = set(standard.tables[TableName.LOCATIONS]["location_id"])
    transfer = shipments["origin_id"].isin(locations)
    assert transfer.sum() >= 50
    assert set(shipments["mode"]) == {m.value for m in Mode}
    assert shipments.loc[~transfer, "origin_id"].nunique() == 4


def test_shipped_units_match_sales(standard: DemoNetwork) -> None:
    lines = standard.tables[TableName.SHIPMENTS]
    lanes = standard.tables[TableName.LANES].set_index("lane_id")
    from_suppliers = lines[lines["lane_id"].map(lanes["origin_id"]).str.startswith("SUP-")]
    sold = standard.tables[TableName.DEMAND]["qty"].sum()
    assert 0.85 <= from_suppliers["qty"].sum() / sold <= 1.15
    moq = lines["lane_id"].map(lanes["min_order_qty"])
    assert (lines["qty"] >= moq).all()


def test_one_recent_count_per_item_location(standard: DemoNetwork) -> None:
    counts = standard.tables[TableName.INVENTORY]
    as_of = pd.Timestamp(standard.spec.as_of)
    latest = counts.groupby(["item_id", "location_id"])["counted_at"].max()
    assert len(latest) == len(standard.tables[TableName.ITEM_LOCATIONS])
    assert latest.between(as_of - pd.Timedelta(days=5), as_of, inclusive="left").all()
    older = counts[counts["counted_at"] < as_of - pd.Timedelta(days=14)]
    assert 0 < len(older) < 0.3 * len(latest)
    assert (counts["on_hand"] >= 0).all()
    assert (counts["on_hand"] > 0).mean() > 0.8


def test_holds(standard: DemoNetwork) -> None:
    holds = standard.tables[TableName.HOLDS]
    assert 5 <= len(holds) <= 10
    counts = standard.tables[TableName.INVENTORY]
    latest = counts.sort_values("counted_at").groupby(["item_id", "location_id"])["on_hand"].last()
    on_hand = holds.set_index(["item_id", "location_id"]).index.map(latest)
    assert (holds["qty"].to_numpy() <= on_hand.to_numpy()).all()
    assert (holds["expires_at"] > pd.Timestamp(standard.spec.as_of)).all()
    assert holds["owner"].str.len().gt(0).all()
    assert holds["reason"].str.len().gt(0).all()


def test_counts_reconcile_with_sales_and_receipts_at_every_location(standard: DemoNetwork) -> None:
    t = standard.tables
    locations = t[TableName.LOCATIONS]["location_id"]
    out = reconcile(
        t[TableName.INVENTORY], t[TableName.DEMAND], t[TableName.SHIPMENTS], t[TableName.LANES], locations, {}
    )
    trust = out.locations.set_index("location_id")
    assert set(trust.index) == set(locations)
    assert (trust["items"] >= 10).all()  # enough older counts everywhere to reconcile
    assert (trust["trust_score"] > 90.0).all(), trust["trust_score"].to_dict()
    # a little shrinkage, never a surplus: some counts are short of the ledger by a few percent
    diff = out.lines["diff_units"]
    assert (diff <= 0).all()
    assert 0.05 <= (diff < 0).mean() <= 0.5
    assert (-diff <= np.maximum(1.0, 0.04 * out.lines["previous_on_hand"])).all()


def _margins_at(standard: DemoNetwork, location_id: str) -> pd.Series:
    """Gross margin of each item sold at ``location_id``, from the contract tables at the latest FX rates."""
    t = standard.tables
    fx = t[TableName.FX_RATES]
    rate = fx[fx["date"] == fx["date"].max()].set_index("currency")["units_per_base"]
    items = t[TableName.ITEMS].set_index("item_id")
    cost_usd = items["unit_cost"] / items["cost_currency"].map(rate).fillna(1.0)
    il = t[TableName.ITEM_LOCATIONS]
    here = il[il["location_id"] == location_id].set_index("item_id")
    price_usd = here["unit_price"] / here["price_currency"].map(rate).fillna(1.0)
    return 1.0 - cost_usd.reindex(price_usd.index) / price_usd


def test_bundles_need_low_margin_accessories(standard: DemoNetwork) -> None:
    bundles = standard.tables[TableName.BUNDLES]
    catalog = standard.catalog.set_index("item_id")
    assert bundles["bundle_item_id"].nunique() == 5
    assert catalog.loc[bundles["bundle_item_id"].unique(), "is_bundle"].all()
    assert not catalog.loc[bundles["component_item_id"], "is_bundle"].any()
    assert (bundles["qty_per_bundle"] >= 1).all()
    margin = _margins_at(standard, "LOC-LAX")
    assert margin.gt(0).all()
    components = bundles.assign(
        margin=bundles["component_item_id"].map(margin),
        category=bundles["component_item_id"].map(catalog["category"]),
    )
    assert components["margin"].notna().all()  # the US warehouse stocks every component of its kits
    low = components["category"].isin([c.value for c in LOW_MARGIN_ACCESSORIES]) & (
        components["margin"] < margin.median()
    )
    assert low.groupby(components["bundle_item_id"]).any().all()
    il = standard.tables[TableName.ITEM_LOCATIONS]
    sold_in = il[il["item_id"].isin(bundles["bundle_item_id"])]["location_id"]
    assert {"LOC-LAX", "LOC-NJ"} <= set(sold_in)
    assert set(sold_in) <= {"LOC-LAX", "LOC-NJ", "LOC-RTM"}
