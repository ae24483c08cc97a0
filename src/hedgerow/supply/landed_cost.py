"""Supply routes, landed cost and margin in the base currency, and FX exposure per currency.

A *route* is an (item, location, lane) a unit can reach the location by: a purchase lane from the item's
supplier (or from any supplier whose lane has carried the item), or a transfer lane from another location that
sells the item. Each route has a *flow share*: the share of the item-location's supply it carries — its share
of the item's historical shipped quantity into the location when there is history, else 1 for the cheapest
purchase route (the usual primary) and 0 for the rest (alternatives).

Landed cost per unit (base currency) = unit cost / fx(cost currency) + freight / fx(lane currency), with fx in
units per base unit; margin = price / fx(price currency) − landed cost. With FX scenarios the margin is a
distribution: :func:`margin_paths` gives it per scenario at the end of a chosen period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgerow.errors import SupplyInputError
from hedgerow.supply.network import LaneNetwork


@dataclass(frozen=True)
class SupplyRoute:
    """One way an item reaches a location.

    Attributes
    ----------
    item_id, location_id, lane_id:
        The route.
    share:
        Share of the item-location's supply this route carries (sums to 1 over its routes, 0 for alternatives).
    is_transfer:
        True for a lane from another location.
    """

    item_id: str
    location_id: str
    lane_id: str
    share: float
    is_transfer: bool


@dataclass(frozen=True)
class LandedCost:
    """Cost and margin of one unit of an item at a location via one lane.

    ``*_base`` amounts are in the base currency at spot FX; ``*_local`` in their own currencies.
    """

    item_id: str
    location_id: str
    lane_id: str
    purchase_base: float
    freight_base: float
    price_base: float
    cost_currency: str
    freight_currency: str
    price_currency: str
    share: float
    purchase_local: float
    freight_local: float
    price_local: float

    @property
    def landed_base(self) -> float:
        """Purchase plus freight, base currency per unit."""
        return self.purchase_base + self.freight_base

    @property
    def margin_base(self) -> float:
        """Price minus landed cost, base currency per unit."""
        return self.price_base - self.landed_base


def _spot(spot: Mapping[str, float], currency: str, base: str) -> float:
    if currency == base:
        return 1.0
    try:
        return float(spot[currency])
    except KeyError:
        raise SupplyInputError(
            f"no FX rate for {currency} against the base currency {base}: import fx_rates with {currency}"
        ) from None


def supply_routes(
    items: pd.DataFrame, item_locations: pd.DataFrame, network: LaneNetwork, shipments: pd.DataFrame | None
) -> list[SupplyRoute]:
    """Every route of every item-location, with flow shares (see module docstring)."""
    supplier_of = {str(r.item_id): (None if pd.isna(r.supplier_id) else str(r.supplier_id)) for r in items.itertuples()}
    sold_at: dict[str, set[str]] = {}
    for r in item_locations.itertuples():
        sold_at.setdefault(str(r.item_id), set()).add(str(r.location_id))
    carried: dict[tuple[str, str], float] = {}
    if shipments is not None and len(shipments):
        qty = shipments.groupby(["item_id", "lane_id"], observed=True)["qty"].sum()
        keys = qty.index.to_list()
        carried = {(str(k[0]), str(k[1])): float(q) for k, q in zip(keys, qty.to_numpy(), strict=True)}
    into: dict[str, list[str]] = {}
    for lane in network.lanes.values():
        into.setdefault(lane.destination_id, []).append(lane.lane_id)
    routes: list[SupplyRoute] = []
    for r in item_locations.itertuples():
        item, loc = str(r.item_id), str(r.location_id)
        purchase, transfer = [], []
        for lane_id in sorted(into.get(loc, [])):
            lane = network.lanes[lane_id]
            if lane.origin_is_supplier:
                if (
                    lane.origin_id == supplier_of.get(item)
                    or (item, lane_id) in carried
                    or supplier_of.get(item) is None
                ):
                    purchase.append(lane)
            elif lane.origin_id in sold_at.get(item, set()):
                transfer.append(lane)
        history = {lane.lane_id: carried.get((item, lane.lane_id), 0.0) for lane in purchase + transfer}
        total = sum(history.values())
        if total > 0:
            shares = {k: v / total for k, v in history.items()}
        elif purchase:
            primary = min(purchase, key=lambda lane: (lane.cost_per_unit, lane.lane_id)).lane_id
            shares = {lane.lane_id: float(lane.lane_id == primary) for lane in purchase + transfer}
        else:
            shares = {lane.lane_id: 1.0 / len(transfer) for lane in transfer}
        routes += [SupplyRoute(item, loc, lane.lane_id, shares[lane.lane_id], False) for lane in purchase]
        routes += [SupplyRoute(item, loc, lane.lane_id, shares[lane.lane_id], True) for lane in transfer]
    return routes


def landed_costs(
    routes: list[SupplyRoute],
    items: pd.DataFrame,
    item_locations: pd.DataFrame,
    network: LaneNetwork,
    spot: Mapping[str, float],
    base_currency: str,
) -> list[LandedCost]:
    """Landed cost and margin of every route at spot FX (``spot``: units of currency per base unit)."""
    item_rows = {str(r["item_id"]): r for r in items.to_dict("records")}
    price_rows = {(str(r["item_id"]), str(r["location_id"])): r for r in item_locations.to_dict("records")}
    out = []
    for route in routes:
        item = item_rows[route.item_id]
        price = price_rows[(route.item_id, route.location_id)]
        lane = network.lanes[route.lane_id]
        out.append(
            LandedCost(
                item_id=route.item_id,
                location_id=route.location_id,
                lane_id=route.lane_id,
                purchase_base=float(item["unit_cost"]) / _spot(spot, str(item["cost_currency"]), base_currency),
                freight_base=lane.cost_per_unit / _spot(spot, lane.cost_currency, base_currency),
                price_base=float(price["unit_price"]) / _spot(spot, str(price["price_currency"]), base_currency),
                cost_currency=str(item["cost_currency"]),
                freight_currency=lane.cost_currency,
                price_currency=str(price["price_currency"]),
                share=route.share,
                purchase_local=float(item["unit_cost"]),
                freight_local=lane.cost_per_unit,
                price_local=float(price["unit_price"]),
            )
        )
    return out


def margin_paths(cost: LandedCost, currencies: tuple[str, ...], fx: np.ndarray, period: int) -> np.ndarray:
    """Unit margin in the base currency per scenario at the end of ``period`` (fx: [currency, scenario, period]).

    Raises
    ------
    SupplyInputError
        When one of the route's currencies has no FX path.
    """

    def in_base(amount_local: float, ccy: str) -> np.ndarray:
        if ccy not in currencies:
            raise SupplyInputError(f"no FX scenarios for {ccy}; the scenario set has {', '.join(currencies)}")
        rates: np.ndarray = fx[currencies.index(ccy), :, period]
        return np.asarray(amount_local / rates, dtype=float)

    margin: np.ndarray = (
        in_base(cost.price_local, cost.price_currency)
        - in_base(cost.purchase_local, cost.cost_currency)
        - in_base(cost.freight_local, cost.freight_currency)
    )
    return margin
