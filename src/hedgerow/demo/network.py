"""Sites and transport lanes of the demo network: four factories in Asia and Mexico, warehouses on three continents.

The standard network is a consumer-electronics distributor with five warehouses (Los Angeles, New Jersey,
Rotterdam, Tokyo, Singapore) buying from suppliers in Shenzhen, Shanghai, Ho Chi Minh City and Guadalajara.
Larger networks add warehouses in the same regions (Seattle, Savannah, Hamburg, Osaka, ...), each linked by
truck to the standard warehouse of its zone.

Transit times and freight rates are door-to-door planning figures of the kind a freight forwarder quotes (ocean
Shanghai → Los Angeles about three weeks, all-water to the US East Coast five to six weeks, air three to five
days, China–Europe rail about twenty days); ports are UN/LOCODEs so that port-scoped signals reach every lane
that lists them. Everything here is static data and pure functions of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from hedgerow.domain.enums import Mode

#: Currency every demo figure is reported in.
BASE_CURRENCY = "USD"


def units_per_usd(currency: str, fx_per_usd: Mapping[str, float]) -> float:
    """Units of ``currency`` per USD (1 for the USD itself)."""
    return 1.0 if currency == BASE_CURRENCY else fx_per_usd[currency]


class Region(StrEnum):
    """Planning regions of the demo warehouses (``locations.region``)."""

    AMERICAS = "Americas"
    EUROPE = "Europe"
    ASIA_PACIFIC = "Asia-Pacific"


class Zone(StrEnum):
    """Freight zone of a warehouse: lanes from the same origin to the same zone share transit times and rates."""

    US_WEST = "us_west"
    US_EAST = "us_east"
    NORTH_EUROPE = "north_europe"
    JAPAN = "japan"
    SOUTHEAST_ASIA = "southeast_asia"

    @property
    def region(self) -> Region:
        """The planning region the zone belongs to."""
        if self in (Zone.US_WEST, Zone.US_EAST):
            return Region.AMERICAS
        if self is Zone.NORTH_EUROPE:
            return Region.EUROPE
        return Region.ASIA_PACIFIC


class Origin(StrEnum):
    """Where a supplier's goods leave from; keys the freight tables."""

    SHENZHEN = "CN-SZ"
    SHANGHAI = "CN-SH"
    HO_CHI_MINH = "VN-HCM"
    GUADALAJARA = "MX-GDL"


@dataclass(frozen=True)
class Supplier:
    """A factory the distributor buys from.

    Attributes
    ----------
    supplier_id, name, country, currency:
        As in the ``suppliers`` table (``currency`` is the supplier's local invoicing currency).
    port:
        UN/LOCODE of the export port its ocean lanes start from.
    origin:
        Key of the freight tables.
    """

    supplier_id: str
    name: str
    country: str
    currency: str
    port: str
    origin: Origin


@dataclass(frozen=True)
class Warehouse:
    """A stocking location.

    Attributes
    ----------
    location_id, name, country, currency, holding_cost_rate_per_year:
        As in the ``locations`` table (holding cost rate in fraction of stock value per year).
    zone:
        Freight zone (its region is ``zone.region``).
    port:
        UN/LOCODE of the port its inbound ocean lanes end at.
    market_size:
        Demand of the warehouse's market relative to Los Angeles (1.0).
    assortment_share:
        Share of the catalogue the warehouse sells (0–1).
    hub:
        ``location_id`` of the standard warehouse it is trucked to and from; ``None`` for standard warehouses.
    truck_days_to_hub:
        Planned truck transit to and from the hub (days).
    """

    location_id: str
    name: str
    country: str
    currency: str
    zone: Zone
    port: str
    holding_cost_rate_per_year: float
    market_size: float
    assortment_share: float
    hub: str | None = None
    truck_days_to_hub: float = 0.0

    @property
    def region(self) -> Region:
        """The planning region (``locations.region``)."""
        return self.zone.region


SUPPLIERS: tuple[Supplier, ...] = (
    Supplier("SUP-CN-SZ", "Shenzhen Huaxin Electronics Co., Ltd.", "CN", "CNY", "CNYTN", Origin.SHENZHEN),
    Supplier("SUP-CN-SH", "Shanghai Pudong Precision Computing Co., Ltd.", "CN", "CNY", "CNSHA", Origin.SHANGHAI),
    Supplier("SUP-VN-HCM", "Saigon Audio Technology JSC", "VN", "VND", "VNSGN", Origin.HO_CHI_MINH),
    Supplier("SUP-MX-GDL", "Electrónica Tapatía S.A. de C.V.", "MX", "MXN", "MXZLO", Origin.GUADALAJARA),
)

