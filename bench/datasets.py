"""Real demand data sets of ../shared/data in the data-contract layout (read by path, never copied)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    """``$HEDGEROW_SHARED_DATA``, else ``../shared/data`` next to the repository (or next to its parent, for a
    git worktree one level deeper)."""
    env = os.environ.get("HEDGEROW_SHARED_DATA")
    if env:
        return Path(env)
    candidates = [ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


DATA = shared_data()


@dataclass(frozen=True)
class DemandDataset:
    """A demand table with the frequency and evaluation settings used for it."""

    name: str
    demand: pd.DataFrame
    freq: str
    horizon: int
    origins: int
    step: int
    note: str


def breakfast_at_the_frat(root: Path = DATA) -> DemandDataset:
    """dunnhumby Breakfast at the Frat: store × UPC weekly units with price, feature, display, tpr_only.

    Weeks end on Wednesdays; the period starts six days earlier. Weeks without a row are zero sales (the
    panel builder fills them) and their drivers take each series' usual value.
    """
    t = pd.read_csv(root / "breakfast_at_the_frat" / "transactions.csv.gz", parse_dates=["week_end_date"])
    demand = pd.DataFrame(
        {
            "item_id": t["upc_id"].astype(str),
            "location_id": t["store_id"].astype(str),
            "period_start": t["week_end_date"] - pd.Timedelta(days=6),
            "qty": t["units"].astype(np.float64),
            "price": t["price"],
            "feature": t["feature"].astype(np.float64),
            "display": t["display"].astype(np.float64),
            "tpr_only": t["tpr_only"].astype(np.float64),
        }
    )
    return DemandDataset("breakfast_at_the_frat", demand, "W", 13, 3, 13, "3,909 store x UPC weekly series, 156 weeks")


def carparts(root: Path = DATA) -> DemandDataset:
    """Hyndman's carparts: 2,674 monthly part series, one location; months before a part's first record dropped."""
    wide = pd.read_csv(root / "carparts" / "carparts.csv")
    long = wide.melt(id_vars="Part", var_name="month", value_name="qty").dropna(subset=["qty"])
    demand = pd.DataFrame(
        {
            "item_id": long["Part"].astype(str),
            "location_id": "ALL",
            "period_start": pd.to_datetime(long["month"], format="%b-%y"),
            "qty": long["qty"].astype(np.float64),
        }
    )
    return DemandDataset("carparts", demand, "M", 12, 2, 12, "2,674 monthly series, 51 months, 75 % zeros")


def online_retail(root: Path = DATA, min_active_weeks: int = 26) -> DemandDataset:
    """UCI Online Retail weekly SKU × country units; series with at least ``min_active_weeks`` active weeks."""
    w = pd.read_csv(
        root / "online_retail" / "weekly_sku_country_sales_2009-12_2011-12.csv.gz", parse_dates=["week_start"]
    )
    active = w.groupby(["StockCode", "Country"])["units"].transform("size")
    w = w.loc[active >= min_active_weeks]
    demand = pd.DataFrame(
        {
            "item_id": w["StockCode"].astype(str),
            "location_id": w["Country"].astype(str),
            "period_start": w["week_start"],
            "qty": w["units"].astype(np.float64),
        }
    )
    return DemandDataset(
        "online_retail", demand, "W", 13, 3, 13, f"SKU x country weekly series with >= {min_active_weeks} active weeks"
    )


LOADERS = {"breakfast_at_the_frat": breakfast_at_the_frat, "carparts": carparts, "online_retail": online_retail}
