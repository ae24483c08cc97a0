"""Exposure: where each location and item group depends on a lane, port, supplier or currency, and what an
outage of N weeks would cost.

Outage model (deliberately simple, so every figure can be checked by hand; docs/supply.md):

* element ``e`` (a lane, a port, a supplier or an origin location) fails *now* for ``N`` weeks; every route
  through it carries nothing, and goods in transit on lanes through it are stuck for the outage;
* an item-location with a route **not** through ``e`` switches to its cheapest such route and loses no sales,
  but pays the landed-cost difference on the flow it moves: ``extra cost = D_N · share_e · max(0, c_alt − c_e)``;
* an item-location with **no** such route (single-sourced on ``e``) lives off its stock:
  ``lost units = max(0, D_N − on_hand − inbound not through e)``, and loses ``lost units · max(margin, 0)``;

with ``D_N`` its demand over the first ``N`` weeks of each scenario. Figures per (location, item group,
element) sum over the group's item-locations scenario by scenario; the expected value is their mean and the
95 % tail is reported as VaR₉₅ (95th percentile) and CVaR₉₅ (mean of the worst 5 %). What a second source
would change is the single-sourced part (it would be avoided); what a buffer would change is the stock that
covers ``D_N`` in 95 % of scenarios, and its holding cost per year.

Currencies are exposed through prices and costs: the FX rows give the margin lost over ``N`` weeks when only
that currency moves along its scenario paths (others held at spot).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from hedgerow.supply.landed_cost import LandedCost
from hedgerow.supply.network import LaneNetwork


class ElementType(StrEnum):
    """What can fail."""

    LANE = "lane"
    PORT = "port"
    SUPPLIER = "supplier"
    ORIGIN_LOCATION = "origin_location"
    CURRENCY = "currency"


@dataclass(frozen=True)
class ItemLocationPosition:
    """What an item-location has to ride out an outage.

    Attributes
    ----------
    item_id, location_id, item_group:
        The item-location and the item's group (items.item_class).
    on_hand:
        Units on hand (latest count).
    inbound_by_lane:
        Units in transit to the location, per lane.
    holding_rate_per_year:
        Holding cost plus cost of capital, fraction of stock value per year.
    """

    item_id: str
    location_id: str
    item_group: str
    on_hand: float
    inbound_by_lane: Mapping[str, float]
    holding_rate_per_year: float


@dataclass(frozen=True)
class ExposureRow:
    """Exposure of one location and item group to one element (money in the base currency).

    Attributes
    ----------
    dependence_share:
        Share of the group's weekly margin flowing through the element.
    single_source_items:
        Items of the group with no route around the element.
    expected_lost_margin, var95_lost_margin, cvar95_lost_margin:
        Margin lost over the outage: mean, 95th percentile and mean of the worst 5 % of scenarios.
    second_source_avoids_expected, second_source_avoids_cvar95:
        The part of the loss due to single-sourced items (what a second source would avoid).
    buffer_units:
        Extra stock that would cover the single-sourced items' outage demand in 95 % of scenarios.
    buffer_holding_cost_per_year:
        Cost of holding that buffer for a year (landed cost × holding rate).
    """

    location_id: str
    item_group: str
    element_type: ElementType
    element_id: str
    dependence_share: float
    single_source_items: tuple[str, ...]
    expected_lost_margin: float
    var95_lost_margin: float
    cvar95_lost_margin: float
    second_source_avoids_expected: float
    second_source_avoids_cvar95: float
    buffer_units: float
    buffer_holding_cost_per_year: float

    @property
    def single_source(self) -> bool:
        """True when at least one item of the group cannot route around the element."""
        return bool(self.single_source_items)


def route_elements(lane_id: str, network: LaneNetwork) -> tuple[tuple[ElementType, str], ...]:
    """The elements a lane depends on: itself, its ports and its origin (supplier or location)."""
    lane = network.lanes[lane_id]
    origin = ElementType.SUPPLIER if lane.origin_is_supplier else ElementType.ORIGIN_LOCATION
    return ((ElementType.LANE, lane_id), *((ElementType.PORT, p) for p in lane.ports), (origin, lane.origin_id))


def tail_stats(losses: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean, VaR (the ``level`` quantile) and CVaR (mean of the worst ``1 − level`` share) of losses."""
    if losses.size == 0:
        return 0.0, 0.0, 0.0
    ordered = np.sort(losses)
    k = max(1, math.ceil((1.0 - level) * ordered.size - 1e-9))
    return float(ordered.mean()), float(np.quantile(ordered, level)), float(ordered[-k:].mean())


