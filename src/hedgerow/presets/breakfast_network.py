"""Breakfast at the Frat as a distribution network: stores behind one regional DC per state, fed by suppliers.

Everything of the ``breakfast`` preset (items, stores, item_locations, demand), plus:

- suppliers = the manufacturers of the sold UPCs (country US, currency USD — **assumption**: all domestic);
  each item's ``supplier_id`` is its manufacturer;
- locations: one regional DC per state (``DC-TX``, ``DC-OH``, ``DC-KY``, ``DC-IN``), region = the state,
  ``holding_cost_rate_per_year`` = **assumption** 0.12; a ``location_type`` column tells stores from DCs;
- lanes (all truck): every supplier → every DC (inbound), each DC → every store of its state
  (replenishment) and DC ↔ DC (transfers), with **assumed** transit days and cost per unit
  (:class:`NetworkAssumptions`, documented with their numbers in docs/presets.md). The data set has no lead
  times or freight costs; the simulator may later calibrate lead-time spreads from SCMS shipments.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hedgerow.domain.enums import Mode, TableName
from hedgerow.presets import breakfast
from hedgerow.presets.base import PresetContext, PresetTables, RawFiles, slug

DATASET = breakfast.DATASET


@dataclass(frozen=True)
class NetworkAssumptions:
    """Network values the data set does not carry; every one is an assumption flagged in docs/presets.md.

    Attributes
    ----------
    dc_holding_cost_rate_per_year:
        Storage, handling, insurance and shrinkage at a DC per year, as a share of stock value.
    supplier_to_dc_transit_days, supplier_to_dc_cost_per_unit:
        Inbound truck lane from a manufacturer to a DC: days, USD per unit.
    dc_to_store_transit_days, dc_to_store_cost_per_unit:
        Replenishment truck lane from a DC to a store of its state: days, USD per unit.
    transfer_near_transit_days, transfer_far_transit_days, transfer_cost_per_unit:
        DC → DC transfer lanes: days between DCs of one ``near_states`` group, days otherwise, USD per unit.
    near_states:
        Groups of states whose DCs are within a day's drive of each other (OH, KY and IN share the
        Cincinnati area; TX is far from all three).
    """

    dc_holding_cost_rate_per_year: float = 0.12
    supplier_to_dc_transit_days: float = 5.0
    supplier_to_dc_cost_per_unit: float = 0.10
    dc_to_store_transit_days: float = 1.0
    dc_to_store_cost_per_unit: float = 0.05
    transfer_near_transit_days: float = 1.0
    transfer_far_transit_days: float = 3.0
    transfer_cost_per_unit: float = 0.15
    near_states: tuple[frozenset[str], ...] = (frozenset({"OH", "KY", "IN"}),)


def dc_id(state: str) -> str:
    """Location id of the regional DC of a state."""
    return f"DC-{state}"


def supplier_id(manufacturer: str) -> str:
    """Supplier id of a manufacturer name."""
    return f"SUP-{slug(manufacturer)}"


def _lane(origin: str, destination: str, transit: float, cost: float, lane_type: str) -> dict[str, object]:
    return {
        "lane_id": f"{origin}>{destination}/{Mode.TRUCK.value}",
        "origin_id": origin,
        "destination_id": destination,
        "mode": Mode.TRUCK.value,
        "cost_per_unit": cost,
        "cost_currency": breakfast.CURRENCY,
        "transit_days": transit,
        "lane_type": lane_type,
    }


def _lanes(suppliers: pd.Series, stores: pd.DataFrame, states: list[str], a: NetworkAssumptions) -> pd.DataFrame:
    rows = [
        _lane(s, dc_id(state), a.supplier_to_dc_transit_days, a.supplier_to_dc_cost_per_unit, "inbound")
        for s in suppliers
        for state in states
    ]
    rows += [
        _lane(dc_id(str(region)), str(store), a.dc_to_store_transit_days, a.dc_to_store_cost_per_unit, "replenishment")
        for store, region in zip(stores["location_id"], stores["region"], strict=True)
    ]
    for origin in states:
        for destination in states:
            if origin == destination:
                continue
            near = any(origin in group and destination in group for group in a.near_states)
            transit = a.transfer_near_transit_days if near else a.transfer_far_transit_days
            rows.append(_lane(dc_id(origin), dc_id(destination), transit, a.transfer_cost_per_unit, "transfer"))
    return pd.DataFrame(rows)


def map_tables(raw: RawFiles, context: PresetContext, assumptions: NetworkAssumptions | None = None) -> PresetTables:
    """Map the Breakfast at the Frat files to a supplier → regional DC → store network.

    Parameters
    ----------
    raw:
        The frames of transactions.csv.gz, stores.csv and products.csv.
    context:
        The workspace's settings (passed on to the ``breakfast`` mapping).
    assumptions:
        Network values the data set does not carry (defaults: :class:`NetworkAssumptions`).

    Returns
    -------
    PresetTables
        items (with supplier_id), locations (stores and DCs), item_locations, demand, suppliers and lanes.
    """
    a = assumptions or NetworkAssumptions()
    base = breakfast.map_tables(raw, context)
    items = base.tables[TableName.ITEMS].copy()
    items["supplier_id"] = items["manufacturer"].map(supplier_id).astype("string")
    manufacturers = items.drop_duplicates("supplier_id").sort_values("supplier_id")
    suppliers = pd.DataFrame(
        {
            "supplier_id": manufacturers["supplier_id"].to_numpy(),
            "name": manufacturers["manufacturer"].to_numpy(),
            "country": breakfast.COUNTRY,
            "currency": breakfast.CURRENCY,
        }
    )
    stores = base.tables[TableName.LOCATIONS]
    states = sorted(stores["region"].unique())
    dcs = pd.DataFrame(
        {
            "location_id": [dc_id(s) for s in states],
            "name": [f"Regional DC {s}" for s in states],
            "region": states,
            "country": breakfast.COUNTRY,
            "currency": breakfast.CURRENCY,
            "holding_cost_rate_per_year": a.dc_holding_cost_rate_per_year,
            "location_type": "dc",
        }
    )
    locations = pd.concat([stores, dcs], ignore_index=True)
    lanes = _lanes(suppliers["supplier_id"], stores, states, a)
    summary = {
        **base.summary,
        "suppliers": len(suppliers),
        "dcs": len(dcs),
        "lanes": len(lanes),
        "lanes_by_type": {str(k): int(v) for k, v in lanes["lane_type"].value_counts().sort_index().items()},
    }
    tables = {
        TableName.ITEMS: items,
        TableName.LOCATIONS: locations,
        TableName.ITEM_LOCATIONS: base.tables[TableName.ITEM_LOCATIONS],
        TableName.SUPPLIERS: suppliers,
        TableName.LANES: lanes,
        TableName.DEMAND: base.tables[TableName.DEMAND],
    }
    return PresetTables(tables=tables, summary=summary)
