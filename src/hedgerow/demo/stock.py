"""Stock on hand and holds of the demo: the latest cycle counts and the buffers planners keep on purpose.

Every item-location was counted in the last few days before the as-of date; about one in ten also has an older
count from one to four months earlier. Units on hand cover one to eight weeks of recent demand (bundles, kitted
on demand, much less); a series out of stock all of the last week has nothing on hand. Holds reserve part of
the stock of a few well-stocked item-locations, with an owner, a reason and an expiry date in the future.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from hedgerow.demo.catalog import Catalog
from hedgerow.demo.columns import id_column, text_column
from hedgerow.demo.demand import Assortment, DemandHistory
from hedgerow.demo.network import Warehouse

#: Share of item-locations that also carry an older count.
OLDER_COUNT_SHARE = 0.10
#: Range of weeks of recent demand on hand.
COVER_WEEKS = (1.0, 8.0)
#: Fewest and most holds in a network.
MIN_HOLDS, MAX_HOLDS = 5, 10

HOLD_OWNERS = ("a.moreau", "k.tanaka", "j.rivera", "s.lim", "m.devries", "l.chen")
HOLD_REASONS = (
    "Key-account allocation for a retail launch",
    "Quality inspection pending on the inbound lot",
    "Safety buffer for typhoon season",
    "Marketing event stock",
    "Warranty replacement pool",
    "Reserved for a B2B tender",
)


def latest_on_hand(
    catalog: Catalog, assortment: Assortment, demand: DemandHistory, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Units on hand of each series at its latest count."""
    n = len(assortment)
    recent = demand.mean_qty[:, -4:].mean(axis=1)
    cover = np.where(catalog.is_bundle[assortment.item], rng.uniform(0.3, 1.5, n), rng.uniform(*COVER_WEEKS, n))
    on_hand = rng.poisson(recent * cover).astype(np.int64)
    return np.where(demand.stockout_fraction[:, -1] >= 1.0, 0, on_hand)


def inventory_frame(
    catalog: Catalog,
    assortment: Assortment,
    sites: tuple[Warehouse, ...],
    demand: DemandHistory,
    on_hand: npt.NDArray[np.int64],
    as_of: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The ``inventory`` table: the latest count of every series and a few older counts.

    Parameters
    ----------
    catalog, assortment, sites:
        Items, series and warehouses.
    demand:
        Expected demand sizes the older counts.
    on_hand:
        Units on hand at the latest count, per series (:func:`latest_on_hand`).
    as_of:
        The demo's today; latest counts are one to four days before it, during working hours (UTC).
    rng:
        Source of the count times and of the older counts.
    """
    n = len(assortment)
    midnight = np.datetime64(as_of, "s")
    minute = np.timedelta64(60, "s")
    latest_at = midnight - rng.integers(1, 5, n) * 1440 * minute + rng.integers(6 * 60, 20 * 60, n) * minute
    older = np.flatnonzero(rng.random(n) < OLDER_COUNT_SHARE)
    days_back = rng.integers(30, 121, len(older))
    week = np.clip(demand.mean_qty.shape[1] - 1 - days_back // 7, 0, None)
    older_qty = rng.poisson(demand.mean_qty[older, week] * rng.uniform(*COVER_WEEKS, len(older)))
    older_at = midnight - days_back * 1440 * minute + rng.integers(6 * 60, 20 * 60, len(older)) * minute
    series = np.concatenate([np.arange(n), older])
    counted_at = np.concatenate([latest_at, older_at]).astype("datetime64[ns]")
    order = np.lexsort((counted_at, series))
    series = series[order]
    return pd.DataFrame(
        {
            "item_id": id_column(catalog.item_id, assortment.item[series]),
            "location_id": id_column([s.location_id for s in sites], assortment.location[series]),
            "on_hand": np.concatenate([on_hand, older_qty]).astype(np.int64)[order],
            "counted_at": counted_at[order],
        }
    )


def holds_frame(
    catalog: Catalog,
    assortment: Assortment,
    sites: tuple[Warehouse, ...],
    on_hand: npt.NDArray[np.int64],
    as_of: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The ``holds`` table: five to ten holds on well-stocked, non-bundle item-locations.

    Each holds 20–60 % of the units on hand at the latest count and expires two to seventeen weeks after
    ``as_of``.
    """
    candidates = np.flatnonzero((on_hand >= 10) & ~catalog.is_bundle[assortment.item])
    n_holds = min(len(candidates), int(np.clip(len(assortment) // 150, MIN_HOLDS, MAX_HOLDS)))
    chosen = np.sort(rng.choice(candidates, n_holds, replace=False))
    qty = np.maximum(1, np.floor(on_hand[chosen] * rng.uniform(0.2, 0.6, n_holds))).astype(np.int64)
    expires = np.datetime64(as_of, "D") + rng.integers(14, 121, n_holds) * np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            "hold_id": text_column([f"HLD-{k + 1:04d}" for k in range(n_holds)]),
            "item_id": id_column(catalog.item_id, assortment.item[chosen]),
            "location_id": id_column([s.location_id for s in sites], assortment.location[chosen]),
            "qty": qty,
            "owner": text_column(rng.choice(HOLD_OWNERS, n_holds)),
            "reason": text_column(rng.choice(HOLD_REASONS, n_holds)),
            "expires_at": expires.astype("datetime64[ns]"),
        }
    )
