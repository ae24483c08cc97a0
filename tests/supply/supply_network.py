"""A full hand-made workspace (frames by table) around the supply_fixtures network."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.domain.enums import TableName
from tests.supply.supply_fixtures import frame, lanes, locations, shipment_rows, shipments, suppliers

AS_OF = datetime(2025, 6, 2, 12, 0)


def fx_rates(n: int = 300) -> pd.DataFrame:
    """Business-daily rates per USD for CNY, EUR and JPY ending the day before AS_OF (deterministic walk)."""
    rng = np.random.default_rng(42)
    dates = pd.bdate_range(end="2025-05-30", periods=n)
    rows = []
    for ccy, spot, vol in (("CNY", 7.2, 0.002), ("EUR", 0.9, 0.005), ("JPY", 150.0, 0.007)):
        walk = spot * np.exp(np.cumsum(rng.normal(0, vol, n)))
        rows += [{"date": d, "currency": ccy, "units_per_base": float(v)} for d, v in zip(dates, walk, strict=True)]
    return frame(rows, dates=("date",))


def items() -> pd.DataFrame:
    """Items A (class A, from S-CN, 10 CNY) and B (class B, from S-DE, 4 EUR)."""
    return frame(
        [
            {
                "item_id": "A",
                "name": "Widget",
                "item_class": "A",
                "unit_cost": 10.0,
                "cost_currency": "CNY",
                "supplier_id": "S-CN",
            },
            {
                "item_id": "B",
                "name": "Gadget",
                "item_class": "B",
                "unit_cost": 4.0,
                "cost_currency": "EUR",
                "supplier_id": "S-DE",
            },
        ]
    )


def item_locations() -> pd.DataFrame:
    """A sold in LA (5 USD) and Tokyo (900 JPY); B sold in Tokyo (1,000 JPY)."""
    return frame(
        [
            {"item_id": "A", "location_id": "LA", "unit_price": 5.0, "price_currency": "USD"},
            {"item_id": "A", "location_id": "TYO", "unit_price": 900.0, "price_currency": "JPY"},
            {"item_id": "B", "location_id": "TYO", "unit_price": 1000.0, "price_currency": "JPY"},
        ]
    )


def signals(rows: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """A signals frame (default: one fresh, calm port_congestion reading per port)."""
    if rows is None:
        rows = [
            {
                "signal_id": f"pc-{p}",
                "kind": "port_congestion",
                "scope_type": "port",
                "scope_id": p,
                "value": 2.0,
                "observed_at": "2025-06-01T00:00:00",
                "source": "test",
                "valid_until": None,
                "probability": None,
                "delay_days": None,
                "note": None,
            }
            for p in ("CNSHA", "USLAX", "DEHAM", "JPTYO")
        ]
    return frame(rows, dates=("observed_at", "valid_until"))


def workspace_frames(signal_rows: list[dict[str, Any]] | None = None) -> dict[TableName, pd.DataFrame]:
    """Every table of the hand-made workspace, with history on two lanes and one shipment in transit."""
    hist = shipment_rows("CN-LA-OC", [0] * 14 + [3, 5, 10, 20, -2, -1], planned=30, start="2024-06-03")
    hist += shipment_rows("CN-LA-AIR", [0] * 8 + [1, 2], planned=5, start="2024-06-03")
    open_row = shipment_rows("CN-LA-OC", [0], planned=30, start="2025-05-12", prefix="OPEN")[0]
    open_row["delivered_date"] = pd.NaT
    return {
        TableName.ITEMS: items(),
        TableName.LOCATIONS: locations(),
        TableName.ITEM_LOCATIONS: item_locations(),
        TableName.SUPPLIERS: suppliers(),
        TableName.LANES: lanes(),
        TableName.SHIPMENTS: shipments([*hist, open_row]),
        TableName.SIGNALS: signals(signal_rows),
        TableName.FX_RATES: fx_rates(),
    }
