"""Names people read instead of codes: items, locations (with their region), suppliers and lanes.

Read from the current snapshots of the ``items``, ``locations``, ``suppliers`` and ``lanes`` tables and kept per
process for as long as those snapshots are current (a snapshot never changes: its SHA-256 names it), so the queue
and the charts show "USB-C charger 65W" and "Los Angeles DC" with the codes on hover at no cost per request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.services.workspace import Workspace

_TABLES = (TableName.ITEMS, TableName.LOCATIONS, TableName.SUPPLIERS, TableName.LANES)


@dataclass(frozen=True)
class Names:
    """Plain names by code; :meth:`item`, :meth:`location`, :meth:`place` and :meth:`lane` fall back to the code."""

    items: dict[str, str] = field(default_factory=dict)
    item_classes: dict[str, str] = field(default_factory=dict)
    locations: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    suppliers: dict[str, str] = field(default_factory=dict)
    lanes: dict[str, str] = field(default_factory=dict)

    def item(self, item_id: str) -> str:
        """An item's name (its code when it has none)."""
        return self.items.get(item_id, item_id)

    def location(self, location_id: str) -> str:
        """A location's name (its code when it has none)."""
        return self.locations.get(location_id, location_id)

    def place(self, code: str) -> str:
        """A location's or a supplier's name (an order's origin may be either)."""
        return self.locations.get(code) or self.suppliers.get(code) or code

    def lane(self, lane_id: str) -> str:
        """A lane as "origin → destination by mode" in names (its code when unknown)."""
        return self.lanes.get(lane_id, lane_id)

    def region_of(self, location_id: str) -> str | None:
        """The region of a location, when the locations table gives one."""
        return self.regions.get(location_id)

    def class_of(self, item_id: str) -> str | None:
        """The class (A, B, C, ...) of an item, when the items table gives one."""
        return self.item_classes.get(item_id)


def _pairs(frame: pd.DataFrame | None, key: str, value: str) -> dict[str, str]:
    if frame is None or key not in frame.columns or value not in frame.columns:
        return {}
    rows = frame[[key, value]].dropna()
    return {str(k): str(v) for k, v in zip(rows[key], rows[value], strict=True) if str(v).strip()}


def _build(frames: dict[TableName, pd.DataFrame]) -> Names:
    items, locations = frames.get(TableName.ITEMS), frames.get(TableName.LOCATIONS)
    suppliers = frames.get(TableName.SUPPLIERS)
    names = Names(
        items=_pairs(items, "item_id", "name"),
        item_classes=_pairs(items, "item_id", "item_class"),
        locations=_pairs(locations, "location_id", "name"),
        regions=_pairs(locations, "location_id", "region"),
        suppliers=_pairs(suppliers, "supplier_id", "name"),
    )
    lanes = frames.get(TableName.LANES)
    if lanes is not None and {"lane_id", "origin_id", "destination_id"} <= set(lanes.columns):
        modes: Any = lanes["mode"] if "mode" in lanes.columns else [None] * len(lanes)
        for lane_id, origin, dest, mode in zip(lanes["lane_id"], lanes["origin_id"], lanes["destination_id"], modes,
                                               strict=True):  # fmt: skip
            by = f" by {mode}" if isinstance(mode, str) and mode else ""
            names.lanes[str(lane_id)] = f"{names.place(str(origin))} → {names.place(str(dest))}{by}"
    return names


_cache: dict[tuple[str, ...], Names] = {}
_lock = threading.Lock()


def names_of(ws: Workspace) -> Names:
    """The names of the workspace's current snapshots (cached per set of snapshots)."""
    records = ws.current_imports()
    key = (str(ws.root), *(records[t].snapshot_sha256 if t in records else "-" for t in _TABLES))
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    built = _build(ws.current_frames([t for t in _TABLES if t in records]))
    with _lock:
        _cache.clear()  # one workspace per server: keep only the current names
        _cache[key] = built
    return built
