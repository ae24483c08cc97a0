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
from hedgerow.contract.network import REQUIRED, network_from_frames, opt_value
from hedgerow.contract.spec import TABLES
from hedgerow.domain.enums import TableName
from hedgerow.domain.network import Network
from hedgerow.errors import PlanningError
from hedgerow.plan.problem import DataSource, HoldSpec, ItemLocationSpec, OpenShipment, PlannerPolicy, PlanningProblem


@dataclass(frozen=True)
class SnapshotLineage:
    """Where a table's current snapshot came from (``ImportRecord`` of the ledger)."""

    snapshot_sha256: str
    imported_at: datetime | None = None


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
    network = network_from_frames(frames, shipped_before=as_of)
    cutoff = pd.Timestamp(as_of) + pd.Timedelta(days=1)  # counts taken during the as-of day are current

    fx_spot, latest_fx = _fx_spot(frames.get(TableName.FX_RATES), cutoff)
    used = (
        {i.cost_currency for i in network.items}
        | {il.price_currency for il in network.item_locations if il.price_currency is not None}
        | {lane.cost_currency for lane in network.lanes}
    )
    no_rate = sorted(c for c in used if c != base and c not in fx_spot)
    if no_rate:
        raise PlanningError(
            f"no exchange rate against {base} for {', '.join(no_rate)} on or before {as_of.isoformat()}; "
            "add them to the fx_rates table (units of the currency per one unit of the base currency)"
        )
    opened, last_order, history = _shipments(frames.get(TableName.SHIPMENTS), network, as_of, settings)
    on_hand, latest_count = _on_hand(frames.get(TableName.INVENTORY), cutoff)
    prices = _prices(network, fx_spot, base)
    item_locations = tuple(
        ItemLocationSpec(
            item_id=il.item_id,
            location_id=il.location_id,
            unit_price=prices[k][0],
            price_currency=prices[k][1],
            on_hand=on_hand.get(il.key, 0.0),
            last_order_qty=last_order.get(il.key, 0.0) if il.key in history else None,
            sells=not il.implied and il.unit_price is not None,
        )
        for k, il in enumerate(network.item_locations)
    )
    holds_f = frames.get(TableName.HOLDS)
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
    q = settings.quality
    stale = {
        TableName.INVENTORY: q.stale_inventory_days,
        TableName.FX_RATES: q.stale_fx_days,
        TableName.SIGNALS: q.stale_signal_days,
    }
    latest = {t: _newest_record(frames.get(t), t, cutoff) for t in (lineage or {})}
    latest.update({TableName.INVENTORY: latest_count, TableName.FX_RATES: latest_fx})
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
    return PlanningProblem(
        base_currency=base,
        items=network.items,
        locations=network.locations,
        item_locations=item_locations,
        lanes=network.lanes,
        shipments=opened,
        holds=holds,
        bundles=network.bundles,
        fx_spot=fx_spot,
        supplier_names={s.supplier_id: s.name for s in network.suppliers},
        sources=sources,
        policy=PlannerPolicy.from_settings(settings),
        parents=tuple(
            (il.item_id, il.location_id, network.item_locations[p].location_id)
            for il, p in zip(network.item_locations, network.parent, strict=True)
            if p >= 0
        ),
    )


def _newest_record(frame: pd.DataFrame | None, table: TableName, cutoff: pd.Timestamp) -> datetime | None:
    """When the newest row of a dated table before ``cutoff`` happened (its contract date column: the sale's
    period, the shipment's ship date, the signal's observation), so freshness is the data's age, not the import's.
    None for undated tables (items, locations, ...) and for holds, whose date is an expiry."""
    column = TABLES[table].date_column
    if frame is None or column is None or table is TableName.HOLDS or column not in frame.columns:
        return None
    dated = pd.to_datetime(frame[column])
    dated = dated[dated < cutoff]
    return pd.Timestamp(dated.max()).to_pydatetime() if len(dated) else None


def _fx_spot(fx_f: pd.DataFrame | None, cutoff: pd.Timestamp) -> tuple[dict[str, float], datetime | None]:
    """The latest rate of each currency before ``cutoff``, and the date of the newest one."""
    if fx_f is None or not len(fx_f):
        return {}, None
    current = fx_f[fx_f["date"] < cutoff].sort_values("date")
    last = current.groupby("currency", observed=True).tail(1)
    spot = {str(c): float(v) for c, v in zip(last["currency"], last["units_per_base"], strict=True)}
    newest = pd.Timestamp(current["date"].max()).to_pydatetime() if len(current) else None
    return spot, newest


def _on_hand(inv_f: pd.DataFrame | None, cutoff: pd.Timestamp) -> tuple[dict[tuple[str, str], float], datetime | None]:
    """The latest count of each item-location before ``cutoff``, and the time of the newest count."""
    if inv_f is None or not len(inv_f):
        return {}, None
    current = inv_f[inv_f["counted_at"] < cutoff].sort_values("counted_at")
    last = current.groupby(["item_id", "location_id"], observed=True).tail(1)
    counts = {
        (str(i), str(loc)): float(q)
        for i, loc, q in zip(last["item_id"], last["location_id"], last["on_hand"], strict=True)
    }
    newest = pd.Timestamp(current["counted_at"].max()).to_pydatetime() if len(current) else None
    return counts, newest


def _shipments(
    ship_f: pd.DataFrame | None, network: Network, as_of: date, settings: Settings
) -> tuple[tuple[OpenShipment, ...], dict[tuple[str, str], float], set[tuple[str, str]]]:
    """Open shipments, last period's orders per item-location and the item-locations with a shipment history."""
    period = timedelta(days=settings.workspace.period.days)
    lane_dest = {lane.lane_id: lane.destination_id for lane in network.lanes}
    opened: list[OpenShipment] = []
    last_order: dict[tuple[str, str], float] = {}
    history: set[tuple[str, str]] = set()
    if ship_f is None or not len(ship_f):
        return (), last_order, history
    for r in ship_f.to_dict("records"):
        lane_id, item_id = str(r["lane_id"]), str(r["item_id"])
        if lane_id not in lane_dest:
            continue
        key = (item_id, lane_dest[lane_id])
        history.add(key)
        ship_day = _day(r["ship_date"])
        if as_of - period <= ship_day < as_of:
            last_order[key] = last_order.get(key, 0.0) + float(r["qty"])
        if opt_value(r.get("delivered_date")) is None:
            eta = opt_value(r.get("eta_date"))
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
    return tuple(opened), last_order, history


def _prices(network: Network, fx_spot: Mapping[str, float], base: str) -> list[tuple[float, str]]:
    """(price, currency) of every item-location of ``network``: its own where it sells; for an implied one (a DC
    that supplies others, a component added where its bundle sells) the mean price of the item where it is sold,
    in the base currency, else its unit cost (no margin)."""

    def in_base(value: float, currency: str) -> float:
        return value if currency == base else value / fx_spot[currency]

    sold: dict[str, list[float]] = {}
    for il in network.item_locations:
        if il.unit_price is not None and il.price_currency is not None:
            sold.setdefault(il.item_id, []).append(in_base(il.unit_price, il.price_currency))
    out: list[tuple[float, str]] = []
    for il in network.item_locations:
        if il.unit_price is not None and il.price_currency is not None:
            out.append((il.unit_price, il.price_currency))
        elif il.item_id in sold:
            out.append((sum(sold[il.item_id]) / len(sold[il.item_id]), base))
        else:
            item = network.item(il.item_id)
            out.append((in_base(item.unit_cost, item.cost_currency), base))
    return out