LA, NJ, RTM, TYO, SIN = "LOC-LAX", "LOC-NJ", "LOC-RTM", "LOC-TYO", "LOC-SIN"

STANDARD_WAREHOUSES: tuple[Warehouse, ...] = (
    Warehouse(LA, "Los Angeles DC (Carson)", "US", "USD", Zone.US_WEST, "USLAX", 0.22, 1.00, 0.90),
    Warehouse(NJ, "New Jersey DC (Edison)", "US", "USD", Zone.US_EAST, "USNWK", 0.25, 0.90, 0.86),
    Warehouse(RTM, "Rotterdam DC (Maasvlakte)", "NL", "EUR", Zone.NORTH_EUROPE, "NLRTM", 0.20, 0.75, 0.80),
    Warehouse(TYO, "Tokyo DC (Shinagawa)", "JP", "JPY", Zone.JAPAN, "JPTYO", 0.28, 0.55, 0.76),
    Warehouse(SIN, "Singapore DC (Tuas)", "SG", "SGD", Zone.SOUTHEAST_ASIA, "SGSIN", 0.24, 0.35, 0.72),
)

#: Warehouses added, in this order, when a network has more than five locations.
EXTRA_WAREHOUSES: tuple[Warehouse, ...] = (
    Warehouse("LOC-SEA", "Seattle DC (Kent)", "US", "USD", Zone.US_WEST, "USSEA", 0.23, 0.45, 0.74, LA, 3),
    Warehouse("LOC-SAV", "Savannah DC", "US", "USD", Zone.US_EAST, "USSAV", 0.21, 0.50, 0.74, NJ, 2),
    Warehouse("LOC-HAM", "Hamburg DC", "DE", "EUR", Zone.NORTH_EUROPE, "DEHAM", 0.21, 0.50, 0.74, RTM, 2),
    Warehouse("LOC-OSA", "Osaka DC", "JP", "JPY", Zone.JAPAN, "JPOSA", 0.27, 0.40, 0.72, TYO, 1),
    Warehouse("LOC-ONT", "Ontario DC (Inland Empire)", "US", "USD", Zone.US_WEST, "USLAX", 0.20, 0.45, 0.74, LA, 1),
    Warehouse("LOC-ANR", "Antwerp DC", "BE", "EUR", Zone.NORTH_EUROPE, "BEANR", 0.20, 0.40, 0.72, RTM, 1),
    Warehouse("LOC-NGO", "Nagoya DC", "JP", "JPY", Zone.JAPAN, "JPNGO", 0.27, 0.35, 0.70, TYO, 1),
    Warehouse("LOC-LEH", "Le Havre DC", "FR", "EUR", Zone.NORTH_EUROPE, "FRLEH", 0.21, 0.40, 0.72, RTM, 2),
)

_ZONE_ORDER = (Zone.US_WEST, Zone.US_EAST, Zone.NORTH_EUROPE, Zone.JAPAN, Zone.SOUTHEAST_ASIA)
_Row = tuple[float | None, float | None, float | None, float | None, float | None]


def _by_zone(rows: dict[Origin, _Row]) -> dict[Origin, dict[Zone, float]]:
    """Freight table rows (one value per zone in :data:`_ZONE_ORDER`, None where there is no lane) as dicts."""
    return {o: {z: v for z, v in zip(_ZONE_ORDER, row, strict=True) if v is not None} for o, row in rows.items()}


