"""Breakfast at the Frat (dunnhumby): 77 US stores × 55 UPCs, 156 weeks of unit sales with price and promotion.

Mapping (docs/presets.md has the full table and every assumption with its number):

- items = the UPCs that appear in the transactions (55 of the 58 in products.csv; the other three have no
  price to derive a cost from); ``item_class`` = ABC by revenue (sum of ``spend``; A up to 80 % cumulative,
  B up to 95 %, C the rest); ``unit_cost`` = **assumption** 70 % of the UPC's median ``base_price``;
- locations = the stores; region = state (``address_state_prov_code``), country US, currency USD,
  ``holding_cost_rate_per_year`` = **assumption** 0.20;
- item_locations = every store × UPC series; ``unit_price`` = the series' median ``base_price`` (the UPC's
  median when the series never had one);
- demand = one row per store × UPC × week, ``period_start`` = ``week_end_date`` − 6 days (weeks run
  Thursday–Wednesday), ``qty`` = ``units``; driver columns ``price``, ``base_price``, ``feature``,
  ``display``, ``tpr_only``. Weeks missing *inside* a series' first–last active span are written as explicit
  zero-sales rows (**assumption**: the data set only lists weeks with sales, and its README says absent
  weeks are probably zero demand); their drivers are **assumed**: ``base_price`` and ``price`` carried
  forward from the last observed ``base_price`` of the series, promotion flags 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles, SourceFile, abc_classes

TRANSACTIONS = "transactions.csv.gz"
STORES = "stores.csv"
PRODUCTS = "products.csv"

#: Columns of the transactions file that become demand drivers.
DRIVER_COLUMNS = ("price", "base_price", "feature", "display", "tpr_only")
PROMOTION_FLAGS = ("feature", "display", "tpr_only")

COUNTRY = "US"
CURRENCY = "USD"


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"store_id": "string", "upc_id": "string"})


DATASET = DataSet(
    title="Breakfast at the Frat (dunnhumby)",
    folder="breakfast_at_the_frat",
    files=(
        SourceFile(
            TRANSACTIONS,
            ("week_end_date", "store_id", "upc_id", "units", "spend", *DRIVER_COLUMNS),
            _read_csv,
        ),
        SourceFile(STORES, ("store_id", "store_name", "address_city_name", "address_state_prov_code"), _read_csv),
        SourceFile(PRODUCTS, ("upc_id", "description", "manufacturer", "category", "sub_category"), _read_csv),
    ),
)


@dataclass(frozen=True)
class BreakfastAssumptions:
    """Values the data set does not carry; every one is an assumption flagged in docs/presets.md.

    Attributes
    ----------
    unit_cost_share_of_base_price:
        Purchase cost as a share of the UPC's median shelf base price (grocery gross margin ≈ 30 %).
    store_holding_cost_rate_per_year:
        Storage, handling, insurance and shrinkage of a store, per year, as a share of stock value
        (excluding the cost of capital).
    """

    unit_cost_share_of_base_price: float = 0.70
    store_holding_cost_rate_per_year: float = 0.20


def _weeks(transactions: pd.DataFrame) -> tuple[pd.Series, pd.Timestamp]:
    """Week number of each row (0 = first week of the data set) and the first week-end date."""
    week_end = pd.to_datetime(transactions["week_end_date"], format="%Y-%m-%d", errors="coerce")
    bad = week_end.isna()
    if bad.any():
        example = transactions.loc[bad, "week_end_date"].iloc[0]
        raise InputFileError(
            f"{TRANSACTIONS}: week_end_date must be dates YYYY-MM-DD; {int(bad.sum())} rows are not, e.g. {example!r}"
        )
    first = pd.Timestamp(week_end.min())
    days = (week_end - first).dt.days
    off_grid = days % 7 != 0
    if off_grid.any():
        example = transactions.loc[off_grid, "week_end_date"].iloc[0]
        raise InputFileError(
            f"{TRANSACTIONS}: week_end_date must fall on one weekday, 7 days apart; {example!r} does not "
            f"(first week ends {first.date()})"
        )
    return (days // 7).astype("int64"), first


def _full_grid(observed: pd.DataFrame) -> pd.DataFrame:
    """Every (store, UPC, week) inside each series' first–last observed week."""
    span = observed.groupby(["store_id", "upc_id"], sort=True)["week"].agg(["min", "max"])
    lengths = (span["max"] - span["min"] + 1).to_numpy()
    starts = np.repeat(span["min"].to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pd.DataFrame(
        {
            "store_id": np.repeat(span.index.get_level_values("store_id").to_numpy(), lengths),
            "upc_id": np.repeat(span.index.get_level_values("upc_id").to_numpy(), lengths),
            "week": starts + offsets,
        }
    )


def _demand(transactions: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The demand table with zero-filled absent weeks, and how many rows were filled."""
    week, first_week_end = _weeks(transactions)
    observed = transactions.assign(week=week)
    duplicated = observed.duplicated(["store_id", "upc_id", "week"])
    if duplicated.any():
        row = observed.loc[duplicated].iloc[0]
        raise InputFileError(
            f"{TRANSACTIONS}: store {row['store_id']} × UPC {row['upc_id']} has two rows for week ending "
            f"{row['week_end_date']}; the data set has one row per store, UPC and week"
        )
    grid = _full_grid(observed)
    cols = ["store_id", "upc_id", "week", "units", *DRIVER_COLUMNS]
    full = grid.merge(observed[cols], on=["store_id", "upc_id", "week"], how="left", sort=False, validate="1:1")
    filled = full["units"].isna().to_numpy()
    keys = [full["store_id"], full["upc_id"]]
    carried = full["base_price"].groupby(keys, sort=False).ffill()
    carried = carried.groupby(keys, sort=False).bfill()
    full["base_price"] = full["base_price"].where(~filled, carried)
    full["price"] = full["price"].where(~filled, carried)
    for flag in PROMOTION_FLAGS:
        full[flag] = full[flag].fillna(0.0)
    full["units"] = full["units"].fillna(0.0)
    period_start = first_week_end + pd.to_timedelta(full["week"] * 7 - 6, unit="D")
    demand = pd.DataFrame(
        {
            "item_id": full["upc_id"].astype("string"),
            "location_id": full["store_id"].astype("string"),
            "period_start": period_start,
            "qty": full["units"].astype("float64"),
        }
    )
    for col in DRIVER_COLUMNS:
        demand[col] = full[col].astype("float64")
    return demand, int(filled.sum())


def _items(
    transactions: pd.DataFrame, products: pd.DataFrame, assumptions: BreakfastAssumptions
) -> tuple[pd.DataFrame, int]:
    """Items: UPCs with sales; and how many catalogue UPCs were left out for having none."""
    by_upc = transactions.groupby("upc_id", sort=True)
    revenue = by_upc["spend"].sum()
    median_base = by_upc["base_price"].median()
    catalogue = products.drop_duplicates("upc_id").set_index("upc_id")
    unknown = sorted(set(revenue.index) - set(catalogue.index))
    if unknown:
        raise InputFileError(f"{PRODUCTS}: UPCs sold in {TRANSACTIONS} are missing from it: {', '.join(unknown[:5])}")
    sold = catalogue.loc[revenue.index]
    items = pd.DataFrame(
        {
            "item_id": revenue.index.astype("string"),
            "name": sold["description"].astype("string").to_numpy(),
            "item_class": abc_classes(revenue).to_numpy(),
            "unit_cost": (median_base * assumptions.unit_cost_share_of_base_price).round(4).to_numpy(),
            "cost_currency": CURRENCY,
            "manufacturer": sold["manufacturer"].astype("string").to_numpy(),
            "category": sold["category"].astype("string").to_numpy(),
            "sub_category": sold["sub_category"].astype("string").to_numpy(),
        }
    )
    return items, len(catalogue) - len(items)


def _locations(stores: pd.DataFrame, assumptions: BreakfastAssumptions) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "location_id": stores["store_id"].astype("string"),
            "name": stores["store_name"].astype("string"),
            "region": stores["address_state_prov_code"].astype("string"),
            "country": COUNTRY,
            "currency": CURRENCY,
            "holding_cost_rate_per_year": assumptions.store_holding_cost_rate_per_year,
            "location_type": "store",
            "city": stores["address_city_name"].astype("string"),
        }
    )
    if "msa_code" in stores:
        msa = pd.to_numeric(stores["msa_code"], errors="coerce")
        out["msa_code"] = msa.map(lambda v: pd.NA if pd.isna(v) else str(int(v))).astype("string")
    if "seg_value_name" in stores:
        out["segment"] = stores["seg_value_name"].astype("string")
    return out.reset_index(drop=True)


def _item_locations(transactions: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Store × UPC series with their median base price; and how many fell back to the UPC's median."""
    series = transactions.groupby(["upc_id", "store_id"], sort=True)["base_price"].median()
    upc_median = transactions.groupby("upc_id")["base_price"].median()
    missing = series.isna()
    fallback = pd.Series(series.index.get_level_values("upc_id"), index=series.index).map(upc_median)
    price = series.where(~missing, fallback)
    out = pd.DataFrame(
        {
            "item_id": series.index.get_level_values("upc_id").astype("string"),
            "location_id": series.index.get_level_values("store_id").astype("string"),
            "unit_price": price.to_numpy(),
            "price_currency": CURRENCY,
        }
    )
    return out, int(missing.sum())


def map_tables(raw: RawFiles, context: PresetContext, assumptions: BreakfastAssumptions | None = None) -> PresetTables:
    """Map the Breakfast at the Frat files to items, locations, item_locations and demand.

    Parameters
    ----------
    raw:
        The frames of transactions.csv.gz, stores.csv and products.csv (ids read as text).
    context:
        The workspace's settings the mapping may use (not needed here: all money is USD).
    assumptions:
        Values the data set does not carry (defaults: :class:`BreakfastAssumptions`).

    Returns
    -------
    PresetTables
        The four tables and a summary with the counts of rows read, zero-filled and left out.
    """
    del context  # all values are in USD and weekly; nothing depends on the workspace
    assumptions = assumptions or BreakfastAssumptions()
    transactions = raw[TRANSACTIONS]
    stores = raw[STORES]
    products = raw[PRODUCTS]
    unknown_stores = sorted(set(transactions["store_id"]) - set(stores["store_id"]))
    if unknown_stores:
        raise InputFileError(
            f"{STORES}: stores sold from in {TRANSACTIONS} are missing from it: {', '.join(unknown_stores[:5])}"
        )
    demand, filled = _demand(transactions)
    items, unsold = _items(transactions, products, assumptions)
    item_locations, price_fallbacks = _item_locations(transactions)
    locations = _locations(stores, assumptions)
    summary = {
        "transactions_rows": len(transactions),
        "series": len(item_locations),
        "demand_rows": len(demand),
        "zero_filled_weeks": filled,
        "items": len(items),
        "catalogue_upcs_without_sales_left_out": unsold,
        "stores": len(locations),
        "unit_price_from_upc_median": price_fallbacks,
        "first_period_start": str(demand["period_start"].min().date()),
        "last_period_start": str(demand["period_start"].max().date()),
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
