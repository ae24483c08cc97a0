"""The network read from the contract tables: the one reader of the items, locations, suppliers, lanes,
item_locations and bundles columns (a pure function of frames; no I/O).

Every user of the network — the planner's problem (:mod:`hedgerow.plan.adapter`), the simulator's inputs
(:mod:`hedgerow.sim.frames`) and the supply model's lane view (:mod:`hedgerow.supply.network`) — starts from
:func:`network_from_frames`, so all of them see the same item-locations, lanes, suppliers, costs and parents
(the sourcing rule: :mod:`hedgerow.domain.network`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from hedgerow.domain.enums import Mode, TableName
from hedgerow.domain.network import (
    BundleComponent,
    Item,
    ItemLocation,
    Lane,
    Location,
    Network,
    OriginKind,
    Supplier,
)
from hedgerow.errors import PlanningError

#: Tables without which there is no network.
REQUIRED = (TableName.ITEMS, TableName.LOCATIONS, TableName.ITEM_LOCATIONS)


def opt_value(value: object) -> object | None:
    """``value``, or None when it is missing (None, NaN, NA, an empty or blank string)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    try:
        missing = bool(pd.isna(value))  # type: ignore[call-overload]  # NaN, NaT, NA
    except (TypeError, ValueError):  # an array-like cell is a value
        missing = False
    return None if missing else value


def opt_float(value: object) -> float | None:
    """``value`` as a float, or None when it is missing or not a number."""
    v = opt_value(value)
    if v is None:
        return None
    try:
        out = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(out) else out


def split_ports(value: object) -> tuple[str, ...]:
    """The ports of a lane's ``ports`` cell: ';'-separated codes, blanks dropped."""
    v = opt_value(value)
    if v is None:
        return ()
    return tuple(p.strip() for p in str(v).split(";") if p.strip())


def _records(frame: pd.DataFrame | None) -> list[dict[str, object]]:
    return [] if frame is None else frame.to_dict("records")  # type: ignore[return-value]


def shipped_from(frames: Mapping[TableName, pd.DataFrame | None], *, before: date | None = None) -> dict[str, set[str]]:
    """Suppliers each item was shipped from (lanes that start at a supplier), in shipments that left before
    ``before`` (all when None)."""
    ships, lanes = frames.get(TableName.SHIPMENTS), frames.get(TableName.LANES)
    if ships is None or lanes is None or ships.empty or lanes.empty:
        return {}
    locations = frames.get(TableName.LOCATIONS)
    loc_ids = set() if locations is None else set(map(str, locations["location_id"]))
    suppliers = frames.get(TableName.SUPPLIERS)
    sup_ids = set() if suppliers is None else set(map(str, suppliers["supplier_id"]))
    origin = {str(r["lane_id"]): str(r["origin_id"]) for r in _records(lanes)}
    if before is not None:
        ships = ships[ships["ship_date"] < pd.Timestamp(before)]
    out: dict[str, set[str]] = {}
    for item_id, lane_id in zip(ships["item_id"], ships["lane_id"], strict=True):
        o = origin.get(str(lane_id))
        if o is not None and (o in sup_ids or o not in loc_ids):
            out.setdefault(str(item_id), set()).add(o)
    return out


def locations_from_frame(frame: pd.DataFrame | None) -> tuple[Location, ...]:
    """The ``locations`` table as :class:`Location` values."""
    return tuple(
        Location(
            location_id=str(r["location_id"]),
            name=str(r["name"]),
            region=str(r["region"]),
            currency=str(r["currency"]),
            holding_cost_rate_per_year=float(r["holding_cost_rate_per_year"]),  # type: ignore[arg-type]
            capacity_units=opt_float(r.get("capacity_units")),
            country=str(opt_value(r.get("country")) or ""),
        )
        for r in _records(frame)
    )


def suppliers_from_frame(frame: pd.DataFrame | None) -> tuple[Supplier, ...]:
    """The ``suppliers`` table as :class:`Supplier` values."""
    return tuple(
        Supplier(
            supplier_id=str(r["supplier_id"]),
            name=str(r["name"]),
            country=str(opt_value(r.get("country")) or ""),
            currency=str(opt_value(r.get("currency")) or ""),
        )
        for r in _records(frame)
    )