# Door-to-door planning figures from each origin to each zone:
#                               US west  US east  N. Europe  Japan  SE Asia
_OCEAN_DAYS = _by_zone(
    {
        Origin.SHENZHEN: (22, 38, 36, 12, 10),
        Origin.SHANGHAI: (21, 37, 38, 8, 12),
        Origin.HO_CHI_MINH: (25, 40, 34, 12, 7),
        Origin.GUADALAJARA: (12, 24, 30, 24, 32),
    }
)
_OCEAN_USD = _by_zone(  # USD per average unit
    {
        Origin.SHENZHEN: (0.45, 0.70, 0.65, 0.25, 0.22),
        Origin.SHANGHAI: (0.42, 0.68, 0.70, 0.20, 0.25),
        Origin.HO_CHI_MINH: (0.50, 0.75, 0.62, 0.28, 0.15),
        Origin.GUADALAJARA: (0.30, 0.55, 0.70, 0.65, 0.75),
    }
)
_AIR_DAYS = _by_zone(  # customs included; Mexico ships to the US by truck, never by air
    {
        Origin.SHENZHEN: (3, 4, 4, 3, 3),
        Origin.SHANGHAI: (3, 4, 4, 2, 3),
        Origin.HO_CHI_MINH: (4, 4, 4, 3, 2),
        Origin.GUADALAJARA: (None, None, 4, 5, 5),
    }
)
#: Air freight costs this many times ocean freight on the same origin and zone (drawn per lane).
AIR_COST_FACTOR_RANGE = (6.0, 10.0)
# Truck from Guadalajara across the border (days, USD per unit).
_TRUCK_FROM_MEXICO: dict[Zone, tuple[float, float]] = {Zone.US_WEST: (4, 0.35), Zone.US_EAST: (7, 0.60)}
# China–Europe rail from Shanghai (days, USD per unit).
_RAIL_FROM_SHANGHAI: dict[Zone, tuple[float, float]] = {Zone.NORTH_EUROPE: (20, 1.60)}


@dataclass(frozen=True)
class _Leg:
    """A lane before it is priced: ``cost_usd`` per unit, ``ports`` for ocean lanes."""

    origin: str
    destination: str
    mode: Mode
    transit_days: float
    cost_usd: float
    ports: str | None = None


_STANDARD_TRANSFERS: tuple[_Leg, ...] = (
    _Leg(LA, NJ, Mode.TRUCK, 5, 0.85),
    _Leg(NJ, LA, Mode.TRUCK, 5, 0.85),
    _Leg(LA, TYO, Mode.OCEAN, 16, 0.40),
    _Leg(LA, TYO, Mode.AIR, 3, 3.20),
    _Leg(SIN, TYO, Mode.OCEAN, 10, 0.30),
    _Leg(TYO, SIN, Mode.OCEAN, 10, 0.30),
    _Leg(SIN, TYO, Mode.AIR, 2, 2.40),
    _Leg(RTM, NJ, Mode.OCEAN, 14, 0.55),
    _Leg(NJ, RTM, Mode.OCEAN, 14, 0.55),
)

#: Smallest quantity of one item one order may carry, per mode (units): a carton on ocean and rail.
MIN_ORDER_QTY: dict[Mode, float] = {Mode.OCEAN: 24, Mode.RAIL: 24, Mode.TRUCK: 12, Mode.AIR: 6}
#: Fixed cost of one order or transfer line, per mode (USD): booking, handling and paperwork, whatever its size —
#: an assumption of the demo, so that a one-unit transatlantic transfer does not pay (docs/presets.md, the demo).
ORDER_COST_USD: dict[Mode, float] = {Mode.OCEAN: 75.0, Mode.RAIL: 50.0, Mode.TRUCK: 30.0, Mode.AIR: 45.0}
_MODE_CODE = {Mode.OCEAN: "OCN", Mode.AIR: "AIR", Mode.TRUCK: "TRK", Mode.RAIL: "RAIL"}


@dataclass(frozen=True)
class Lane:
    """One transport lane (``lanes`` table row before its capacity is known).

    Attributes
    ----------
    lane_id, origin_id, destination_id, mode, cost_per_unit, cost_currency, transit_days, ports, min_order_qty:
        As in the ``lanes`` table (cost in ``cost_currency`` per unit, transit in days, MOQ in units).
    order_cost:
        Fixed cost of one order line, in ``cost_currency``.
    is_transfer:
        Whether the lane moves stock between two warehouses (else it brings it from a supplier).
    """

    lane_id: str
    origin_id: str
    destination_id: str
    mode: Mode
    cost_per_unit: float
    cost_currency: str
    transit_days: float
    ports: str | None
    min_order_qty: float
    is_transfer: bool
    order_cost: float = 0.0