@dataclass
class _Acc:
    """Running sums of one (location, group, element) while item-locations are visited."""

    loss: np.ndarray
    single: np.ndarray
    value: float = 0.0
    buffer_units: float = 0.0
    buffer_cost: float = 0.0
    items: set[str] = field(default_factory=set)


def _outage_periods(weeks: float, period_days: int, horizon: int) -> int:
    return int(min(max(1, math.ceil(weeks * 7 / period_days)), horizon))


def exposure_report(
    positions: list[ItemLocationPosition],
    costs: list[LandedCost],
    demand: Mapping[tuple[str, str], np.ndarray],
    network: LaneNetwork,
    *,
    weeks: float,
    period_days: int = 7,
    currencies: tuple[str, ...] = (),
    fx: np.ndarray | None = None,
    base_currency: str = "",
) -> list[ExposureRow]:
    """Exposure rows for every (location, item group, element) with a non-zero dependence or a single source.

    Parameters
    ----------
    positions:
        Stock and inbound per item-location.
    costs:
        Landed cost and flow share of every route (:func:`~hedgerow.supply.landed_cost.landed_costs`).
    demand:
        Demand paths [scenario, period] in units per period per (item, location).
    network:
        Lanes, ports and origins.
    weeks:
        Length of the outage in weeks (clipped to the demand horizon).
    period_days:
        Days per period of the demand paths.
    currencies, fx, base_currency:
        FX paths [currency, scenario, period] for the currency rows (omitted when ``fx`` is None).
    """
    routes: dict[tuple[str, str], list[LandedCost]] = {}
    for c in costs:
        routes.setdefault((c.item_id, c.location_id), []).append(c)
    acc: dict[tuple[str, str, ElementType, str], _Acc] = {}
    totals: dict[tuple[str, str], float] = {}
    for pos in positions:
        key = (pos.item_id, pos.location_id)
        paths = demand.get(key)
        rs = routes.get(key, [])
        if paths is None or not rs:
            continue
        n = _outage_periods(weeks, period_days, paths.shape[1])
        d_n = paths[:, :n].sum(axis=1)
        weekly = float(paths.mean()) * 7.0 / period_days
        margin = sum(r.share * r.margin_base for r in rs)
        totals[(pos.location_id, pos.item_group)] = totals.get((pos.location_id, pos.item_group), 0.0) + weekly * margin
        landed = {r.lane_id: r.landed_base for r in rs}
        elements_of = {r.lane_id: route_elements(r.lane_id, network) for r in rs}
        for e in sorted({e for els in elements_of.values() for e in els}):
            through = [r for r in rs if e in elements_of[r.lane_id]]
            around = [r for r in rs if e not in elements_of[r.lane_id]]
            share_e = sum(r.share for r in through)
            if share_e <= 0 and around:
                continue
            row = acc.setdefault(
                (pos.location_id, pos.item_group, e[0], e[1]), _Acc(np.zeros_like(d_n), np.zeros_like(d_n))
            )
            row.value += weekly * margin * share_e
            if around:
                c_e = sum(r.share * r.landed_base for r in through) / share_e
                c_alt = min(landed[r.lane_id] for r in around)
                row.loss = row.loss + d_n * share_e * max(0.0, c_alt - c_e)
                continue
            stuck = {r.lane_id for r in through}
            available = pos.on_hand + sum(q for lane, q in pos.inbound_by_lane.items() if lane not in stuck)
            lost = np.maximum(d_n - available, 0.0) * max(margin, 0.0)
            row.loss = row.loss + lost
            row.single = row.single + lost
            row.items.add(pos.item_id)
            buffer = max(0.0, float(np.quantile(d_n, 0.95)) - available)
            unit_cost = sum(r.share * r.landed_base for r in rs) or min(landed.values())
            row.buffer_units += buffer
            row.buffer_cost += buffer * unit_cost * pos.holding_rate_per_year
    out = []
    for (loc, grp, etype, eid), row in sorted(acc.items()):
        mean, var, cvar = tail_stats(row.loss)
        s_mean, _s_var, s_cvar = tail_stats(row.single)
        total = totals.get((loc, grp), 0.0)
        out.append(
            ExposureRow(
                location_id=loc,
                item_group=grp,
                element_type=etype,
                element_id=eid,
                dependence_share=row.value / total if total > 0 else 0.0,
                single_source_items=tuple(sorted(row.items)),
                expected_lost_margin=mean,
                var95_lost_margin=var,
                cvar95_lost_margin=cvar,
                second_source_avoids_expected=s_mean,
                second_source_avoids_cvar95=s_cvar,
                buffer_units=row.buffer_units,
                buffer_holding_cost_per_year=row.buffer_cost,
            )
        )
    if fx is not None:
        out += currency_rows(
            positions, routes, demand, weeks=weeks, period_days=period_days, currencies=currencies, fx=fx,
            base_currency=base_currency,
        )  # fmt: skip
    return out


