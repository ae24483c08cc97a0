"""carparts (Hyndman et al. 2008, R package expsmooth): 2,674 monthly intermittent spare-part series, one site.

Mapping (docs/presets.md has the full table and every assumption with its number):

- items = the parts (``Part``); ``item_class`` = ABC by units sold over the observed months (the data carry no
  prices, so volume stands in for revenue); ``unit_cost`` = **assumption** 10.00 USD for every part;
- locations = one site, ``CARPARTS-DC`` (country US, currency USD, ``holding_cost_rate_per_year`` =
  **assumption** 0.25 — slow movers carry obsolescence risk);
- item_locations = every part at ``CARPARTS-DC``, ``unit_price`` = **assumption** 15.00 USD;
- demand = one row per part and *observed* month, ``period_start`` = the first day of the month. Empty (NA)
  cells are **not written**: they are months the part was not observed (not yet introduced), not zero sales.

The contract's planning period is a week or a day; the demand table is just dated rows, so monthly rows import
unchanged, but the workspace's quality checks (which assume its period) flag every month as a gap and the
irregular weekdays of month starts as irregular periods. Forecasting on this workspace needs a monthly season
length (12); the workspace ``period`` setting is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles, SourceFile, abc_classes

CARPARTS = "carparts.csv"
MONTH_FORMAT = "%b-%y"  # Jan-98
COUNTRY = "US"
CURRENCY = "USD"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"Part": "string"})


DATASET = DataSet(
    title="carparts (expsmooth monthly car-part sales)",
    folder="carparts",
    files=(SourceFile(CARPARTS, ("Part",), _read),),
)


@dataclass(frozen=True)
class CarpartsAssumptions:
    """Values the data set does not carry; every one is an assumption flagged in docs/presets.md.

    Attributes
    ----------
    location_id:
        Id of the single site the parts are sold from.
    unit_cost, unit_price:
        Purchase cost and selling price of every part, USD per unit.
    holding_cost_rate_per_year:
        Storage, handling, insurance and obsolescence per year, as a share of stock value.
    """

    location_id: str = "CARPARTS-DC"
    unit_cost: float = 10.0
    unit_price: float = 15.0
    holding_cost_rate_per_year: float = 0.25


def _month_columns(frame: pd.DataFrame) -> dict[str, pd.Timestamp]:
    months: dict[str, pd.Timestamp] = {}
    bad: list[str] = []
    for col in frame.columns:
        if col == "Part":
            continue
        when = pd.to_datetime(str(col), format=MONTH_FORMAT, errors="coerce")
        if pd.isna(when):
            bad.append(str(col))
        else:
            months[str(col)] = pd.Timestamp(when)
    if bad or not months:
        raise InputFileError(
            f"{CARPARTS}: expected the column Part then one column per month named like Jan-98 (Mon-YY); "
            + (f"these columns are not months: {', '.join(bad[:5])}" if bad else "the file has no month column")
        )
    return months


def _quantities(frame: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    values = pd.DataFrame({m: pd.to_numeric(frame[m], errors="coerce") for m in months}, index=frame.index)
    text = frame[months].astype("string")
    bad = values.isna() & text.notna()
    if bad.any().any():
        col = str(bad.any()[bad.any()].index[0])
        row = int(bad[col].to_numpy().nonzero()[0][0])
        raise InputFileError(
            f"{CARPARTS}: month cells must be unit counts or empty; part {frame['Part'].iloc[row]} has "
            f"{frame[col].iloc[row]!r} in {col}"
        )
    return values


def map_tables(raw: RawFiles, context: PresetContext, assumptions: CarpartsAssumptions | None = None) -> PresetTables:
    """Map carparts.csv to items, one location, item_locations and monthly demand.

    Parameters
    ----------
    raw:
        The frame of carparts.csv (``Part`` as text, month columns as numbers with NaN for NA).
    context:
        The workspace's settings (not needed: the mapping is the same for week and day workspaces).
    assumptions:
        Values the data set does not carry (defaults: :class:`CarpartsAssumptions`).

    Returns
    -------
    PresetTables
        items, locations, item_locations and demand, and a summary with the counts of observed and NA cells.
    """
    del context
    a = assumptions or CarpartsAssumptions()
    frame = raw[CARPARTS]
    months = _month_columns(frame)
    parts = frame["Part"].astype("string").str.strip()
    if parts.isna().any() or not parts.is_unique:
        dupes = parts[parts.duplicated()].dropna().unique()[:5]
        raise InputFileError(
            f"{CARPARTS}: every row needs a distinct Part; " + (f"repeated: {', '.join(dupes)}" if len(dupes) else "")
        )
    values = _quantities(frame, list(months))
    values.index = pd.Index(parts, name="item_id")
    long = values.rename(columns=months).stack(future_stack=True)
    observed = long.dropna()
    demand = pd.DataFrame(
        {
            "item_id": observed.index.get_level_values(0).astype("string"),
            "location_id": a.location_id,
            "period_start": pd.DatetimeIndex(observed.index.get_level_values(1)),
            "qty": observed.to_numpy(dtype="float64"),
        }
    )
    volume = values.sum(axis=1, skipna=True)
    items = pd.DataFrame(
        {
            "item_id": parts.to_numpy(),
            "name": ("Car part " + parts).to_numpy(),
            "item_class": abc_classes(volume).to_numpy(),
            "unit_cost": a.unit_cost,
            "cost_currency": CURRENCY,
        }
    )
    locations = pd.DataFrame(
        {
            "location_id": [a.location_id],
            "name": ["Car parts distribution centre"],
            "region": [COUNTRY],
            "country": [COUNTRY],
            "currency": [CURRENCY],
            "holding_cost_rate_per_year": [a.holding_cost_rate_per_year],
        }
    )
    item_locations = pd.DataFrame(
        {
            "item_id": parts.to_numpy(),
            "location_id": a.location_id,
            "unit_price": a.unit_price,
            "price_currency": CURRENCY,
        }
    )
    summary = {
        "parts": len(parts),
        "months": len(months),
        "cells": int(values.size),
        "demand_rows": len(demand),
        "na_cells_not_written": int(values.isna().sum().sum()),
        "parts_with_na": int(values.isna().any(axis=1).sum()),
        "zero_rows": int((demand["qty"] == 0).sum()),
        "first_period_start": str(min(months.values()).date()),
        "last_period_start": str(max(months.values()).date()),
        "season_length_periods": 12,
    }
    return PresetTables(
        tables={
            TableName.ITEMS: items,
            TableName.LOCATIONS: locations,
            TableName.ITEM_LOCATIONS: item_locations,
            TableName.DEMAND: demand,
        },
        summary=summary,
    )