def warehouses(n_locations: int) -> tuple[Warehouse, ...]:
    """The first ``n_locations`` warehouses: the five standard ones, then extras, then numbered copies.

    Copies (``LOC-SEA2``, ...) repeat an extra warehouse's zone, port and hub; they exist so that benchmark
    networks can have any number of locations.
    """
    if n_locations < 1:
        raise ValueError(f"n_locations must be at least 1, got {n_locations}")
    pool = STANDARD_WAREHOUSES + EXTRA_WAREHOUSES
    out = list(pool[:n_locations])
    copy = 2
    while len(out) < n_locations:
        for base in EXTRA_WAREHOUSES[: n_locations - len(out)]:
            name = f"{base.name} {copy}"
            out.append(
                replace(base, location_id=f"{base.location_id}{copy}", name=name, market_size=0.8 * base.market_size)
            )
        copy += 1
    return tuple(out)


def _code(site_id: str) -> str:
    return site_id.split("-", 1)[1].replace("-", "")


def _priced(leg: _Leg, currency: str, fx_per_usd: Mapping[str, float], *, is_transfer: bool) -> Lane:
    rate = units_per_usd(currency, fx_per_usd)
    return Lane(
        lane_id=f"LN-{_code(leg.origin)}-{_code(leg.destination)}-{_MODE_CODE[leg.mode]}",
        origin_id=leg.origin,
        destination_id=leg.destination,
        mode=leg.mode,
        cost_per_unit=round(leg.cost_usd * rate, 2),
        cost_currency=currency,
        transit_days=float(leg.transit_days),
        ports=leg.ports,
        min_order_qty=0.0 if is_transfer else MIN_ORDER_QTY[leg.mode],
        is_transfer=is_transfer,
        order_cost=round(ORDER_COST_USD[leg.mode] * rate, 2),
    )


def build_lanes(
    suppliers: tuple[Supplier, ...],
    sites: tuple[Warehouse, ...],
    fx_per_usd: Mapping[str, float],
    rng: np.random.Generator,
) -> tuple[Lane, ...]:
    """Every supplier and transfer lane between the given sites.

    Parameters
    ----------
    suppliers, sites:
        The network's suppliers and warehouses.
    fx_per_usd:
        Latest rates, units of each currency per USD; supplier lanes are priced in USD, transfer lanes in the
        origin warehouse's currency.
    rng:
        Draws each air lane's cost factor within :data:`AIR_COST_FACTOR_RANGE`.

    Returns
    -------
    tuple of Lane
        Supplier lanes (ocean to every warehouse, air except Mexico → US, truck Mexico → US, rail Shanghai →
        northern Europe) then transfer lanes (standard pairs, and truck to and from each added warehouse's hub).
    """
    supply: list[_Leg] = []
    for sup in suppliers:
        for site in sites:
            o, z, here = sup.origin, site.zone, site.location_id
            ocean_usd = _OCEAN_USD[o][z]
            supply.append(
                _Leg(sup.supplier_id, here, Mode.OCEAN, _OCEAN_DAYS[o][z], ocean_usd, f"{sup.port};{site.port}")
            )
            if z in _AIR_DAYS[o]:
                factor = float(rng.uniform(*AIR_COST_FACTOR_RANGE))
                supply.append(_Leg(sup.supplier_id, here, Mode.AIR, _AIR_DAYS[o][z], ocean_usd * factor))
            if o is Origin.GUADALAJARA and z in _TRUCK_FROM_MEXICO:
                supply.append(_Leg(sup.supplier_id, here, Mode.TRUCK, *_TRUCK_FROM_MEXICO[z]))
            if o is Origin.SHANGHAI and z in _RAIL_FROM_SHANGHAI:
                supply.append(_Leg(sup.supplier_id, here, Mode.RAIL, *_RAIL_FROM_SHANGHAI[z]))
    by_id = {w.location_id: w for w in sites}
    moves = [t for t in _STANDARD_TRANSFERS if t.origin in by_id and t.destination in by_id]
    for site in sites:
        if site.hub is not None and site.hub in by_id:
            usd = 0.25 + 0.12 * site.truck_days_to_hub
            moves.append(_Leg(site.location_id, site.hub, Mode.TRUCK, site.truck_days_to_hub, usd))
            moves.append(_Leg(site.hub, site.location_id, Mode.TRUCK, site.truck_days_to_hub, usd))
    lanes = [_priced(leg, BASE_CURRENCY, fx_per_usd, is_transfer=False) for leg in supply]
    for leg in moves:
        origin, destination = by_id[leg.origin], by_id[leg.destination]
        ports = f"{origin.port};{destination.port}" if leg.mode is Mode.OCEAN else None
        lanes.append(_priced(replace(leg, ports=ports), origin.currency, fx_per_usd, is_transfer=True))
    return tuple(lanes)
