"""Shipment history of the demo: replenishment from suppliers, expedites by air, transfers between warehouses.

Orders (one line per item-location and order week, no loop over either):

* every item-location is replenished from its item's supplier on a fixed review cycle (A items every 2 weeks,
  B every 4, C every 6, longer when a cycle's demand would not fill the lane's minimum order), by ocean, by
  truck from Mexico into the US, and a quarter of Shanghai's European orders by rail. The policy is
  order-up-to: the order raises the position (stock on hand and on its way) to the expected demand over the
  review cycle and the lead time, with a forecast error, in whole cartons, at least the lane's minimum; so
  over the history the units shipped match the units sold;
* when a stock-out is coming in the next four weeks, the order is often topped up by air (an expedite);
* warehouses rebalance stock on their transfer lanes (trucks between Los Angeles and New Jersey, ocean and air
  from Los Angeles and Singapore to Tokyo, ...).

Lines on the same lane and week travel together: one shipment, one departure day, one arrival. Transit times
follow the mode: ocean around its planned days with a right tail (port dwell, roll-overs) plus the congestion
of the ports it passes, air a few days with an occasional day or two more, truck a few days. Shipments that
have not arrived by the as-of date are in transit (no delivered date).

One more order is booked to leave on the as-of date itself (:func:`with_departure`): for the A item-location,
replenished by ocean from a supplier that also flies to it, whose stock runs short of its sales by the most margin
before the ocean lane could arrive; its review cycle and lead time of demand. It has not left yet, so a plan may
still move it to the air lane (an expedite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from hedgerow.demo.catalog import Catalog
from hedgerow.demo.demand import Assortment, DemandHistory
from hedgerow.demo.market import PortCongestion
from hedgerow.demo.network import Lane, Origin, Supplier, Warehouse, Zone
from hedgerow.domain.enums import Mode

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Review cycle (weeks between orders) per ABC class.
REVIEW_WEEKS: dict[str, int] = {"A": 2, "B": 4, "C": 6}
#: Longest review cycle (weeks).
MAX_REVIEW_WEEKS = 13
#: Log-normal spread of order quantities around the cycle's expected demand (forecast error).
ORDER_ERROR_SIGMA = 0.25
#: Probability of an air expedite when a stock-out comes within four weeks, and otherwise.
EXPEDITE_IF_SHORT, EXPEDITE_OTHERWISE = 0.35, 0.03
#: Share of an order topped up by air when expediting.
EXPEDITE_SHARE = 0.35
#: Share of orders that take the rail lane where one exists.
RAIL_SHARE = 0.25
#: Transfer lines per week on a transfer lane, per 250 items both warehouses sell, by mode.
TRANSFERS_PER_WEEK: dict[Mode, float] = {Mode.TRUCK: 2.0, Mode.OCEAN: 0.5, Mode.AIR: 0.3, Mode.RAIL: 0.3}


@dataclass(frozen=True)
class ShipmentHistory:
    """Shipments (groups) and their lines.

    Attributes
    ----------
    lane, ship_date, eta_date, delivered_date:
        Per shipment: lane index, departure, promised arrival, arrival (NaT while in transit); dates are
        ``datetime64[ns]`` at midnight.
    line_shipment, line_item, line_qty:
        Per line: shipment index, item index, units.
    """

    lane: IntArray
    ship_date: npt.NDArray[np.datetime64]
    eta_date: npt.NDArray[np.datetime64]
    delivered_date: npt.NDArray[np.datetime64]
    line_shipment: IntArray
    line_item: IntArray
    line_qty: IntArray

    def peak_weekly_qty(self, n_lanes: int) -> FloatArray:
        """Largest number of units any week put on each lane (0 for unused lanes)."""
        per_shipment = np.bincount(self.line_shipment, self.line_qty, len(self.lane))
        out = np.zeros(n_lanes)
        np.maximum.at(out, self.lane, per_shipment)
        return out


def _ceil_to(qty: FloatArray, pack: IntArray) -> IntArray:
    return (np.ceil(np.maximum(qty, 1.0) / pack) * pack).astype(np.int64)


def _lane_matrix(
    lanes: tuple[Lane, ...], origins: list[str], sites: tuple[Warehouse, ...], mode: Mode
) -> npt.NDArray[np.int64]:
    """Lane index from each origin to each warehouse by ``mode``, −1 where there is none."""
    index = {(ln.origin_id, ln.destination_id, ln.mode): k for k, ln in enumerate(lanes)}
    return np.array([[index.get((o, s.location_id, mode), -1) for s in sites] for o in origins], dtype=np.int64)


@dataclass(frozen=True)
class _Lines:
    lane: IntArray
    week: IntArray
    item: IntArray
    qty: IntArray


def _replenishment(
    catalog: Catalog,
    item_class: npt.NDArray[np.str_],
    assortment: Assortment,
    demand: DemandHistory,
    suppliers: tuple[Supplier, ...],
    sites: tuple[Warehouse, ...],
    lanes: tuple[Lane, ...],
    rng: np.random.Generator,
) -> _Lines:
    sup_ids = [s.supplier_id for s in suppliers]
    ocean = _lane_matrix(lanes, sup_ids, sites, Mode.OCEAN)
    truck = _lane_matrix(lanes, sup_ids, sites, Mode.TRUCK)
    mexico = np.array([s.origin is Origin.GUADALAJARA for s in suppliers])[:, None]
    us = np.array([s.zone in (Zone.US_WEST, Zone.US_EAST) for s in sites])[None, :]
    primary = np.where(mexico & us & (truck >= 0), truck, ocean)
    air = _lane_matrix(lanes, sup_ids, sites, Mode.AIR)
    rail = _lane_matrix(lanes, sup_ids, sites, Mode.RAIL)
    sup_index = {s: k for k, s in enumerate(sup_ids)}
    item_sup = np.array([sup_index.get(str(s), -1) for s in catalog.supplier_id], dtype=np.int64)

    item, loc = assortment.item, assortment.location
    sup = item_sup[item]
    has_supplier = sup >= 0
    sup0 = np.maximum(sup, 0)
    lane = primary[sup0, loc]
    moq = np.array([ln.min_order_qty for ln in lanes])[lane]
    lead_weeks = np.ceil(np.array([ln.transit_days for ln in lanes])[lane] / 7.0).astype(np.int64)
    rail_lane, air_lane = rail[sup0, loc], air[sup0, loc]
    pack = catalog.pack_size[item]
    n, t_len = demand.mean_qty.shape
    usual = demand.mean_qty.mean(axis=1)
    cycle_class = np.array([REVIEW_WEEKS[c] for c in item_class])[item]
    cycle = np.clip(np.maximum(cycle_class, np.ceil(moq / np.maximum(usual, 0.05))), 1, MAX_REVIEW_WEEKS)
    cycle = cycle.astype(np.int64)
    phase = rng.integers(0, cycle)
    cum = np.zeros((n, t_len + 1))
    np.cumsum(demand.mean_qty, axis=1, out=cum[:, 1:])
    short = np.zeros((n, t_len + 1), dtype=np.int32)
    np.cumsum(demand.stockout_fraction > 0, axis=1, out=short[:, 1:])

    # order-up-to policy: the position (stock plus what is on its way) is raised to cover the review cycle
    # and the lead time; a loop over weeks, vectorised across item-locations
    position = usual * (cycle + lead_weeks)
    out: list[_Lines] = []
    for t in range(t_len):
        s_idx = np.flatnonzero(((t + phase) % cycle == 0) & has_supplier)
        end = t + cycle[s_idx] + lead_weeks[s_idx]
        cover = cum[s_idx, np.minimum(end, t_len)] - cum[s_idx, t] + np.maximum(end - t_len, 0) * usual[s_idx]
        need = cover * rng.lognormal(0.0, ORDER_ERROR_SIGMA, len(s_idx)) - position[s_idx]
        s_idx, need = s_idx[need > 0], need[need > 0]
        qty = np.maximum(_ceil_to(need, pack[s_idx]), moq[s_idx]).astype(np.int64)
        coming = short[s_idx, min(t + 5, t_len)] - short[s_idx, min(t + 1, t_len)] > 0
        p_expedite = np.where(coming, EXPEDITE_IF_SHORT, EXPEDITE_OTHERWISE)
        expedite = (air_lane[s_idx] >= 0) & (rng.random(len(s_idx)) < p_expedite)
        air_qty = np.where(expedite, _ceil_to(EXPEDITE_SHARE * qty, pack[s_idx]), 0)
        main_qty = np.where(expedite, np.maximum(qty - air_qty, moq[s_idx]), qty)
        by_rail = (rail_lane[s_idx] >= 0) & (rng.random(len(s_idx)) < RAIL_SHARE)
        main_lane = np.where(by_rail, rail_lane[s_idx], lane[s_idx])
        position[s_idx] += main_qty + air_qty
        position -= demand.qty[:, t]
        week = np.full(len(s_idx), t, dtype=np.int64)
        out.append(_Lines(main_lane, week, item[s_idx], main_qty))
        out.append(_Lines(air_lane[s_idx][expedite], week[expedite], item[s_idx][expedite], air_qty[expedite]))
    return _concat(out)


def _concat(parts: list[_Lines]) -> _Lines:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _Lines(empty, empty, empty, empty)
    return _Lines(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("lane", "week", "item", "qty")))


def _transfers(
    catalog: Catalog,
    assortment: Assortment,
    demand: DemandHistory,
    sites: tuple[Warehouse, ...],
    lanes: tuple[Lane, ...],
    rng: np.random.Generator,
) -> _Lines:
    n_items, t_len = len(catalog.item_id), demand.mean_qty.shape[1]
    series_of = np.full((n_items, len(sites)), -1, dtype=np.int64)
    series_of[assortment.item, assortment.location] = np.arange(len(assortment))
    site_index = {s.location_id: k for k, s in enumerate(sites)}
    usual = demand.mean_qty.mean(axis=1)
    parts: list[_Lines] = []
    for k, ln in enumerate(lanes):
        if not ln.is_transfer:
            continue
        o, d = site_index[ln.origin_id], site_index[ln.destination_id]
        both = np.flatnonzero((series_of[:, o] >= 0) & (series_of[:, d] >= 0) & ~catalog.is_bundle)
        if len(both) == 0:
            continue
        per_week = rng.poisson(TRANSFERS_PER_WEEK[ln.mode] * len(both) / 250.0, t_len)
        week = np.repeat(np.arange(t_len), per_week)
        item = both[rng.integers(0, len(both), len(week))]
        want = usual[series_of[item, d]] * rng.uniform(1.0, 3.0, len(week))
        qty = _ceil_to(want, np.minimum(catalog.pack_size[item], 10))
        parts.append(_Lines(np.full(len(week), k, dtype=np.int64), week, item, qty))
    return _concat(parts)


def _lead_days(mode: npt.NDArray[np.str_], planned: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Actual door-to-door days of shipments, before port congestion.

    Around the planned days: ocean a day early on median with a 7 % spread and, one time in five, a tail of
    a quarter of the transit on average (roll-overs, dwell); rail ±1.5 days with a rarer four-day tail; air
    ±15 % with an occasional day and a half; truck ±0.7 days.
    """
    n = len(mode)
    is_mode = [mode == Mode.OCEAN.value, mode == Mode.RAIL.value, mode == Mode.AIR.value]  # else truck
    normal = rng.standard_normal(n)
    tail = rng.exponential(1.0, n) * (rng.random(n) < np.select(is_mode, [0.20, 0.15, 0.10], 0.08))
    days = np.select(
        is_mode,
        [
            planned - 1.0 + 0.07 * planned * normal + 0.25 * planned * tail,
            planned + 1.5 * normal + 4.0 * tail,
            planned * np.exp(0.15 * normal) + 1.5 * tail,
        ],
        planned + 0.7 * normal + 1.5 * tail,
    )
    return np.maximum(np.round(days), 1.0)


