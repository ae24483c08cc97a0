"""From the workspace's contract tables to a :class:`~hedgerow.plan.problem.PlanningProblem` (a pure function).

Frames in (typed as validated by :mod:`hedgerow.contract`: strings, float64 numbers, naive-UTC datetime64),
dataclass out; no I/O and no clock — the as-of date and the lineage of each snapshot are passed in. The CLI calls
it with ``Workspace.current_frames()``, ``Workspace.current_imports()`` and the plan's as-of date.

How the position is read (docs/planner.md):

* **on hand**: the latest inventory count of each item-location at or before the as-of date (0 when none);
  held units are part of it (the contract counts them in ``on_hand``).
* **holds**: those whose ``expires_at`` is on or after the as-of date.
* **open shipments**: shipments without a ``delivered_date``; one that leaves on or after the as-of date has
  not left yet and may be expedited; ``eta_days`` is the planned arrival counted from the as-of date.
* **last order**: units shipped for the item-location in the period before the as-of date (0 when the
  item-location has a shipment history but shipped nothing then; unknown without history).
* **exchange rates**: the latest rate of each currency at or before the as-of date.
* **suppliers of an item**: its ``supplier_id`` and the suppliers it was shipped from before; when neither is
  known, any supplier with a lane to the location.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from hedgerow.config import Settings
from hedgerow.domain.enums import Mode, TableName
from hedgerow.errors import PlanningError
from hedgerow.plan.problem import (
    BundleComponent,
    DataSource,
    HoldSpec,
    ItemLocationSpec,
    ItemSpec,
    LaneSpec,
    LocationSpec,
    OpenShipment,
    OriginKind,
    PlannerPolicy,
    PlanningProblem,
)

#: Tables without which no plan can be made.
REQUIRED = (TableName.ITEMS, TableName.LOCATIONS, TableName.ITEM_LOCATIONS)


@dataclass(frozen=True)
class SnapshotLineage:
    """Where a table's current snapshot came from (``ImportRecord`` of the ledger)."""

    snapshot_sha256: str
    imported_at: datetime | None = None


def _opt(row: pd.Series, column: str) -> object | None:
    if column not in row.index:
        return None
    value = row[column]
    return None if pd.isna(value) else value


def _num(row: pd.Series, column: str) -> float | None:
    value = _opt(row, column)
    return None if value is None else float(value)  # type: ignore[arg-type]


