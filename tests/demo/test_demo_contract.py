"""The demo network against the data contract: zero errors, exact columns, clean keys and references."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from hedgerow.config import QualitySettings
from hedgerow.contract.quality import QualityContext, quality_findings
from hedgerow.contract.report import CheckKind
from hedgerow.contract.spec import TABLES
from hedgerow.contract.validate import TypedTable
from hedgerow.demo import DemoNetwork
from hedgerow.domain.enums import Mode, Period, TableName

DRIVER_COLUMNS = ("price", "promo")


def test_every_contract_table_is_generated(standard: DemoNetwork) -> None:
    assert set(standard.tables) == set(TableName)
    assert all(len(frame) > 0 for frame in standard.tables.values())


@pytest.mark.parametrize("table", list(TableName))
def test_table_validates_with_zero_errors(validated: dict[TableName, TypedTable], table: TableName) -> None:
    errors = validated[table].errors
    assert errors == (), [e.what for e in errors[:5]]


@pytest.mark.parametrize("table", list(TableName))
def test_columns_are_exactly_the_contract(standard: DemoNetwork, table: TableName) -> None:
    expected = [c.name for c in TABLES[table].columns]
    if table in (TableName.DEMAND, TableName.DRIVERS):
        expected += list(DRIVER_COLUMNS)
    assert list(standard.tables[table].columns) == expected


def test_driver_columns_are_read_as_drivers(validated: dict[TableName, TypedTable]) -> None:
    assert validated[TableName.DEMAND].extra_columns == DRIVER_COLUMNS
    assert validated[TableName.DRIVERS].extra_columns == DRIVER_COLUMNS


@pytest.mark.parametrize("table", list(TableName))
def test_no_duplicate_keys(standard: DemoNetwork, table: TableName) -> None:
    frame = standard.tables[table]
    assert not frame.duplicated(subset=list(TABLES[table].key)).any()


def test_quality_warnings_are_few(standard: DemoNetwork, validated: dict[TableName, TypedTable]) -> None:
    typed = {name: t.frame for name, t in validated.items()}
    now = pd.Timestamp(standard.spec.as_of)
    ctx = QualityContext(tables=typed, settings=QualitySettings(), period=Period.WEEK, now=now)
    findings = [f for name, frame in typed.items() for f in quality_findings(TABLES[name], frame, ctx)]
    by_check = Counter(f.check for f in findings)
    # demand outliers (a promotion on top of a seasonal peak) are the only warnings a real history would show
    assert set(by_check) <= {CheckKind.OUTLIER}, by_check
    assert by_check[CheckKind.OUTLIER] < 0.005 * len(typed[TableName.DEMAND])


def test_foreign_keys_resolve(standard: DemoNetwork) -> None:
    t = standard.tables
    items = set(t[TableName.ITEMS]["item_id"])
    locations = set(t[TableName.LOCATIONS]["location_id"])
    suppliers = set(t[TableName.SUPPLIERS]["supplier_id"])
    lanes = t[TableName.LANES]
    for table in (TableName.ITEM_LOCATIONS, TableName.INVENTORY, TableName.DEMAND, TableName.DRIVERS, TableName.HOLDS):
        assert set(t[table]["item_id"]) <= items, table
        assert set(t[table]["location_id"]) <= locations, table
    assert set(lanes["origin_id"]) <= suppliers | locations
    assert set(lanes["destination_id"]) <= locations
    assert set(t[TableName.SHIPMENTS]["lane_id"]) <= set(lanes["lane_id"])
    assert set(t[TableName.SHIPMENTS]["item_id"]) <= items
    assert set(t[TableName.BUNDLES]["bundle_item_id"]) | set(t[TableName.BUNDLES]["component_item_id"]) <= items
    assert set(t[TableName.ITEMS]["supplier_id"].dropna()) <= suppliers
    sold = set(zip(t[TableName.ITEM_LOCATIONS]["item_id"], t[TableName.ITEM_LOCATIONS]["location_id"], strict=True))
    for table in (TableName.DEMAND, TableName.INVENTORY, TableName.HOLDS):
        assert set(zip(t[table]["item_id"], t[table]["location_id"], strict=True)) <= sold, table


def test_standard_sites(standard: DemoNetwork) -> None:
    loc = standard.tables[TableName.LOCATIONS].set_index("location_id")
    assert loc.loc[:, ["country", "currency", "region"]].to_dict("index") == {
        "LOC-LAX": {"country": "US", "currency": "USD", "region": "Americas"},
        "LOC-NJ": {"country": "US", "currency": "USD", "region": "Americas"},
        "LOC-RTM": {"country": "NL", "currency": "EUR", "region": "Europe"},
        "LOC-TYO": {"country": "JP", "currency": "JPY", "region": "Asia-Pacific"},
        "LOC-SIN": {"country": "SG", "currency": "SGD", "region": "Asia-Pacific"},
    }
    sup = standard.tables[TableName.SUPPLIERS]
    assert set(zip(sup["country"], sup["currency"], strict=True)) == {("CN", "CNY"), ("VN", "VND"), ("MX", "MXN")}
    assert "SUP-CN-SZ" in set(sup["supplier_id"])


def test_lanes_cover_the_network(standard: DemoNetwork) -> None:
    lanes = standard.tables[TableName.LANES]
    sup = set(standard.tables[TableName.SUPPLIERS]["supplier_id"])
    loc = set(standard.tables[TableName.LOCATIONS]["location_id"])
    ocean = lanes[lanes["mode"] == Mode.OCEAN.value]
    assert {(s, w) for s in sup for w in loc} <= set(zip(ocean["origin_id"], ocean["destination_id"], strict=True))
    # the Los Angeles port is on the main trans-Pacific lanes
    to_la = set(ocean.loc[ocean["destination_id"] == "LOC-LAX", "ports"])
    assert {"CNSHA;USLAX", "CNYTN;USLAX", "VNSGN;USLAX"} <= to_la
    ports = {p for value in lanes["ports"].dropna() for p in value.split(";")}
    assert all(len(p) == 5 and p.isupper() for p in ports)
    assert {"USLAX", "USNWK", "NLRTM", "JPTYO", "SGSIN", "VNSGN", "MXZLO"} <= ports
    trucks = lanes[lanes["mode"] == Mode.TRUCK.value]
    truck = set(zip(trucks["origin_id"], trucks["destination_id"], strict=True))
    assert {("SUP-MX-GDL", "LOC-LAX"), ("SUP-MX-GDL", "LOC-NJ"), ("LOC-LAX", "LOC-NJ"), ("LOC-NJ", "LOC-LAX")} <= truck
    transfers = lanes[lanes["origin_id"].isin(loc)]
    assert {"LOC-TYO"} <= set(transfers["destination_id"])
    assert (lanes["capacity_units_per_period"] > 0).all()
    assert (lanes.loc[~lanes["origin_id"].isin(loc), "min_order_qty"] > 0).all()


def test_air_costs_six_to_ten_times_ocean(standard: DemoNetwork) -> None:
    lanes = standard.tables[TableName.LANES]
    by_mode = lanes.pivot_table(index=["origin_id", "destination_id"], columns="mode", values="cost_per_unit")
    pairs = by_mode.dropna(subset=[Mode.AIR.value, Mode.OCEAN.value])
    pairs = pairs[pairs.index.get_level_values(0).str.startswith("SUP-")]
    ratio = pairs[Mode.AIR.value] / pairs[Mode.OCEAN.value]
    assert len(ratio) >= 15
    assert ratio.between(5.9, 10.1).all()
    transit = lanes.pivot_table(index=["origin_id", "destination_id"], columns="mode", values="transit_days")
    both = transit.dropna(subset=[Mode.AIR.value, Mode.OCEAN.value])
    assert (both[Mode.AIR.value] < both[Mode.OCEAN.value]).all()


def test_catalogue(standard: DemoNetwork) -> None:
    items = standard.tables[TableName.ITEMS]
    assert len(items) == 300
    assert set(items["item_class"]) == {"A", "B", "C"}
    assert set(items["cost_currency"]) == {"USD", "CNY"}
    assert items["name"].str.contains("USB-C charger").any()
    assert items["weight_kg"].gt(0).all()
    assert items["volume_m3"].gt(0).all()
    assert standard.catalog["category"].nunique() >= 10
    il = standard.tables[TableName.ITEM_LOCATIONS]
    currency = standard.tables[TableName.LOCATIONS].set_index("location_id")["currency"]
    assert (il["price_currency"] == il["location_id"].map(currency)).all()
    coverage = il.groupby("location_id").size() / len(items)
    assert coverage.between(0.65, 0.95).all(), coverage
    assert 0.70 <= len(il) / (len(items) * 5) <= 0.90


def test_abc_classes_follow_revenue(standard: DemoNetwork) -> None:
    t = standard.tables
    fx = t[TableName.FX_RATES]
    latest = fx[fx["date"] == fx["date"].max()].set_index("currency")["units_per_base"]
    demand = t[TableName.DEMAND]
    recent = demand[demand["period_start"] > pd.Timestamp(standard.spec.as_of) - pd.Timedelta(weeks=53)]
    currency = recent["location_id"].map(t[TableName.LOCATIONS].set_index("location_id")["currency"])
    rate = currency.map(latest).fillna(1.0).to_numpy()
    revenue = (recent["qty"] * recent["price"] / rate).groupby(recent["item_id"]).sum()
    item_class = t[TableName.ITEMS].set_index("item_id")["item_class"]
    share = revenue.groupby(item_class.reindex(revenue.index)).sum() / revenue.sum()
    assert 0.80 <= share["A"] <= 0.86
    assert 0.95 <= share["A"] + share["B"] <= 0.97
    mean_by_class = revenue.groupby(item_class.reindex(revenue.index)).mean()
    assert mean_by_class["A"] > mean_by_class["B"] > mean_by_class["C"]