def simulate_shipments(
    catalog: Catalog,
    item_class: npt.NDArray[np.str_],
    assortment: Assortment,
    demand: DemandHistory,
    suppliers: tuple[Supplier, ...],
    sites: tuple[Warehouse, ...],
    lanes: tuple[Lane, ...],
    congestion: PortCongestion,
    as_of: date,
    rng: np.random.Generator,
) -> ShipmentHistory:
    """Simulate the shipment history on the supplier and transfer lanes.

    Parameters
    ----------
    catalog, item_class:
        The items and their ABC class ("A", "B", "C").
    assortment, demand:
        The series and their demand history (expected demand and stock-outs drive the orders).
    suppliers, sites, lanes:
        The network.
    congestion:
        Weekly excess delay of the tracked ports.
    as_of:
        The demo's today; shipments not delivered the day before are in transit.
    rng:
        Source of every draw.
    """
    rep = _replenishment(catalog, item_class, assortment, demand, suppliers, sites, lanes, rng)
    tra = _transfers(catalog, assortment, demand, sites, lanes, rng)
    lane = np.concatenate([rep.lane, tra.lane])
    week = np.concatenate([rep.week, tra.week])
    item = np.concatenate([rep.item, tra.item])
    qty = np.concatenate([rep.qty, tra.qty])
    t_len, n_items = demand.mean_qty.shape[1], len(catalog.item_id)

    # one line per (lane, week, item); one shipment per (lane, week)
    line_key, line_of = np.unique((lane * t_len + week) * n_items + item, return_inverse=True)
    line_qty = np.bincount(line_of, qty).astype(np.int64)
    group_key, line_shipment = np.unique(line_key // n_items, return_inverse=True)
    g_lane, g_week = group_key // t_len, group_key % t_len

    modes = np.array([ln.mode.value for ln in lanes])[g_lane]
    planned = np.array([ln.transit_days for ln in lanes])[g_lane]
    lead = _lead_days(modes, planned, rng)
    for end in (0, 1):  # congestion at the port of departure (week left) and of arrival (week due)
        ports = [ln.ports.split(";")[end] if ln.ports else "" for ln in lanes]
        delay = np.zeros((len(lanes), t_len))
        for k, port in enumerate(ports):
            series = congestion.delay_of(port)
            if series is not None:
                delay[k] = series
        at = np.minimum(g_week + end * (planned // 7).astype(np.int64), t_len - 1)
        lead += np.round(delay[g_lane, at])

    day = np.timedelta64(1, "D")
    monday = demand.period_start.to_numpy(dtype="datetime64[D]")[g_week]
    ship = monday + rng.integers(0, 5, len(g_week)) * day
    arrival = ship + lead.astype(np.int64) * day
    delivered = np.where(arrival < np.datetime64(as_of, "D"), arrival, np.datetime64("NaT"))
    order = np.lexsort((g_lane, ship))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    line_order = np.lexsort((line_key % n_items, rank[line_shipment]))
    return ShipmentHistory(
        lane=g_lane[order],
        ship_date=ship[order].astype("datetime64[ns]"),
        eta_date=(ship + planned.astype(np.int64) * day)[order].astype("datetime64[ns]"),
        delivered_date=delivered[order].astype("datetime64[ns]"),
        line_shipment=rank[line_shipment][line_order],
        line_item=(line_key % n_items)[line_order],
        line_qty=line_qty[line_order],
    )


def departing_order(
    catalog: Catalog,
    item_class: npt.NDArray[np.str_],
    assortment: Assortment,
    demand: DemandHistory,
    on_hand: IntArray,
    suppliers: tuple[Supplier, ...],
    sites: tuple[Warehouse, ...],
    lanes: tuple[Lane, ...],
) -> tuple[int, int, int] | None:
    """(lane, item, units) of the order that leaves on the as-of date (module doc), or None if no series fits.

    The series is the A item-location replenished by ocean from a supplier with an air lane to it that would
    lose the most margin (USD) before the ocean lane arrives: expected demand over the transit (its last four
    weeks' rate) beyond its stock on hand, times the reference margin per unit. The units cover its review cycle
    and the ocean lead time, in whole packs, at least the lane's minimum order.
    """
    sup_ids = [s.supplier_id for s in suppliers]
    ocean = _lane_matrix(lanes, sup_ids, sites, Mode.OCEAN)
    air = _lane_matrix(lanes, sup_ids, sites, Mode.AIR)
    sup_index = {s: k for k, s in enumerate(sup_ids)}
    sup = np.array([sup_index.get(str(s), -1) for s in catalog.supplier_id], dtype=np.int64)[assortment.item]
    loc = assortment.location
    lane = np.where(sup >= 0, ocean[np.maximum(sup, 0), loc], -1)
    flies = np.where(sup >= 0, air[np.maximum(sup, 0), loc], -1) >= 0
    recent = demand.mean_qty[:, -4:].mean(axis=1)
    fits = (item_class[assortment.item] == "A") & (lane >= 0) & flies & (recent > 0)
    if not fits.any():
        return None
    transit = np.array([ln.transit_days for ln in lanes])[np.maximum(lane, 0)] / 7.0
    margin = (catalog.price_usd - catalog.unit_cost_usd)[assortment.item]
    at_risk = np.maximum(recent * transit - on_hand, 0.0) * margin
    series = int(np.argmax(np.where(fits, at_risk, -1.0)))
    chosen = lanes[int(lane[series])]
    weeks = REVIEW_WEEKS["A"] + np.ceil(chosen.transit_days / 7.0)
    qty = _ceil_to(np.array([recent[series] * weeks]), catalog.pack_size[assortment.item[series : series + 1]])
    return int(lane[series]), int(assortment.item[series]), int(max(qty[0], chosen.min_order_qty))


def with_departure(
    history: ShipmentHistory, lane: int, item: int, qty: int, transit_days: float, as_of: date
) -> ShipmentHistory:
    """``history`` with one more shipment of ``qty`` units of ``item`` on ``lane``, leaving on ``as_of`` (in
    transit, due ``transit_days`` later); it is the last shipment."""
    day = np.datetime64(as_of, "D")
    due = day + np.timedelta64(round(transit_days), "D")

    def stamp(values: npt.NDArray[np.datetime64], when: np.datetime64) -> npt.NDArray[np.datetime64]:
        return np.append(values, np.array([when], dtype="datetime64[ns]"))

    return ShipmentHistory(
        lane=np.append(history.lane, lane),
        ship_date=stamp(history.ship_date, day),
        eta_date=stamp(history.eta_date, due),
        delivered_date=stamp(history.delivered_date, np.datetime64("NaT")),
        line_shipment=np.append(history.line_shipment, len(history.lane)),
        line_item=np.append(history.line_item, item),
        line_qty=np.append(history.line_qty, qty),
    )
