"""Stock on hand and holds of the demo: the latest cycle counts and the buffers planners keep on purpose.

Every item-location was counted in the last few days before the as-of date; about one in ten (bundles aside)
also has an older count from one to four months earlier. Units on hand cover one to eight weeks of recent demand
(bundles, kitted on demand, much less); a series out of stock all of the last week has nothing on hand. The older
counts agree with the ledger: the older count plus the receipts and transfers in, less the transfers out and the
sales in between, is the newer count, except for a little shrinkage (a quarter of them lose 1–3 % of their units,
at least one). Holds reserve part of the stock of a few well-stocked item-locations, with an owner, a reason and
an expiry date in the future.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from hedgerow.demo.catalog import Catalog
from hedgerow.demo.columns import id_column, text_column
from hedgerow.demo.demand import Assortment, DemandHistory
from hedgerow.demo.network import Lane, Warehouse
from hedgerow.demo.shipments import ShipmentHistory

IntArray = npt.NDArray[np.int64]

#: Share of item-locations that also carry an older count.
OLDER_COUNT_SHARE = 0.10
#: Days before the as-of date of the older counts (fewest, most).
OLDER_COUNT_DAYS = (30, 120)
#: Share of the older counts followed by shrinkage, and the share of their units lost (range).
SHRINKAGE_SHARE, SHRINKAGE_RANGE = 0.25, (0.01, 0.03)
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


def ledger_through(
    assortment: Assortment,
    demand: DemandHistory,
    shipments: ShipmentHistory,
    lanes: tuple[Lane, ...],
    sites: tuple[Warehouse, ...],
    n_items: int,
    as_of: date,
) -> IntArray:
    """Net units each series gained up to and including each day, as the ledger books them (units).

    Shape (series, days from the first history Monday to ``as_of``). Sales of a week count on its Monday,
    receipts and transfers in on their delivery day, transfers out on their departure day: the events of a day
    happen at its midnight, as :mod:`hedgerow.decide.reconcile` counts them.
    """
    start = demand.period_start.to_numpy(dtype="datetime64[D]")[0]
    n_days = int((np.datetime64(as_of, "D") - start).astype(np.int64)) + 1
    flow = np.zeros((len(assortment), n_days), dtype=np.int64)
    flow[:, np.arange(demand.qty.shape[1]) * 7] -= demand.qty.astype(np.int64)
    series_of = np.full((n_items, len(sites)), -1, dtype=np.int64)
    series_of[assortment.item, assortment.location] = np.arange(len(assortment))
    site_index = {s.location_id: k for k, s in enumerate(sites)}
    destination = np.array([site_index.get(ln.destination_id, -1) for ln in lanes])
    origin = np.array([site_index.get(ln.origin_id, -1) for ln in lanes])
    lane = shipments.lane[shipments.line_shipment]

    def book(site: IntArray, when: npt.NDArray[np.datetime64], sign: int) -> None:
        day = (when.astype("datetime64[D]") - start).astype(np.int64)
        series = np.where(site >= 0, series_of[shipments.line_item, np.maximum(site, 0)], -1)
        keep = (series >= 0) & ~np.isnat(when) & (day >= 0) & (day < n_days)
        np.add.at(flow, (series[keep], day[keep]), sign * shipments.line_qty[keep])

    book(destination[lane], shipments.delivered_date[shipments.line_shipment], 1)
    book(origin[lane], shipments.ship_date[shipments.line_shipment], -1)
    return np.cumsum(flow, axis=1)


def inventory_frame(
    catalog: Catalog,
    assortment: Assortment,
    sites: tuple[Warehouse, ...],
    ledger: IntArray,
    on_hand: npt.NDArray[np.int64],
    as_of: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The ``inventory`` table: the latest count of every series and a few older counts that agree with the ledger.

    Parameters
    ----------
    catalog, assortment, sites:
        Items, series and warehouses.
    ledger:
        Net units each series gained up to each day (:func:`ledger_through`): an older count is the latest
        count less what the ledger booked in between (plus a little shrinkage); series where that would be
        negative get no older count.
    on_hand:
        Units on hand at the latest count, per series (:func:`latest_on_hand`).
    as_of:
        The demo's today; counts are taken during working hours (UTC), the latest one to four days before it.
    rng:
        Source of the count times, of which series have an older count and of the shrinkage.
    """
    n = len(assortment)
    midnight = np.datetime64(as_of, "s")
    minute = np.timedelta64(60, "s")
    latest_back = rng.integers(1, 5, n)
    latest_at = midnight - latest_back * 1440 * minute + rng.integers(6 * 60, 20 * 60, n) * minute
    days_back = rng.integers(OLDER_COUNT_DAYS[0], OLDER_COUNT_DAYS[1] + 1, n)
    today = ledger.shape[1] - 1
    first = np.maximum(today - days_back, 0)
    before = on_hand - (ledger[np.arange(n), today - latest_back] - ledger[np.arange(n), first])
    eligible = (before >= 0) & (today - days_back >= 0) & ~catalog.is_bundle[assortment.item]
    share = OLDER_COUNT_SHARE / max(float(eligible.mean()), OLDER_COUNT_SHARE)
    older = np.flatnonzero(eligible & (rng.random(n) < share))
    shrunk = rng.random(len(older)) < SHRINKAGE_SHARE
    loss = np.maximum(1, np.round(before[older] * rng.uniform(*SHRINKAGE_RANGE, len(older))))
    older_qty = before[older] + np.where(shrunk, loss, 0).astype(np.int64)
    older_at = midnight - days_back[older] * 1440 * minute + rng.integers(6 * 60, 20 * 60, len(older)) * minute
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