def lanes_from_frame(
    frame: pd.DataFrame | None, locations: Iterable[Location], suppliers: Iterable[Supplier]
) -> tuple[Lane, ...]:
    """The ``lanes`` table as :class:`Lane` values; an origin that is a supplier, or names no location, starts a
    purchase lane (the contract checks that it exists), any other a transfer lane."""
    location_ids = {loc.location_id for loc in locations}
    supplier_ids = {s.supplier_id for s in suppliers}
    return tuple(
        Lane(
            lane_id=str(r["lane_id"]),
            origin_id=str(r["origin_id"]),
            origin_kind=(
                OriginKind.SUPPLIER
                if str(r["origin_id"]) in supplier_ids or str(r["origin_id"]) not in location_ids
                else OriginKind.LOCATION
            ),
            destination_id=str(r["destination_id"]),
            mode=Mode(str(r["mode"])),
            cost_per_unit=float(r["cost_per_unit"]),  # type: ignore[arg-type]
            cost_currency=str(r["cost_currency"]),
            transit_days=opt_float(r.get("transit_days")),
            capacity_units_per_period=opt_float(r.get("capacity_units_per_period")),
            min_order_qty=opt_float(r.get("min_order_qty")) or 0.0,
            ports=split_ports(r.get("ports")),
        )
        for r in _records(frame)
    )


def network_from_frames(
    frames: Mapping[TableName, pd.DataFrame | None],
    *,
    extra_pairs: Iterable[tuple[str, str]] = (),
    shipped_before: date | None = None,
) -> Network:
    """Read the network from the contract frames and apply the sourcing rule.

    Parameters
    ----------
    frames:
        Typed contract frames; ``items``, ``locations`` and ``item_locations`` are required, ``suppliers``,
        ``lanes``, ``bundles`` and ``shipments`` are used when present.
    extra_pairs:
        (item, location) pairs to keep besides ``item_locations`` (the simulator passes every pair with demand).
    shipped_before:
        Only shipments that left before this day tell which suppliers an item buys from (a plan's as-of date);
        None = all.

    Raises
    ------
    PlanningError
        When a required table is missing.
    """
    missing = [t.value for t in REQUIRED if frames.get(t) is None]
    if missing:
        raise PlanningError(
            f"the network needs the tables {', '.join(t.value for t in REQUIRED)}; missing: {', '.join(missing)}. "
            "Import them with `hedgerow import`."
        )
    locations_f = frames[TableName.LOCATIONS]
    assert locations_f is not None
    locations = locations_from_frame(locations_f)
    suppliers = suppliers_from_frame(frames.get(TableName.SUPPLIERS))
    lanes = lanes_from_frame(frames.get(TableName.LANES), locations, suppliers)
    history = shipped_from(frames, before=shipped_before)
    items = tuple(
        Item(
            item_id=str(r["item_id"]),
            name=str(r["name"]),
            item_class=str(r["item_class"]),
            unit_cost=float(r["unit_cost"]),  # type: ignore[arg-type]
            cost_currency=str(r["cost_currency"]),
            supplier_ids=tuple(
                sorted(
                    ({str(r["supplier_id"])} if opt_value(r.get("supplier_id")) is not None else set())
                    | history.get(str(r["item_id"]), set())
                )
            ),
        )
        for r in _records(frames[TableName.ITEMS])
    )
    item_locations = tuple(
        ItemLocation(
            item_id=str(r["item_id"]),
            location_id=str(r["location_id"]),
            unit_price=float(r["unit_price"]),  # type: ignore[arg-type]
            price_currency=str(r["price_currency"]),
        )
        for r in _records(frames[TableName.ITEM_LOCATIONS])
    )
    bundles = tuple(
        BundleComponent(str(r["bundle_item_id"]), str(r["component_item_id"]), float(r["qty_per_bundle"]))  # type: ignore[arg-type]
        for r in _records(frames.get(TableName.BUNDLES))
    )
    try:
        return Network.build(
            items=items,
            locations=locations,
            suppliers=suppliers,
            lanes=lanes,
            item_locations=item_locations,
            bundles=bundles,
            extra_pairs=extra_pairs,
        )
    except ValueError as exc:
        raise PlanningError(f"{exc}; fix the tables and import them again (`hedgerow import`)") from exc
