"""The contract tables cut to some item-locations: what a plan for part of the network reads.

A review of part of the network (one product line, the item-locations counted lately) plans only those
item-locations. :func:`tables_for_item_locations` keeps, of every table keyed by item and location
(``item_locations``, ``demand``, ``drivers``, ``inventory``, ``holds``), the rows of the chosen item-locations;
of ``shipments`` the lines of a chosen item going to a chosen location (by the lane's destination); of
``bundles`` the links whose bundle and component are both chosen items; of ``signals`` those about other
item-locations are left out. Master data (items, locations, suppliers, lanes) and the other signals and rates
stay whole.

Pure: frames in, new frames out; the input frames are not modified.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from hedgerow.domain.enums import ScopeType, TableName

#: Tables keyed by item and location, cut to the chosen item-locations.
KEYED_TABLES = (
    TableName.ITEM_LOCATIONS,
    TableName.DEMAND,
    TableName.DRIVERS,
    TableName.INVENTORY,
    TableName.HOLDS,
)


def _chosen(frame: pd.DataFrame, items: pd.Series, locations: pd.Series, keys: pd.MultiIndex) -> pd.Series:
    return pd.Series(pd.MultiIndex.from_arrays([items, locations]).isin(keys), index=frame.index)


def tables_for_item_locations(
    frames: Mapping[TableName, pd.DataFrame], item_locations: Collection[tuple[str, str]]
) -> dict[TableName, pd.DataFrame]:
    """Every table of ``frames`` cut to ``item_locations`` (pairs of item id and location id; see the module doc)."""
    keys = pd.MultiIndex.from_tuples(sorted(set(item_locations)), names=["item_id", "location_id"])
    items = {item for item, _ in item_locations}
    out = dict(frames)
    for table in KEYED_TABLES:
        frame = frames.get(table)
        if frame is not None:
            out[table] = frame[_chosen(frame, frame["item_id"], frame["location_id"], keys)]
    shipments, lanes = frames.get(TableName.SHIPMENTS), frames.get(TableName.LANES)
    if shipments is not None and lanes is not None:
        destination = shipments["lane_id"].map(lanes.set_index("lane_id")["destination_id"])
        out[TableName.SHIPMENTS] = shipments[_chosen(shipments, shipments["item_id"], destination, keys)]
    bundles = frames.get(TableName.BUNDLES)
    if bundles is not None:
        out[TableName.BUNDLES] = bundles[
            bundles["bundle_item_id"].isin(items) & bundles["component_item_id"].isin(items)
        ]
    signals = frames.get(TableName.SIGNALS)
    if signals is not None:
        about = signals["scope_type"] == ScopeType.ITEM_LOCATION.value
        pair = signals["scope_id"].astype(str).str.split("@", n=1, expand=True).reindex(columns=[0, 1])
        inside = _chosen(signals, pair[0], pair[1], keys)
        out[TableName.SIGNALS] = signals[~about | inside]
    return out
