"""The contract tables as they stood at a moment: what a plan made then could have known.

A plan as of a past date (``hedgerow plan --as-of``, a replay for the scoreboard, a backtest) must not see what
happened afterwards. :func:`tables_as_of` cuts every time-stamped table at the moment ``as_of`` (naive UTC):

======================  ==================================================================================
table                   kept
======================  ==================================================================================
``demand``              periods that started before ``as_of``
``inventory``           counts taken at or before ``as_of``
``shipments``           shipments that left before ``as_of``; a delivery after ``as_of`` is cleared (the
                        shipment was still in transit then)
``signals``             signals observed at or before ``as_of``
``fx_rates``            rates dated on or before ``as_of``
``freight_rates``       rates dated on or before ``as_of``
others                  unchanged (master data; ``drivers`` are plans of the future and stay)
======================  ==================================================================================

Pure: frames in, new frames out; the input frames are not modified.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import pandas as pd

from hedgerow.domain.enums import TableName


def tables_as_of(frames: Mapping[TableName, pd.DataFrame], as_of: datetime) -> dict[TableName, pd.DataFrame]:
    """Every table of ``frames`` cut at ``as_of`` (see the module table)."""
    moment = pd.Timestamp(as_of.replace(tzinfo=None))
    out = dict(frames)
    demand = frames.get(TableName.DEMAND)
    if demand is not None:
        out[TableName.DEMAND] = demand[demand["period_start"] < moment]
    inventory = frames.get(TableName.INVENTORY)
    if inventory is not None:
        out[TableName.INVENTORY] = inventory[inventory["counted_at"] <= moment]
    shipments = frames.get(TableName.SHIPMENTS)
    if shipments is not None:
        left = shipments[shipments["ship_date"] < moment].copy()
        if "delivered_date" in left.columns:
            left.loc[left["delivered_date"] > moment, "delivered_date"] = pd.NaT
        out[TableName.SHIPMENTS] = left
    signals = frames.get(TableName.SIGNALS)
    if signals is not None:
        out[TableName.SIGNALS] = signals[signals["observed_at"] <= moment]
    fx = frames.get(TableName.FX_RATES)
    if fx is not None:
        out[TableName.FX_RATES] = fx[fx["date"] <= moment]
    freight = frames.get(TableName.FREIGHT_RATES)
    if freight is not None:
        out[TableName.FREIGHT_RATES] = freight[freight["date"] <= moment]
    return out