def currency_rows(
    positions: list[ItemLocationPosition],
    routes: Mapping[tuple[str, str], list[LandedCost]],
    demand: Mapping[tuple[str, str], np.ndarray],
    *,
    weeks: float,
    period_days: int,
    currencies: tuple[str, ...],
    fx: np.ndarray,
    base_currency: str,
) -> list[ExposureRow]:
    """Margin lost over ``weeks`` when one currency follows its FX paths and the others stay at spot."""
    losses: dict[tuple[str, str, str], np.ndarray] = {}
    gross: dict[tuple[str, str, str], float] = {}
    gross_total: dict[tuple[str, str], float] = {}
    for pos in positions:
        key = (pos.item_id, pos.location_id)
        rs, paths = routes.get(key, []), demand.get(key)
        if not rs or paths is None:
            continue
        n = _outage_periods(weeks, period_days, paths.shape[1])
        d_n = paths[:, :n].sum(axis=1)
        weekly = float(paths.mean()) * 7.0 / period_days
        group_key = (pos.location_id, pos.item_group)
        for r in rs:
            legs = ((r.price_currency, r.price_local, r.price_base, 1.0),
                    (r.cost_currency, r.purchase_local, r.purchase_base, -1.0),
                    (r.freight_currency, r.freight_local, r.freight_base, -1.0))  # fmt: skip
            for ccy, local, at_spot, sign in legs:
                flow = weekly * r.share * at_spot
                gross_total[group_key] = gross_total.get(group_key, 0.0) + flow
                if ccy == base_currency or ccy not in currencies or r.share <= 0:
                    continue
                k = (pos.location_id, pos.item_group, ccy)
                gross[k] = gross.get(k, 0.0) + flow
                rate_end = fx[currencies.index(ccy), :, n - 1]
                change = sign * (local / rate_end - at_spot)  # margin change per unit, base currency
                losses[k] = losses.get(k, np.zeros_like(d_n)) - change * d_n * r.share
    out = []
    for (loc, grp, ccy), loss in sorted(losses.items()):
        mean, var, cvar = tail_stats(loss)
        total = gross_total.get((loc, grp), 0.0)
        share = gross[(loc, grp, ccy)] / total if total else 0.0
        out.append(ExposureRow(loc, grp, ElementType.CURRENCY, ccy, share, (), mean, var, cvar, 0.0, 0.0, 0.0, 0.0))
    return out