def _day(value: object) -> date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def problem_from_frames(
    frames: Mapping[TableName, pd.DataFrame],
    settings: Settings,
    *,
    as_of: date,
    lineage: Mapping[TableName, SnapshotLineage] | None = None,
) -> PlanningProblem:
    """Build the planning problem from typed contract frames.

    Parameters
    ----------
    frames:
        Current snapshot of each imported table (``items``, ``locations`` and ``item_locations`` are required;
        the others are used when present).
    settings:
        The workspace settings (policy, base currency, period length, staleness thresholds).
    as_of:
        First day of the plan: counts, rates and holds are read as of this day.
    lineage:
        Snapshot hash and import time of each table, for the explanations' data block.

    Raises
    ------
    PlanningError
        When a required table is missing, or a currency has no exchange rate.
    """
    missing = [t.value for t in REQUIRED if t not in frames or frames[t] is None]
    if missing:
        raise PlanningError(
            f"a plan needs the tables {', '.join(t.value for t in REQUIRED)}; missing: {', '.join(missing)}. "
            "Import them with `hedgerow import`."
        )
    base = settings.workspace.base_currency
    period = timedelta(days=settings.workspace.period.days)
    items_f = frames[TableName.ITEMS]
    locs_f = frames[TableName.LOCATIONS]
    il_f = frames[TableName.ITEM_LOCATIONS]
    suppliers_f = frames.get(TableName.SUPPLIERS)
    lanes_f = frames.get(TableName.LANES)
    ship_f = frames.get(TableName.SHIPMENTS)
    inv_f = frames.get(TableName.INVENTORY)
    bundles_f = frames.get(TableName.BUNDLES)
    holds_f = frames.get(TableName.HOLDS)
    fx_f = frames.get(TableName.FX_RATES)
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)  # counts taken during the as-of day are current

    supplier_ids = set(suppliers_f["supplier_id"]) if suppliers_f is not None else set()
    supplier_names = (
        {str(r.supplier_id): str(r.name) for r in suppliers_f.itertuples()} if suppliers_f is not None else {}
    )
    location_ids = set(locs_f["location_id"])

    lanes: list[LaneSpec] = []
    lane_origin: dict[str, str] = {}
    if lanes_f is not None:
        for _, r in lanes_f.iterrows():
            origin = str(r["origin_id"])
            kind = OriginKind.SUPPLIER if origin in supplier_ids or origin not in location_ids else OriginKind.LOCATION
            ports = _opt(r, "ports")
            lanes.append(
                LaneSpec(
                    lane_id=str(r["lane_id"]),
                    origin_id=origin,
                    origin_kind=kind,
                    destination_id=str(r["destination_id"]),
                    mode=Mode(str(r["mode"])),
                    cost_per_unit=float(r["cost_per_unit"]),
                    cost_currency=str(r["cost_currency"]),
                    transit_days=_num(r, "transit_days"),
                    capacity_units_per_period=_num(r, "capacity_units_per_period"),
                    min_order_qty=_num(r, "min_order_qty") or 0.0,
                    ports=tuple(p.strip() for p in str(ports).split(";") if p.strip()) if ports else (),
                )
            )
            lane_origin[str(r["lane_id"])] = origin
    lane_dest = {lane.lane_id: lane.destination_id for lane in lanes}

    # shipment history: suppliers per item, open shipments, last period's orders per item-location
    shipped_from: dict[str, set[str]] = {}
    opened: list[OpenShipment] = []
    last_order: dict[tuple[str, str], float] = {}
    history: set[tuple[str, str]] = set()
    if ship_f is not None and len(ship_f):
        for _, r in ship_f.iterrows():
            lane_id, item_id = str(r["lane_id"]), str(r["item_id"])
            if lane_id not in lane_dest:
                continue
            dest = lane_dest[lane_id]
            origin = lane_origin[lane_id]
            if origin in supplier_ids or origin not in location_ids:
                shipped_from.setdefault(item_id, set()).add(origin)
            history.add((item_id, dest))
            ship_day = _day(r["ship_date"])
            if as_of - period <= ship_day < as_of:
                last_order[(item_id, dest)] = last_order.get((item_id, dest), 0.0) + float(r["qty"])
            if _opt(r, "delivered_date") is None:
                eta = _opt(r, "eta_date")
                opened.append(
                    OpenShipment(
                        shipment_id=str(r["shipment_id"]),
                        item_id=item_id,
                        lane_id=lane_id,
                        qty=float(r["qty"]),
                        eta_days=None if eta is None else float((_day(eta) - as_of).days),
                        expeditable=ship_day >= as_of,
                    )
                )

    items = tuple(
        ItemSpec(
            item_id=str(r["item_id"]),
            name=str(r["name"]),
            item_class=str(r["item_class"]),
            unit_cost=float(r["unit_cost"]),
            cost_currency=str(r["cost_currency"]),
            supplier_ids=tuple(
                sorted(
                    ({str(_opt(r, "supplier_id"))} if _opt(r, "supplier_id") is not None else set())
                    | shipped_from.get(str(r["item_id"]), set())
                )
            ),
        )
        for _, r in items_f.iterrows()
    )
    locations = tuple(
        LocationSpec(
            location_id=str(r["location_id"]),
            name=str(r["name"]),
            region=str(r["region"]),
            currency=str(r["currency"]),
            holding_cost_rate_per_year=float(r["holding_cost_rate_per_year"]),
            capacity_units=_num(r, "capacity_units"),
        )
        for _, r in locs_f.iterrows()
    )

    on_hand: dict[tuple[str, str], float] = {}
    latest_count: datetime | None = None
    if inv_f is not None and len(inv_f):
        current = inv_f[inv_f["counted_at"] < cutoff].sort_values("counted_at")
        last = current.groupby(["item_id", "location_id"], observed=True).tail(1)
        on_hand = {
            (str(i), str(loc)): float(q)
            for i, loc, q in zip(last["item_id"], last["location_id"], last["on_hand"], strict=True)
        }
        if len(current):
            latest_count = pd.Timestamp(current["counted_at"].max()).to_pydatetime()

    item_locations = tuple(
        ItemLocationSpec(
            item_id=str(r["item_id"]),
            location_id=str(r["location_id"]),
            unit_price=float(r["unit_price"]),
            price_currency=str(r["price_currency"]),
            on_hand=on_hand.get((str(r["item_id"]), str(r["location_id"])), 0.0),
            last_order_qty=(
                last_order.get((str(r["item_id"]), str(r["location_id"])), 0.0)
                if (str(r["item_id"]), str(r["location_id"])) in history
                else None
            ),
        )
        for _, r in il_f.iterrows()
    )

    holds: tuple[HoldSpec, ...] = ()
    if holds_f is not None and len(holds_f):
        holds = tuple(
            HoldSpec(
                hold_id=str(r["hold_id"]),
                item_id=str(r["item_id"]),
                location_id=str(r["location_id"]),
                qty=float(r["qty"]),
                owner=str(r["owner"]),
                reason=str(r["reason"]),
                expires_at=_day(r["expires_at"]),
            )
            for _, r in holds_f.iterrows()
            if _day(r["expires_at"]) >= as_of
        )

    bundles: tuple[BundleComponent, ...] = ()
    if bundles_f is not None and len(bundles_f):
        bundles = tuple(
            BundleComponent(str(r["bundle_item_id"]), str(r["component_item_id"]), float(r["qty_per_bundle"]))
            for _, r in bundles_f.iterrows()
        )

    fx_spot: dict[str, float] = {}
    latest_fx: datetime | None = None
    if fx_f is not None and len(fx_f):
        current_fx = fx_f[fx_f["date"] < cutoff].sort_values("date")
        last_fx = current_fx.groupby("currency", observed=True).tail(1)
        fx_spot = {str(c): float(v) for c, v in zip(last_fx["currency"], last_fx["units_per_base"], strict=True)}
        if len(current_fx):
            latest_fx = pd.Timestamp(current_fx["date"].max()).to_pydatetime()
    used = (
        {i.cost_currency for i in items}
        | {il.price_currency for il in item_locations}
        | {lane.cost_currency for lane in lanes}
    )
    no_rate = sorted(c for c in used if c != base and c not in fx_spot)
    if no_rate:
        raise PlanningError(
            f"no exchange rate against {base} for {', '.join(no_rate)} on or before {as_of.isoformat()}; "
            "add them to the fx_rates table (units of the currency per one unit of the base currency)"
        )

    q = settings.quality
    stale = {
        TableName.INVENTORY: q.stale_inventory_days,
        TableName.FX_RATES: q.stale_fx_days,
        TableName.SIGNALS: q.stale_signal_days,
    }
    latest = {TableName.INVENTORY: latest_count, TableName.FX_RATES: latest_fx}
    sources = tuple(
        DataSource(
            table=t.value,
            snapshot_sha256=info.snapshot_sha256,
            imported_at=info.imported_at,
            latest_record_at=latest.get(t),
            stale_after_days=stale.get(t),
        )
        for t, info in sorted((lineage or {}).items(), key=lambda kv: kv[0].value)
    )
    policy = PlannerPolicy.from_settings(settings)
    return PlanningProblem(
        base_currency=base,
        items=items,
        locations=locations,
        item_locations=item_locations,
        lanes=tuple(lanes),
        shipments=tuple(opened),
        holds=holds,
        bundles=bundles,
        fx_spot=fx_spot,
        supplier_names=supplier_names,
        sources=sources,
        policy=policy,
    )
