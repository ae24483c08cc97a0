"""A small contract-shaped network with enough history for a backtest, built in memory (and as CSV files).

Two suppliers (one in China invoicing in CNY, one in the US), a Los Angeles DC fed by ocean and air from China and
by truck from the US supplier, two stores behind the DC, and a Tokyo store bought directly by air and priced in
JPY. A laptop kit bundles a laptop, two cables and a charger. 80 weeks of demand, shipments on the ocean lane,
FX rates for CNY and JPY.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hedgerow.domain.enums import TableName

WEEKS = 80
FIRST = pd.Timestamp("2024-01-01")


def network_frames(seed: int = 3, weeks: int = WEEKS) -> dict[TableName, pd.DataFrame]:
    """The network's contract tables as frames typed like a workspace's snapshots."""
    rng = np.random.default_rng(seed)
    items = pd.DataFrame(
        {
            "item_id": ["CHG-65", "CBL-1M", "LAP-14", "KIT-LAP"],
            "name": ["Charger", "Cable", "Laptop", "Laptop kit"],
            "item_class": ["A", "C", "A", "B"],
            "unit_cost": [80.0, 6.0, 420.0, 440.0],
            "cost_currency": ["CNY", "CNY", "USD", "USD"],
            "supplier_id": ["SUP-CN", "SUP-CN", "SUP-US", "SUP-US"],
        }
    )
    locations = pd.DataFrame(
        {
            "location_id": ["DC-LA", "ST-1", "ST-2", "TYO"],
            "name": ["LA DC", "Store 1", "Store 2", "Tokyo"],
            "region": ["Americas", "Americas", "Americas", "Asia-Pacific"],
            "country": ["US", "US", "US", "JP"],
            "currency": ["USD", "USD", "USD", "JPY"],
            "holding_cost_rate_per_year": [0.12, 0.2, 0.2, 0.15],
        }
    )
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["SUP-CN", "SUP-US"],
            "name": ["Shenzhen", "Texas"],
            "country": ["CN", "US"],
            "currency": ["CNY", "USD"],
        }
    )
    lanes = pd.DataFrame(
        {
            "lane_id": ["CN-LA-OCN", "CN-LA-AIR", "US-LA-TRK", "LA-ST1", "LA-ST2", "CN-TYO-AIR"],
            "origin_id": ["SUP-CN", "SUP-CN", "SUP-US", "DC-LA", "DC-LA", "SUP-CN"],
            "destination_id": ["DC-LA", "DC-LA", "DC-LA", "ST-1", "ST-2", "TYO"],
            "mode": ["ocean", "air", "truck", "truck", "truck", "air"],
            "cost_per_unit": [0.4, 3.1, 0.5, 0.1, 0.1, 4.0],
            "cost_currency": ["USD"] * 6,
            "transit_days": [28.0, 5.0, 4.0, 1.0, 2.0, 6.0],
            "ports": ["CNSHA;USLAX", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA],
        }
    )
    lanes["ports"] = lanes["ports"].astype("string")
    sold = [
        ("CHG-65", "ST-1", 40),
        ("CHG-65", "ST-2", 25),
        ("CBL-1M", "ST-1", 90),
        ("CBL-1M", "ST-2", 60),
        ("LAP-14", "ST-1", 6),
        ("KIT-LAP", "ST-1", 4),
        ("CHG-65", "TYO", 30),
    ]
    price = {"CHG-65": 119.0 / 7.2 * 1.6, "CBL-1M": 9.99, "LAP-14": 899.0, "KIT-LAP": 949.0}
    item_locations = pd.DataFrame(
        {
            "item_id": [s[0] for s in sold],
            "location_id": [s[1] for s in sold],
            "unit_price": [price[s[0]] if s[1] != "TYO" else 4200.0 for s in sold],
            "price_currency": ["USD" if s[1] != "TYO" else "JPY" for s in sold],
        }
    )
    rows = []
    for item, loc, mean in sold:
        promo = (rng.random(weeks) < 0.08).astype(float)
        qty = rng.poisson(mean * (1 + 0.6 * promo))
        for w in range(weeks):
            rows.append((item, loc, FIRST + pd.Timedelta(weeks=w), float(qty[w]), promo[w]))
    demand = pd.DataFrame(rows, columns=["item_id", "location_id", "period_start", "qty", "promo"])
    ships = []
    for k, w in enumerate(range(0, weeks, 3)):
        sent = FIRST + pd.Timedelta(weeks=w, days=1)
        transit = int(rng.integers(24, 40))
        ships.append(
            (
                f"SH-{k}",
                "CN-LA-OCN",
                "CHG-65",
                500.0,
                sent,
                sent + pd.Timedelta(days=28),
                sent + pd.Timedelta(days=transit),
            )
        )
    shipments = pd.DataFrame(
        ships, columns=["shipment_id", "lane_id", "item_id", "qty", "ship_date", "eta_date", "delivered_date"]
    )
    dates = pd.date_range(FIRST - pd.Timedelta(days=10), periods=weeks * 7 + 10, freq="D")
    fx = pd.concat(
        [
            pd.DataFrame(
                {"date": dates, "currency": "CNY", "units_per_base": 7.2 + 0.05 * np.sin(np.arange(len(dates)) / 30)}
            ),
            pd.DataFrame(
                {"date": dates, "currency": "JPY", "units_per_base": 150.0 + 3 * np.cos(np.arange(len(dates)) / 40)}
            ),
        ],
        ignore_index=True,
    )
    bundles = pd.DataFrame(
        {
            "bundle_item_id": ["KIT-LAP"] * 3,
            "component_item_id": ["LAP-14", "CBL-1M", "CHG-65"],
            "qty_per_bundle": [1.0, 2.0, 1.0],
        }
    )
    frames = {
        TableName.ITEMS: items,
        TableName.LOCATIONS: locations,
        TableName.SUPPLIERS: suppliers,
        TableName.LANES: lanes,
        TableName.ITEM_LOCATIONS: item_locations,
        TableName.DEMAND: demand,
        TableName.SHIPMENTS: shipments,
        TableName.FX_RATES: fx,
        TableName.BUNDLES: bundles,
    }
    for frame in frames.values():
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("string")
    return frames


def write_network_csvs(folder: Path, seed: int = 3, weeks: int = WEEKS) -> Path:
    """Write the network as one CSV per table (dates as YYYY-MM-DD) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in network_frames(seed, weeks).items():
        out = frame.copy()
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].dt.strftime("%Y-%m-%d")
        out.to_csv(folder / f"{table.value}.csv", index=False)
    return folder
