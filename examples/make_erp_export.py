"""Write examples/erp-export/: a small ERP export a planner would hand hedgerow, with a few real-export habits.

Harbor & Field, an outdoor-gear distributor: six items sold from Los Angeles (USD) and Rotterdam (EUR), bought
from a supplier in China (USD) and one in Germany (EUR), two years of weekly sales ending 2026-11-23. The files
are CSV and XLSX, as ERPs export them, with these habits (each handled as docs/first-hour.md shows):

- ``items.xlsx`` opens on a "Notes" sheet; the data is on the sheet named ``items`` (read without ``--sheet``);
- currency codes partly in lower case (``eur``), read as ``EUR``;
- ``demand.csv`` is semicolon-separated with a byte-order mark (Excel's "CSV UTF-8"), repeats one row (the last
  copy wins) and sells an item that is not in the catalogue (``TENT-3P``, a warning, kept);
- ``shipments.csv`` (a year of weekly purchase orders) has one booked as delivered before it left (a warning; left out of lead times);
- ``inventory.xlsx`` has no count for one item-location (status names it);
- ``erp-export-fixes/demand.csv``, a correction of two weeks, has day-first dates (30/11/2026 style): rejected with the
  ``--date-format`` that reads it.

Run ``python examples/make_erp_export.py`` from the repository root to rewrite the folder (seeded: the same
files every time, except the workbooks' zip timestamps).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

FOLDER = Path(__file__).resolve().parent / "erp-export"
FIXES = Path(__file__).resolve().parent / "erp-export-fixes"
SEED = 20261123
LAST_WEEK = pd.Timestamp("2026-11-23")  # a Monday: the last week of sales
WEEKS = 104

ITEMS = [
    # item_id, name, class, unit cost, currency, kg, supplier, weekly base at LAX, at RTM
    ("TENT-2P", "Two-person tent", "A", 62.0, "USD", 2.4, "SUP-CN", 40, 25),
    ("TENT-4P", "Four-person tent", "B", 118.0, "USD", 5.1, "SUP-CN", 14, 9),
    ("BAG-0C", "Sleeping bag 0 °C", "A", 39.0, "USD", 1.6, "SUP-CN", 55, 30),
    ("STOVE-1", "Camping stove", "B", 21.5, "eur", 0.9, "SUP-DE", 22, 28),
    ("LAMP-LED", "LED lantern", "C", 7.8, "eur", 0.3, "SUP-DE", 60, 45),
    ("MAT-PAD", "Sleeping pad", "C", 14.0, "USD", 0.7, "SUP-CN", 35, 20),
]
PRICE_MARKUP = 2.1
EUR_PER_USD = 0.93


def _write_xlsx(path: Path, sheets: dict[str, pd.DataFrame | list[list[object]]]) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, content in sheets.items():
        sheet = book.create_sheet(title)
        if isinstance(content, pd.DataFrame):
            sheet.append(list(content.columns))
            for row in content.itertuples(index=False):
                sheet.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row])
        else:
            for row in content:
                sheet.append(row)
    book.save(path)


def _demand(rng: np.random.Generator) -> pd.DataFrame:
    weeks = pd.date_range(end=LAST_WEEK, periods=WEEKS, freq="7D")
    season = 1.0 + 0.45 * np.sin(2 * np.pi * (weeks.dayofyear.to_numpy() - 80) / 365.25)  # summer camping peak
    rows = []
    for item_id, *_, lax, rtm in ITEMS:
        for location, base in (("LAX", lax), ("RTM", rtm)):
            qty = rng.poisson(base * season)
            rows += [(item_id, location, w.date().isoformat(), int(q)) for w, q in zip(weeks, qty, strict=True)]
    frame = pd.DataFrame(rows, columns=["item_id", "location_id", "period_start", "qty"])
    extra = pd.DataFrame(
        [
            frame.iloc[100].tolist(),  # a row exported twice (the ERP's paging overlap)
            ["TENT-3P", "LAX", LAST_WEEK.date().isoformat(), 3],  # an item the catalogue does not have yet
        ],
        columns=frame.columns,
    )
    return pd.concat([frame, extra], ignore_index=True)


def write(folder: Path = FOLDER, fixes: Path = FIXES) -> None:
    """Write every file of the example export into ``folder`` and the correction into ``fixes``."""
    rng = np.random.default_rng(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    fixes.mkdir(parents=True, exist_ok=True)
    items = pd.DataFrame(
        [(i, n, c, cost, cur, kg, sup) for i, n, c, cost, cur, kg, sup, *_ in ITEMS],
        columns=["item_id", "name", "item_class", "unit_cost", "cost_currency", "weight_kg", "supplier_id"],
    )
    notes = [["Harbor & Field — item master export"], ["Exported 2026-11-24 by the ERP; data on sheet 'items'."]]
    _write_xlsx(folder / "items.xlsx", {"Notes": notes, "items": items})
    pd.DataFrame(
        [
            ("LAX", "Los Angeles DC", "Americas", "US", "USD", 0.18, 40000),
            ("RTM", "Rotterdam DC", "Europe", "nl", "eur", 0.20, 25000),
        ],
        columns=[
            "location_id",
            "name",
            "region",
            "country",
            "currency",
            "holding_cost_rate_per_year",
            "capacity_units",
        ],
    ).to_csv(folder / "locations.csv", index=False)
    il = []
    for item_id, _n, _c, cost, cur, *_ in ITEMS:
        usd_cost = cost / EUR_PER_USD if cur.upper() == "EUR" else cost
        il.append((item_id, "LAX", round(usd_cost * PRICE_MARKUP, 2), "USD"))
        il.append((item_id, "RTM", round(usd_cost * PRICE_MARKUP * EUR_PER_USD, 2), "EUR"))
    pd.DataFrame(il, columns=["item_id", "location_id", "unit_price", "price_currency"]).to_csv(
        folder / "item_locations.csv", index=False
    )
    pd.DataFrame(
        [("SUP-CN", "Ningbo Outdoor Manufacturing", "CN", "USD"), ("SUP-DE", "Bergwerk Camping GmbH", "DE", "EUR")],
        columns=["supplier_id", "name", "country", "currency"],
    ).to_csv(folder / "suppliers.csv", index=False)
    pd.DataFrame(
        [
            ("CN-LAX-OCEAN", "SUP-CN", "LAX", "ocean", 1.10, "USD", 30, 20000, "CNNGB;USLAX", 10),
            ("CN-LAX-AIR", "SUP-CN", "LAX", "air", 6.50, "USD", 6, 2000, "", 5),
            ("CN-RTM-OCEAN", "SUP-CN", "RTM", "ocean", 1.30, "USD", 38, 20000, "CNNGB;NLRTM", 10),
            ("DE-RTM-TRUCK", "SUP-DE", "RTM", "truck", 0.40, "EUR", 4, 5000, "", 5),
            ("DE-LAX-AIR", "SUP-DE", "LAX", "air", 3.20, "eur", 5, 1500, "", 5),
        ],
        columns=[
            "lane_id",
            "origin_id",
            "destination_id",
            "mode",
            "cost_per_unit",
            "cost_currency",
            "transit_days",
            "capacity_units_per_period",
            "ports",
            "min_order_qty",
        ],
    ).to_csv(folder / "lanes.csv", index=False)
    shipments = []
    main_lane = {("SUP-CN", "LAX"): ("CN-LAX-OCEAN", 30), ("SUP-CN", "RTM"): ("CN-RTM-OCEAN", 38),
                 ("SUP-DE", "RTM"): ("DE-RTM-TRUCK", 4), ("SUP-DE", "LAX"): ("DE-LAX-AIR", 5)}  # fmt: skip
    for n, week in enumerate(pd.date_range(end=LAST_WEEK, periods=52, freq="7D")):
        for item_id, *_, supplier, lax, rtm in ITEMS:
            for location, base in (("LAX", lax), ("RTM", rtm)):
                lane, days = main_lane[(supplier, location)]
                took = int(days + rng.integers(-2, 8))
                delivered = week + pd.Timedelta(days=took)
                shipments.append(
                    (
                        f"PO-{n:03d}-{location}",
                        lane,
                        item_id,
                        int(max(1, rng.poisson(base))),
                        week.date().isoformat(),
                        (week + pd.Timedelta(days=days)).date().isoformat(),
                        delivered.date().isoformat() if delivered <= LAST_WEEK else "",
                    )
                )
    booked_early = list(shipments[3])
    booked_early[6] = "2025-11-01"  # booked as delivered before it left
    shipments[3] = tuple(booked_early)
    pd.DataFrame(
        shipments, columns=["shipment_id", "lane_id", "item_id", "qty", "ship_date", "eta_date", "delivered_date"]
    ).to_csv(folder / "shipments.csv", index=False)
    counted = (LAST_WEEK + pd.Timedelta(days=1, hours=18)).isoformat() + "Z"
    counts = [
        (item_id, loc, int(rng.integers(2, 7)) * base, counted)
        for item_id, *_, lax, rtm in ITEMS
        for loc, base in (("LAX", lax), ("RTM", rtm))
        if (item_id, loc) != ("MAT-PAD", "RTM")  # nobody counted the sleeping pads in Rotterdam
    ]
    _write_xlsx(
        folder / "inventory.xlsx",
        {"inventory": pd.DataFrame(counts, columns=["item_id", "location_id", "on_hand", "counted_at"])},
    )
    days = pd.date_range(end=LAST_WEEK, periods=WEEKS * 5, freq="B")
    walk = EUR_PER_USD * np.exp(np.cumsum(rng.normal(0.0, 0.004, len(days))))
    pd.DataFrame(
        {"date": [d.date().isoformat() for d in days], "currency": "EUR", "units_per_base": np.round(walk, 4)}
    ).to_csv(folder / "fx_rates.csv", index=False)
    demand = _demand(rng)
    with (folder / "demand.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        demand.to_csv(fh, index=False, sep=";")
    fix = pd.DataFrame(
        [
            ("TENT-2P", "LAX", (LAST_WEEK - pd.Timedelta(days=7)).strftime("%d/%m/%Y"), 61),
            ("TENT-2P", "LAX", LAST_WEEK.strftime("%d/%m/%Y"), 58),
        ],
        columns=["item_id", "location_id", "period_start", "qty"],
    )
    fix.to_csv(fixes / "demand.csv", index=False)


if __name__ == "__main__":  # pragma: no cover - a generator for people
    write(*(Path(a) for a in sys.argv[1:3]))
