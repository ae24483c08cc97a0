"""Assemble a demo network: draw each part in turn and lay it out as the contract's tables.

Each part draws from its own child of the given generator (``rng.spawn``), so changing how one part draws
leaves the others as they were. Everything is vectorised over item-locations and weeks: the standard demo
(300 items × 5 warehouses × 156 weeks) takes well under a second and 20,000 items a few tens of seconds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import pandas as pd

from hedgerow.contract.spec import TABLES
from hedgerow.demo.catalog import Catalog, build_catalog, local_prices
from hedgerow.demo.columns import id_column, text_column
from hedgerow.demo.demand import Assortment, DemandHistory, choose_assortment, draw_series_params, simulate_demand
from hedgerow.demo.freight import freight_history
from hedgerow.demo.market import LATEST_UNITS_PER_USD, fx_history, port_congestion
from hedgerow.demo.network import (
    BASE_CURRENCY,
    SUPPLIERS,
    Lane,
    Supplier,
    Warehouse,
    build_lanes,
    units_per_usd,
    warehouses,
)
from hedgerow.demo.shipments import ShipmentHistory, departing_order, simulate_shipments, with_departure
from hedgerow.demo.signals import signals_frame
from hedgerow.demo.spec import DemoNetwork, DemoSpec
from hedgerow.demo.stock import holds_frame, inventory_frame, latest_on_hand, ledger_through
from hedgerow.domain.enums import TableName

FloatArray = npt.NDArray[np.float64]

#: Cumulative revenue shares that end the A and the B class (ABC analysis).
ABC_BREAKS = (0.80, 0.95)
#: Weeks of sales the ABC analysis looks back over.
ABC_WEEKS = 52


def _ordered(table: TableName, columns: dict[str, object]) -> pd.DataFrame:
    """A frame with the contract's columns first, in contract order, then the extra (driver) columns."""
    contract = [c.name for c in TABLES[table].columns if c.name in columns]
    order = contract + [c for c in columns if c not in contract]
    return pd.DataFrame({name: columns[name] for name in order}, copy=False)


def nice_ceil(values: npt.ArrayLike) -> FloatArray:
    """Round up to two significant digits (1,234 → 1,300), for capacities."""
    x = np.maximum(np.asarray(values, dtype=np.float64), 1.0)
    scale = 10.0 ** (np.floor(np.log10(x)) - 1)
    return np.asarray(np.ceil(x / scale) * scale, dtype=np.float64)


def abc_classes(revenue: FloatArray) -> npt.NDArray[np.str_]:
    """ABC class of each item from its revenue: A up to 80 % of the total, B up to 95 %, C the rest."""
    order = np.argsort(-revenue, kind="stable")
    share_before = (np.cumsum(revenue[order]) - revenue[order]) / max(float(revenue.sum()), 1e-12)
    ranked = np.where(share_before < ABC_BREAKS[0], "A", np.where(share_before < ABC_BREAKS[1], "B", "C"))
    out = np.empty(len(revenue), dtype="<U1")
    out[order] = ranked
    return out


def _revenue_usd(
    catalog: Catalog,
    assortment: Assortment,
    demand: DemandHistory,
    sites: tuple[Warehouse, ...],
    fx: Mapping[str, float],
) -> FloatArray:
    rate = np.array([units_per_usd(s.currency, fx) for s in sites])[assortment.location]
    recent = (demand.qty[:, -ABC_WEEKS:] * demand.price[:, -ABC_WEEKS:]).sum(axis=1) / rate
    return np.bincount(assortment.item, recent, len(catalog.item_id)).astype(np.float64)


def _series_frame(
    table: TableName,
    catalog: Catalog,
    assortment: Assortment,
    sites: tuple[Warehouse, ...],
    starts: pd.DatetimeIndex,
    values: dict[str, npt.NDArray[np.generic]],
) -> pd.DataFrame:
    """A long (item, location, period) frame from arrays of shape (series, weeks), series-major."""
    weeks = len(starts)
    columns: dict[str, object] = {
        "item_id": id_column(catalog.item_id, np.repeat(assortment.item, weeks)),
        "location_id": id_column([s.location_id for s in sites], np.repeat(assortment.location, weeks)),
        "period_start": np.tile(starts.to_numpy(dtype="datetime64[ns]"), len(assortment)),
    }
    columns.update({name: array.ravel() for name, array in values.items()})
    return _ordered(table, columns)


#: Inner-pack sizes of the demo by unit weight (kg, units): small accessories come in sixes, the rest singly.
PACK_BY_WEIGHT: tuple[tuple[float, float], ...] = ((0.15, 6.0),)


