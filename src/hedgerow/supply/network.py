"""The lane network as typed records: what each lane connects, through which ports, regions and countries.

A view on the network's lanes, locations and suppliers (:mod:`hedgerow.domain.network`, read by
:mod:`hedgerow.contract.network` — the same reader the planner and the simulator use); every other supply module
(lead-time pooling, signal scopes, exposure) reads lanes through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from hedgerow.contract.network import lanes_from_frame, locations_from_frame, suppliers_from_frame
from hedgerow.domain.enums import Mode
from hedgerow.domain.network import Lane, Location, Network, OriginKind, Supplier


@dataclass(frozen=True)
class LaneInfo:
    """One lane with everything scopes and pooling need.

    Attributes
    ----------
    lane_id, origin_id, destination_id, mode:
        As in the lanes table.
    ports:
        Ports the lane passes through (UN/LOCODE), in the order listed.
    origin_is_supplier:
        True when ``origin_id`` is a supplier (a purchase lane), False for a transfer between locations.
    origin_country, origin_region:
        Country (ISO alpha-2) and region of the origin; suppliers have no region (None).
    destination_country, destination_region:
        Country and region of the destination location (None when the location is unknown).
    transit_days:
        Planned transit time from the lanes table in days, or None.
    cost_per_unit, cost_currency:
        Transport cost of one unit and its currency.
    capacity_units_per_period:
        Nominal capacity in units per period, or None (unlimited).
    """

    lane_id: str
    origin_id: str
    destination_id: str
    mode: Mode
    ports: tuple[str, ...]
    origin_is_supplier: bool
    origin_country: str | None
    origin_region: str | None
    destination_country: str | None
    destination_region: str | None
    transit_days: float | None
    cost_per_unit: float
    cost_currency: str
    capacity_units_per_period: float | None

    @property
    def origin_group(self) -> str:
        """Pooling group of the origin: ``region:<name>`` for locations, ``country:<code>`` for suppliers."""
        if self.origin_region:
            return f"region:{self.origin_region}"
        if self.origin_country:
            return f"country:{self.origin_country}"
        return f"origin:{self.origin_id}"


@dataclass(frozen=True)
class LaneNetwork:
    """Lanes by id, plus the location and supplier facts scopes need."""

    lanes: Mapping[str, LaneInfo]
    location_region: Mapping[str, str]
    location_country: Mapping[str, str]
    location_currency: Mapping[str, str]
    supplier_country: Mapping[str, str]
    supplier_currency: Mapping[str, str]

    @classmethod
    def from_frames(
        cls,
        lanes: pd.DataFrame,
        locations: pd.DataFrame | None = None,
        suppliers: pd.DataFrame | None = None,
    ) -> LaneNetwork:
        """Build the view from contract frames (locations and suppliers may be absent)."""
        locs = locations_from_frame(locations)
        sups = suppliers_from_frame(suppliers)
        return cls.from_parts(lanes_from_frame(lanes, locs, sups), locs, sups)

    @classmethod
    def from_network(cls, network: Network) -> LaneNetwork:
        """The view of a :class:`~hedgerow.domain.network.Network`'s lanes."""
        return cls.from_parts(network.lanes, network.locations, network.suppliers)

    @classmethod
    def from_parts(
        cls, lanes: Iterable[Lane], locations: Iterable[Location], suppliers: Iterable[Supplier]
    ) -> LaneNetwork:
        """The view of these lanes, with the regions, countries and currencies of their ends."""
        locs = tuple(locations)
        sups = tuple(suppliers)
        loc_region = {loc.location_id: loc.region for loc in locs}
        loc_country = {loc.location_id: loc.country for loc in locs}
        loc_currency = {loc.location_id: loc.currency for loc in locs}
        sup_country = {s.supplier_id: s.country for s in sups}
        sup_currency = {s.supplier_id: s.currency for s in sups}
        out: dict[str, LaneInfo] = {}
        for lane in lanes:
            is_supplier = lane.origin_kind is OriginKind.SUPPLIER
            origin = lane.origin_id
            out[lane.lane_id] = LaneInfo(
                lane_id=lane.lane_id,
                origin_id=origin,
                destination_id=lane.destination_id,
                mode=lane.mode,
                ports=lane.ports,
                origin_is_supplier=is_supplier,
                origin_country=sup_country.get(origin) or loc_country.get(origin) or None,
                origin_region=None if is_supplier else loc_region.get(origin),
                destination_country=loc_country.get(lane.destination_id) or None,
                destination_region=loc_region.get(lane.destination_id),
                transit_days=lane.transit_days,
                cost_per_unit=lane.cost_per_unit,
                cost_currency=lane.cost_currency,
                capacity_units_per_period=lane.capacity_units_per_period,
            )
        return cls(out, loc_region, loc_country, loc_currency, sup_country, sup_currency)

    @property
    def lane_ids(self) -> tuple[str, ...]:
        """Lane ids in sorted order (the axis order of every lane array)."""
        return tuple(sorted(self.lanes))

    @property
    def ports(self) -> tuple[str, ...]:
        """Every port any lane passes through, sorted."""
        return tuple(sorted({p for lane in self.lanes.values() for p in lane.ports}))
