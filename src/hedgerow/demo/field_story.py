"""The field story's cascade, injected into a demo workspace's tables (for the planner's test and benchmark).

As the feeds would report it two days before the plan: a Los Angeles port software outage (port USLAX, 90 %
likely, about three weeks of delay), a US truck-driver shortage (every truck lane into Los Angeles and New
Jersey, 80 % likely, ten days), a viral demand shift for one item in Tokyo (its last three weeks of sales × 4 and
a strong sentiment signal), and the low-margin accessory (the cheapest component) that the US bundles cannot be
sold without. Pure functions over contract frames.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from hedgerow.domain.enums import Mode, TableName

TYO, US = "LOC-TYO", ("LOC-LAX", "LOC-NJ")


def viral_item(demand: pd.DataFrame, item_locations: pd.DataFrame) -> str:
    """The best-selling item in Tokyo that Los Angeles also stocks (so a transfer is possible)."""
    at_la = set(item_locations.loc[item_locations["location_id"] == "LOC-LAX", "item_id"])
    tokyo = demand[(demand["location_id"] == TYO) & demand["item_id"].isin(at_la)]
    return str(tokyo.groupby("item_id")["qty"].sum().idxmax())


def bundle_accessory(frames: dict[TableName, pd.DataFrame]) -> str:
    """The bundle component with the lowest unit cost in the base currency (latest exchange rates)."""
    items = frames[TableName.ITEMS].set_index("item_id")
    fx = frames[TableName.FX_RATES].sort_values("date").groupby("currency")["units_per_base"].last().to_dict()
    cost: dict[str, float] = {}
    for comp in frames[TableName.BUNDLES]["component_item_id"].unique():
        currency = str(items.at[comp, "cost_currency"])
        cost[str(comp)] = float(str(items.at[comp, "unit_cost"])) / float(fx.get(currency, 1.0))
    return min(cost, key=lambda c: cost[c])


def inject_cascade(frames: dict[TableName, pd.DataFrame], viral: str, as_of: date) -> None:
    """Add the cascade to ``frames`` in place (module doc): the viral item's last three weeks × 4 in Tokyo and the
    signals of the port outage, the truck-driver shortage and the viral sentiment, seen two days before ``as_of``."""
    cut = pd.Timestamp(as_of)
    seen = cut - pd.Timedelta(days=2)
    demand = frames[TableName.DEMAND].copy()
    recent = (
        (demand["item_id"] == viral)
        & (demand["location_id"] == TYO)
        & (demand["period_start"] >= cut - pd.Timedelta(weeks=3))
    )
    demand.loc[recent, "qty"] *= 4
    frames[TableName.DEMAND] = demand
    lanes = frames[TableName.LANES]
    trucks = lanes.loc[(lanes["mode"] == Mode.TRUCK.value) & lanes["destination_id"].isin(US), "lane_id"]
    until = cut + pd.Timedelta(weeks=8)
    rows = [
        ("FS-PORT", "other", "port", "USLAX", until, 0.9, 21.0, "Los Angeles port software outage"),
        ("FS-VIRAL", "sentiment", "item_location", f"{viral}@{TYO}", pd.NaT, np.nan, np.nan, "viral video"),
    ] + [
        (f"FS-TRUCK-{k}", "strike", "lane", lane, until, 0.8, 10.0, "US truck-driver shortage")
        for k, lane in enumerate(trucks)
    ]
    signals = frames[TableName.SIGNALS]
    new = pd.DataFrame(
        [
            {
                "signal_id": sid,
                "kind": kind,
                "scope_type": scope_type,
                "scope_id": scope_id,
                "value": 3.5 if kind == "sentiment" else 1.0,
                "observed_at": seen,
                "source": "field-story",
                "valid_until": valid,
                "probability": prob,
                "delay_days": delay,
                "note": note,
            }
            for sid, kind, scope_type, scope_id, valid, prob, delay, note in rows
        ]
    )
    frames[TableName.SIGNALS] = pd.concat([signals, new.astype(signals.dtypes.to_dict())], ignore_index=True)