def pack_sizes(weight_kg: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Units per pack of each item: the first :data:`PACK_BY_WEIGHT` entry it is lighter than, else 1."""
    out = np.ones(weight_kg.shape)
    for limit, pack in reversed(PACK_BY_WEIGHT):
        out[weight_kg < limit] = pack
    return out


def _items(catalog: Catalog, item_class: npt.NDArray[np.str_], suppliers: tuple[Supplier, ...]) -> pd.DataFrame:
    currency_of = {s.supplier_id: s.currency for s in suppliers}
    # Chinese factories invoice in CNY; Vietnam and Mexico quote in USD, as exporters there usually do
    cost_currency = np.array(
        ["CNY" if currency_of.get(str(s)) == "CNY" else BASE_CURRENCY for s in catalog.supplier_id]
    )
    rate = np.array([units_per_usd(c, LATEST_UNITS_PER_USD) for c in cost_currency])
    return _ordered(
        TableName.ITEMS,
        {
            "item_id": text_column(catalog.item_id),
            "name": text_column(catalog.name),
            "item_class": text_column(item_class),
            "unit_cost": np.round(catalog.unit_cost_usd * rate, 2),
            "cost_currency": text_column(cost_currency),
            "weight_kg": catalog.weight_kg,
            "volume_m3": catalog.volume_m3,
            "pack_size": pack_sizes(catalog.weight_kg),
            "supplier_id": text_column([str(s) or None for s in catalog.supplier_id]),
        },
    )


def _locations(
    sites: tuple[Warehouse, ...], assortment: Assortment, demand: DemandHistory, on_hand: npt.NDArray[np.int64]
) -> pd.DataFrame:
    n_sites = len(sites)
    stock = np.bincount(assortment.location, on_hand, n_sites)
    weekly = np.bincount(assortment.location, demand.mean_qty.mean(axis=1), n_sites)
    return _ordered(
        TableName.LOCATIONS,
        {
            "location_id": text_column([s.location_id for s in sites]),
            "name": text_column([s.name for s in sites]),
            "region": text_column([s.region.value for s in sites]),
            "country": text_column([s.country for s in sites]),
            "currency": text_column([s.currency for s in sites]),
            "holding_cost_rate_per_year": [s.holding_cost_rate_per_year for s in sites],
            "capacity_units": nice_ceil(np.maximum(2.0 * stock, 12.0 * weekly)),
        },
    )


def _lanes(
    lanes: tuple[Lane, ...],
    shipments: ShipmentHistory,
    sites: tuple[Warehouse, ...],
    assortment: Assortment,
    demand: DemandHistory,
) -> pd.DataFrame:
    peak = shipments.peak_weekly_qty(len(lanes))
    site_index = {s.location_id: k for k, s in enumerate(sites)}
    weekly = np.bincount(assortment.location, demand.mean_qty.mean(axis=1), len(sites))
    unused = np.array([max(100.0, 0.2 * weekly[site_index[ln.destination_id]]) for ln in lanes])
    capacity = nice_ceil(np.where(peak > 0, 1.25 * peak, unused))
    return _ordered(
        TableName.LANES,
        {
            "lane_id": text_column([ln.lane_id for ln in lanes]),
            "origin_id": text_column([ln.origin_id for ln in lanes]),
            "destination_id": text_column([ln.destination_id for ln in lanes]),
            "mode": text_column([ln.mode.value for ln in lanes]),
            "cost_per_unit": [ln.cost_per_unit for ln in lanes],
            "cost_currency": text_column([ln.cost_currency for ln in lanes]),
            "transit_days": [ln.transit_days for ln in lanes],
            "capacity_units_per_period": capacity,
            "ports": text_column([ln.ports for ln in lanes]),
            "min_order_qty": [ln.min_order_qty for ln in lanes],
            "order_cost": [ln.order_cost for ln in lanes],
        },
    )


def _shipments(shipments: ShipmentHistory, lanes: tuple[Lane, ...], catalog: Catalog) -> pd.DataFrame:
    width = max(6, len(str(len(shipments.lane))))
    shipment_ids = np.array([f"SHP-{k + 1:0{width}d}" for k in range(len(shipments.lane))])
    line = shipments.line_shipment
    return _ordered(
        TableName.SHIPMENTS,
        {
            "shipment_id": id_column(shipment_ids, line),
            "lane_id": id_column([ln.lane_id for ln in lanes], shipments.lane[line]),
            "item_id": id_column(catalog.item_id, shipments.line_item),
            "qty": shipments.line_qty,
            "ship_date": shipments.ship_date[line],
            "eta_date": shipments.eta_date[line],
            "delivered_date": shipments.delivered_date[line],
        },
    )


def build_demo_network(spec: DemoSpec, rng: np.random.Generator) -> DemoNetwork:
    """Generate the demo network described by ``spec``.

    Parameters
    ----------
    spec:
        Sizes and dates.
    rng:
        The only source of randomness; the same spec and the same generator state give identical frames.

    Returns
    -------
    DemoNetwork
        Every contract table (valid against the contract at ``spec.as_of`` midnight UTC), the uncensored
        demand, the catalogue's categories and margins and the designed demand parameters.
    """
    r_catalog, r_fx, r_assort, r_demand, r_lanes, r_ports, r_ship, r_stock, r_signals, r_freight = rng.spawn(10)
    sites, suppliers = warehouses(spec.n_locations), SUPPLIERS
    fx = LATEST_UNITS_PER_USD
    catalog = build_catalog(spec.n_items, suppliers, r_catalog)
    assortment = choose_assortment(catalog, sites, r_assort)
    price_now = local_prices(catalog, assortment.item, assortment.location, sites, fx, r_assort)
    params = draw_series_params(catalog, assortment, sites, r_assort)
    demand = simulate_demand(assortment, params, price_now, sites, spec.period_starts, spec.driver_starts, r_demand)
    item_class = abc_classes(_revenue_usd(catalog, assortment, demand, sites, fx))

    lanes = build_lanes(suppliers, sites, fx, r_lanes)
    ports = {p for ln in lanes if ln.ports for p in ln.ports.split(";")}
    congestion = port_congestion(ports, spec.period_starts, r_ports)
    shipments = simulate_shipments(
        catalog, item_class, assortment, demand, suppliers, sites, lanes, congestion, spec.as_of, r_ship
    )
    on_hand = latest_on_hand(catalog, assortment, demand, r_stock)
    ledger = ledger_through(assortment, demand, shipments, lanes, sites, len(catalog.item_id), spec.as_of)
    departure = departing_order(catalog, item_class, assortment, demand, on_hand, suppliers, sites, lanes)
    if departure is not None:
        lane, item, qty = departure
        shipments = with_departure(shipments, lane, item, qty, lanes[lane].transit_days, spec.as_of)
    location_ids = [s.location_id for s in sites]

    tables: dict[TableName, pd.DataFrame] = {
        TableName.ITEMS: _items(catalog, item_class, suppliers),
        TableName.LOCATIONS: _locations(sites, assortment, demand, on_hand),
        TableName.ITEM_LOCATIONS: _ordered(
            TableName.ITEM_LOCATIONS,
            {
                "item_id": id_column(catalog.item_id, assortment.item),
                "location_id": id_column(location_ids, assortment.location),
                "unit_price": price_now,
                "price_currency": id_column([s.currency for s in sites], assortment.location),
            },
        ),
        TableName.SUPPLIERS: _ordered(
            TableName.SUPPLIERS,
            {
                "supplier_id": text_column([s.supplier_id for s in suppliers]),
                "name": text_column([s.name for s in suppliers]),
                "country": text_column([s.country for s in suppliers]),
                "currency": text_column([s.currency for s in suppliers]),
            },
        ),
        TableName.LANES: _lanes(lanes, shipments, sites, assortment, demand),
        TableName.SHIPMENTS: _shipments(shipments, lanes, catalog),
        TableName.INVENTORY: inventory_frame(catalog, assortment, sites, ledger, on_hand, spec.as_of, r_stock),
        TableName.DEMAND: _series_frame(
            TableName.DEMAND,
            catalog,
            assortment,
            sites,
            spec.period_starts,
            {
                "qty": demand.qty,
                "stockout_fraction": demand.stockout_fraction,
                "price": demand.price,
                "promo": demand.promo,
            },
        ),
        TableName.DRIVERS: _series_frame(
            TableName.DRIVERS,
            catalog,
            assortment,
            sites,
            spec.driver_starts,
            {"price": demand.future_price, "promo": demand.future_promo},
        ),
        TableName.BUNDLES: _ordered(
            TableName.BUNDLES,
            {
                "bundle_item_id": id_column(catalog.item_id, catalog.bundle_parent),
                "component_item_id": id_column(catalog.item_id, catalog.bundle_component),
                "qty_per_bundle": catalog.bundle_qty,
            },
        ).sort_values(["bundle_item_id", "component_item_id"], ignore_index=True),
        TableName.SIGNALS: signals_frame(
            congestion, spec.period_starts, catalog, assortment, sites, lanes, spec.as_of, r_signals
        ),
        TableName.FX_RATES: fx_history(spec.history_start, spec.as_of, r_fx),
        TableName.FREIGHT_RATES: freight_history(lanes, spec.period_starts, fx, r_freight),
        TableName.HOLDS: holds_frame(catalog, assortment, sites, on_hand, spec.as_of, r_stock),
    }
    true_demand = _series_frame(
        TableName.DEMAND, catalog, assortment, sites, spec.period_starts, {"true_qty": demand.true_qty}
    )
    p = demand.params
    series = pd.DataFrame(
        {
            "item_id": id_column(catalog.item_id, assortment.item),
            "location_id": id_column(location_ids, assortment.location),
            "level": p.level,
            "nb_shape": p.nb_shape,
            "trend_per_year": p.trend_per_year,
            "season_amplitude": p.season_amplitude,
            "promo_lift": p.promo_lift,
            "promo_discount": p.promo_discount,
            "campaign_participation": p.campaign_participation,
            "slow_mover": p.slow_mover,
        }
    )
    return DemoNetwork(tables=tables, true_demand=true_demand, spec=spec, catalog=catalog.frame(), series=series)
