"""The adapter reads the position, holds, shipments and rates from contract frames as documented."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from hedgerow.config import Settings
from hedgerow.domain.enums import Mode, TableName
from hedgerow.domain.network import OriginKind
from hedgerow.errors import PlanningError
from hedgerow.plan.adapter import SnapshotLineage, problem_from_frames

AS_OF = date(2026, 3, 2)


def _frame(rows: list[dict[str, object]], dates: tuple[str, ...] = ()) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for col in df.columns:
        if col in dates:
            df[col] = pd.to_datetime(df[col]).astype("datetime64[ns]")
        elif df[col].dtype == object:
            df[col] = df[col].astype("string")
        else:
            df[col] = df[col].astype("float64")
    return df


def frames() -> dict[TableName, pd.DataFrame]:
    return {
        TableName.ITEMS: _frame(
            [
                {
                    "item_id": "SKU1",
                    "name": "Widget",
                    "item_class": "A",
                    "unit_cost": 10.0,
                    "cost_currency": "CNY",
                    "supplier_id": "SUP",
                },
                {
                    "item_id": "CAB",
                    "name": "Cable",
                    "item_class": "C",
                    "unit_cost": 1.0,
                    "cost_currency": "USD",
                    "supplier_id": None,
                },
                {
                    "item_id": "KIT",
                    "name": "Kit",
                    "item_class": "A",
                    "unit_cost": 12.0,
                    "cost_currency": "USD",
                    "supplier_id": None,
                },
            ]
        ),
        TableName.LOCATIONS: _frame(
            [
                {
                    "location_id": "LA",
                    "name": "Los Angeles",
                    "region": "NA",
                    "country": "US",
                    "currency": "USD",
                    "holding_cost_rate_per_year": 0.2,
                    "capacity_units": 5000.0,
                },
                {
                    "location_id": "TYO",
                    "name": "Tokyo",
                    "region": "APAC",
                    "country": "JP",
                    "currency": "JPY",
                    "holding_cost_rate_per_year": 0.25,
                    "capacity_units": None,
                },
            ]
        ),
        TableName.ITEM_LOCATIONS: _frame(
            [
                {"item_id": "SKU1", "location_id": "LA", "unit_price": 25.0, "price_currency": "USD"},
                {"item_id": "SKU1", "location_id": "TYO", "unit_price": 3500.0, "price_currency": "JPY"},
                {"item_id": "CAB", "location_id": "LA", "unit_price": 2.0, "price_currency": "USD"},
                {"item_id": "KIT", "location_id": "LA", "unit_price": 40.0, "price_currency": "USD"},
            ]
        ),
        TableName.SUPPLIERS: _frame(
            [
                {"supplier_id": "SUP", "name": "Shenzhen Co", "country": "CN", "currency": "CNY"},
                {"supplier_id": "SUP2", "name": "Cable Co", "country": "CN", "currency": "USD"},
            ]
        ),
        TableName.LANES: _frame(
            [
                {
                    "lane_id": "SUP-LA-OC",
                    "origin_id": "SUP",
                    "destination_id": "LA",
                    "mode": "ocean",
                    "cost_per_unit": 0.8,
                    "cost_currency": "USD",
                    "transit_days": 24.0,
                    "capacity_units_per_period": None,
                    "ports": "CNSHA;USLAX",
                    "min_order_qty": 200.0,
                },
                {
                    "lane_id": "SUP2-LA",
                    "origin_id": "SUP2",
                    "destination_id": "LA",
                    "mode": "ocean",
                    "cost_per_unit": 0.1,
                    "cost_currency": "USD",
                    "transit_days": 24.0,
                    "capacity_units_per_period": None,
                    "ports": None,
                    "min_order_qty": None,
                },
                {
                    "lane_id": "LA-TYO-AIR",
                    "origin_id": "LA",
                    "destination_id": "TYO",
                    "mode": "air",
                    "cost_per_unit": 3.0,
                    "cost_currency": "USD",
                    "transit_days": 3.0,
                    "capacity_units_per_period": 800.0,
                    "ports": None,
                    "min_order_qty": None,
                },
            ]
        ),
        TableName.SHIPMENTS: _frame(
            [
                # delivered last week: counts as last period's order; tells that CAB comes from SUP2
                {
                    "shipment_id": "S1",
                    "lane_id": "SUP2-LA",
                    "item_id": "CAB",
                    "qty": 300.0,
                    "ship_date": "2026-02-24",
                    "eta_date": "2026-02-27",
                    "delivered_date": "2026-02-27",
                },
                # in transit
                {
                    "shipment_id": "S2",
                    "lane_id": "SUP-LA-OC",
                    "item_id": "SKU1",
                    "qty": 400.0,
                    "ship_date": "2026-02-20",
                    "eta_date": "2026-03-16",
                    "delivered_date": None,
                },
                # booked to leave today: may still be expedited
                {
                    "shipment_id": "S3",
                    "lane_id": "SUP-LA-OC",
                    "item_id": "SKU1",
                    "qty": 250.0,
                    "ship_date": "2026-03-02",
                    "eta_date": "2026-03-26",
                    "delivered_date": None,
                },
            ],
            dates=("ship_date", "eta_date", "delivered_date"),
        ),
        TableName.INVENTORY: _frame(
            [
                {"item_id": "SKU1", "location_id": "LA", "on_hand": 100.0, "counted_at": "2026-02-20T08:00:00"},
                {"item_id": "SKU1", "location_id": "LA", "on_hand": 140.0, "counted_at": "2026-03-01T08:00:00"},
                {"item_id": "SKU1", "location_id": "LA", "on_hand": 999.0, "counted_at": "2026-03-05T08:00:00"},
                {"item_id": "CAB", "location_id": "LA", "on_hand": 30.0, "counted_at": "2026-03-02T07:00:00"},
            ],
            dates=("counted_at",),
        ),
        TableName.BUNDLES: _frame([{"bundle_item_id": "KIT", "component_item_id": "CAB", "qty_per_bundle": 2.0}]),
        TableName.HOLDS: _frame(
            [
                {
                    "hold_id": "H1",
                    "item_id": "SKU1",
                    "location_id": "LA",
                    "qty": 60.0,
                    "owner": "Ana",
                    "reason": "launch",
                    "expires_at": "2026-04-01",
                },
                {
                    "hold_id": "H0",
                    "item_id": "SKU1",
                    "location_id": "LA",
                    "qty": 10.0,
                    "owner": "Bo",
                    "reason": "old",
                    "expires_at": "2026-02-01",
                },
            ],
            dates=("expires_at",),
        ),
        TableName.FX_RATES: _frame(
            [
                {"date": "2026-02-27", "currency": "JPY", "units_per_base": 150.0},
                {"date": "2026-03-01", "currency": "JPY", "units_per_base": 152.0},
                {"date": "2026-03-04", "currency": "JPY", "units_per_base": 160.0},
                {"date": "2026-02-10", "currency": "CNY", "units_per_base": 7.2},
            ],
            dates=("date",),
        ),
    }


def test_position_is_read_as_of_the_plan_date() -> None:
    lineage = {TableName.INVENTORY: SnapshotLineage("a" * 64, datetime(2026, 3, 1, 9, tzinfo=UTC))}
    p = problem_from_frames(frames(), Settings(), as_of=AS_OF, lineage=lineage)
    il = {(x.item_id, x.location_id): x for x in p.item_locations}
    assert il[("SKU1", "LA")].on_hand == 140.0  # the count after the as-of date is ignored
    assert il[("SKU1", "TYO")].on_hand == 0.0
    assert il[("CAB", "LA")].on_hand == 30.0  # counted during the as-of day
    assert il[("CAB", "LA")].last_order_qty == 300.0
    assert il[("SKU1", "TYO")].last_order_qty is None  # no history: the order change is not bounded
    assert p.fx_spot == {"JPY": 152.0, "CNY": 7.2}
    assert [h.hold_id for h in p.holds] == ["H1"]  # expired holds no longer count
    assert p.held_units("SKU1", "LA") == 60.0
    ships = {s.shipment_id: s for s in p.shipments}
    assert set(ships) == {"S2", "S3"}
    assert not ships["S2"].expeditable
    assert ships["S3"].expeditable
    assert ships["S2"].eta_days == 14.0
    lanes = {lane.lane_id: lane for lane in p.lanes}
    assert lanes["LA-TYO-AIR"].origin_kind is OriginKind.LOCATION
    assert lanes["SUP-LA-OC"].origin_kind is OriginKind.SUPPLIER
    assert lanes["SUP-LA-OC"].ports == ("CNSHA", "USLAX")
    assert lanes["SUP-LA-OC"].min_order_qty == 200.0
    assert lanes["SUP-LA-OC"].mode is Mode.OCEAN
    items = {i.item_id: i for i in p.items}
    assert items["SKU1"].supplier_ids == ("SUP",)
    assert items["CAB"].supplier_ids == ("SUP2",)  # learnt from the shipment history
    assert items["KIT"].supplier_ids == ()
    assert p.bundles[0].qty_per_bundle == 2.0
    assert p.supplier_names["SUP"] == "Shenzhen Co"
    inv = next(s for s in p.sources if s.table == "inventory")
    assert inv.stale_after_days == Settings().quality.stale_inventory_days
    assert inv.latest_record_at == datetime(2026, 3, 2, 7, 0)


def test_freshness_is_the_age_of_the_newest_record_not_of_the_import() -> None:
    """Issue 14: a feed imported today whose newest record is old is old (shipments dated by their ship date,
    rows after the as-of day ignored); an undated table keeps its import time."""
    imported = datetime(2026, 3, 2, 8, tzinfo=UTC)
    lineage = {t: SnapshotLineage("b" * 64, imported) for t in (TableName.SHIPMENTS, TableName.ITEMS)}
    f = frames()
    f[TableName.SHIPMENTS] = f[TableName.SHIPMENTS][f[TableName.SHIPMENTS]["ship_date"] < "2026-03-01"]
    p = problem_from_frames(f, Settings(), as_of=AS_OF, lineage=lineage)
    sources = {s.table: s for s in p.sources}
    assert sources["shipments"].latest_record_at == datetime(2026, 2, 24)
    assert sources["shipments"].imported_at == imported
    assert sources["items"].latest_record_at is None


def test_policy_comes_from_the_settings() -> None:
    s = Settings()
    s = replace(s, finance=replace(s.finance, budget_total=5000.0, budget_per_region={"APAC": 100.0}))
    p = problem_from_frames(frames(), s, as_of=AS_OF)
    assert p.policy.budget_total == 5000.0
    assert dict(p.policy.budget_per_region) == {"APAC": 100.0}
    assert p.policy.service_floor("A") == s.service.floors["A"]


def test_missing_tables_and_rates_are_named() -> None:
    f = frames()
    del f[TableName.ITEM_LOCATIONS]
    with pytest.raises(PlanningError, match="missing: item_locations"):
        problem_from_frames(f, Settings(), as_of=AS_OF)
    f = frames()
    f[TableName.FX_RATES] = f[TableName.FX_RATES][f[TableName.FX_RATES]["currency"] != "CNY"]
    with pytest.raises(PlanningError, match="CNY"):
        problem_from_frames(f, Settings(), as_of=AS_OF)
