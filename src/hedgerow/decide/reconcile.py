"""Reconciliation maths: what the ledger expected on hand versus what was counted. Pure: frames in, frames out.

For every item-location with two counts, the previous at ``t0`` and the new at ``t1``::

    expected = previous on hand + receipts + transfers in − transfers out − sales
    diff     = counted − expected              (negative: units missing, e.g. shrinkage or unrecorded sales)
    value    = diff × unit value in base currency

over the window ``[t0, t1)``. Dated events (a sales period's ``period_start``, a shipment's ``ship_date`` and
``delivered_date``) count at 00:00 UTC of their day, so counts taken at the start of a period, before its sales,
reconcile exactly. Receipts are deliveries on lanes from suppliers, transfers are shipments on lanes whose
origin is a location (out when shipped, in when delivered).

Per location, the trust score is ``100 × (1 − min(1, Σ|diff| / Σ max(expected, counted)))`` in units: 100 when
every count matches the ledger, 0 when the differences are as large as the stock itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgerow.errors import HedgerowError

#: A difference smaller than this (units) counts as a match (rounding in source systems).
MATCH_TOLERANCE_UNITS = 0.5

LINE_COLUMNS = [
    "item_id",
    "location_id",
    "previous_counted_at",
    "counted_at",
    "previous_on_hand",
    "receipts",
    "sales",
    "transfers_in",
    "transfers_out",
    "expected",
    "counted",
    "diff_units",
    "unit_value_base",
    "diff_value_base",
]

LOCATION_COLUMNS = [
    "location_id",
    "items",
    "items_off",
    "expected_units",
    "abs_diff_units",
    "diff_value_base",
    "abs_diff_value_base",
    "trust_score",
]


@dataclass(frozen=True)
class Reconciliation:
    """Per item-location lines (:data:`LINE_COLUMNS`) and per-location totals (:data:`LOCATION_COLUMNS`)."""

    lines: pd.DataFrame
    locations: pd.DataFrame


def _day(values: pd.Series) -> pd.Series:
    """Times as naive UTC timestamps (aware ones are converted to UTC first)."""
    moments = pd.to_datetime(values)
    if moments.dt.tz is not None:
        return moments.dt.tz_convert("UTC").dt.tz_localize(None)
    return moments


def count_pairs(counts: pd.DataFrame) -> pd.DataFrame:
    """The newest count and the one before it per item-location (those with a single count are left out).

    Returns columns item_id, location_id, previous_counted_at, previous_on_hand, counted_at, counted.
    """
    c = counts[["item_id", "location_id", "counted_at", "on_hand"]].copy()
    c["counted_at"] = _day(c["counted_at"])
    c = c.sort_values(["item_id", "location_id", "counted_at"]).drop_duplicates(
        ["item_id", "location_id", "counted_at"], keep="last"
    )
    c["rank"] = c.groupby(["item_id", "location_id"]).cumcount(ascending=False)
    new = c[c["rank"] == 0].rename(columns={"on_hand": "counted"})
    old = c[c["rank"] == 1].rename(columns={"on_hand": "previous_on_hand", "counted_at": "previous_counted_at"})
    pairs = old.drop(columns="rank").merge(new.drop(columns="rank"), on=["item_id", "location_id"], how="inner")
    return pairs[["item_id", "location_id", "previous_counted_at", "previous_on_hand", "counted_at", "counted"]]


def _in_window(pairs: pd.DataFrame, events: pd.DataFrame, on: list[str], when: str, out: str) -> pd.Series:
    """Sum of ``events.qty`` joined to ``pairs`` on ``on`` with ``when`` in [previous_counted_at, counted_at)."""
    if events.empty:
        return pd.Series(0.0, index=pairs.index)
    keyed = pairs.reset_index().merge(events, on=on, how="inner")
    inside = (keyed[when] >= keyed["previous_counted_at"]) & (keyed[when] < keyed["counted_at"])
    sums = keyed[inside].groupby("index")["qty"].sum()
    return sums.reindex(pairs.index, fill_value=0.0).astype(float).rename(out)


def reconcile(
    counts: pd.DataFrame,
    demand: pd.DataFrame | None,
    shipments: pd.DataFrame | None,
    lanes: pd.DataFrame | None,
    location_ids: Iterable[str],
    unit_value_base: dict[str, float],
) -> Reconciliation:
    """Compare each item-location's newest count with what the ledger expected since the count before.

    Parameters
    ----------
    counts:
        Inventory counts (contract table ``inventory``), at least two per item-location to reconcile.
    demand:
        Sales per period (contract table ``demand``); None when not imported (no sales assumed).
    shipments, lanes:
        Contract tables ``shipments`` and ``lanes``; None when not imported (no receipts or transfers).
    location_ids:
        Ids of the network's locations (a lane from one of them is a transfer).
    unit_value_base:
        Value of one unit of each item in base currency (missing items are valued 0).
    """
    pairs = count_pairs(counts).reset_index(drop=True)
    pairs["sales"] = 0.0
    pairs["receipts"] = 0.0
    pairs["transfers_in"] = 0.0
    pairs["transfers_out"] = 0.0
    if demand is not None and not demand.empty:
        d = demand[["item_id", "location_id", "period_start", "qty"]].copy()
        d["period_start"] = _day(d["period_start"])
        pairs["sales"] = _in_window(pairs, d, ["item_id", "location_id"], "period_start", "sales")
    if shipments is not None and lanes is not None and not shipments.empty:
        locations = set(location_ids)
        s = shipments.merge(lanes[["lane_id", "origin_id", "destination_id"]], on="lane_id", how="inner")
        s["ship_date"] = _day(s["ship_date"])
        s["delivered_date"] = _day(s["delivered_date"])
        transfer = s["origin_id"].isin(locations)
        delivered = s[s["delivered_date"].notna()].rename(columns={"destination_id": "location_id"})
        on = ["item_id", "location_id"]
        pairs["receipts"] = _in_window(pairs, delivered[~transfer[delivered.index]], on, "delivered_date", "receipts")
        pairs["transfers_in"] = _in_window(pairs, delivered[transfer[delivered.index]], on, "delivered_date", "tin")
        shipped = s[transfer].rename(columns={"origin_id": "location_id"})
        pairs["transfers_out"] = _in_window(pairs, shipped, on, "ship_date", "tout")
    pairs["expected"] = (
        pairs["previous_on_hand"] + pairs["receipts"] + pairs["transfers_in"] - pairs["transfers_out"] - pairs["sales"]
    )
    pairs["diff_units"] = pairs["counted"] - pairs["expected"]
    pairs["unit_value_base"] = pairs["item_id"].map(unit_value_base).fillna(0.0).astype(float)
    pairs["diff_value_base"] = pairs["diff_units"] * pairs["unit_value_base"]
    lines = pairs[LINE_COLUMNS].sort_values(["location_id", "item_id"]).reset_index(drop=True)
    return Reconciliation(lines=lines, locations=location_summary(lines))


def trust_score(abs_diff_units: float, scale_units: float) -> float:
    """Count trust 0–100: ``100 × (1 − min(1, Σ|diff| / Σ max(expected, counted)))``."""
    if scale_units <= 0:
        return 100.0 if abs_diff_units < MATCH_TOLERANCE_UNITS else 0.0
    return float(100.0 * (1.0 - min(1.0, abs_diff_units / scale_units)))


def location_summary(lines: pd.DataFrame) -> pd.DataFrame:
    """Per-location totals and trust score of reconciliation lines."""
    if lines.empty:
        return pd.DataFrame(columns=LOCATION_COLUMNS)
    work = lines.assign(
        abs_diff=lines["diff_units"].abs(),
        abs_value=lines["diff_value_base"].abs(),
        off=(lines["diff_units"].abs() >= MATCH_TOLERANCE_UNITS).astype(int),
        scale=np.maximum(lines["expected"].clip(lower=0), lines["counted"]),
        positive_expected=lines["expected"].clip(lower=0),
    )
    g = work.groupby("location_id", sort=True)
    out = pd.DataFrame(
        {
            "items": g.size(),
            "items_off": g["off"].sum(),
            "expected_units": g["positive_expected"].sum(),
            "abs_diff_units": g["abs_diff"].sum(),
            "diff_value_base": g["diff_value_base"].sum(),
            "abs_diff_value_base": g["abs_value"].sum(),
            "scale": g["scale"].sum(),
        }
    ).reset_index()
    out["trust_score"] = [trust_score(a, s) for a, s in zip(out["abs_diff_units"], out["scale"], strict=True)]
    return out[LOCATION_COLUMNS]


def rates_at(fx_rates: pd.DataFrame | None, base_currency: str, at: pd.Timestamp) -> dict[str, float]:
    """Currency → units per one base unit: the newest rate on or before ``at`` of each currency the ``fx_rates``
    table quotes, and 1 for the base currency."""
    rates: dict[str, float] = {base_currency: 1.0}
    if fx_rates is not None and not fx_rates.empty:
        fx = fx_rates[pd.to_datetime(fx_rates["date"]) <= at].sort_values("date")
        rates.update({str(c): float(v) for c, v in fx.groupby("currency")["units_per_base"].last().items()})
    return rates


def unit_values_base(
    items: pd.DataFrame, fx_rates: pd.DataFrame | None, base_currency: str, at: pd.Timestamp
) -> dict[str, float]:
    """Value of one unit of each item (its ``unit_cost``) in base currency, at the newest FX rate on or before ``at``.

    Raises
    ------
    HedgerowError
        When an item's cost currency is not the base currency and has no rate on or before ``at``.
    """
    rates = rates_at(fx_rates, base_currency, at)
    missing = sorted(set(items["cost_currency"]) - set(rates))
    if missing:
        raise HedgerowError(
            f"no FX rate on or before {at.date()} for {', '.join(missing)} against {base_currency}; import fx_rates"
        )
    return {
        str(i): float(c) / rates[str(cur)]
        for i, c, cur in zip(items["item_id"], items["unit_cost"], items["cost_currency"], strict=True)
    }


def trust_note(location_id: str, score: float, abs_diff_value_base: float, currency: str, floor: float) -> str | None:
    """A plain-words warning for recommendations at a location whose counts are not trusted, or None."""
    if score >= floor:
        return None
    return (
        f"Stock counts at {location_id} are not fully trusted: the last reconciliation scored {score:.0f}/100 "
        f"(differences worth {abs_diff_value_base:,.0f} {currency}). Check the count before acting on large moves."
    )
