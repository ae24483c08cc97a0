"""What hedgerow's policy knows about the network before the replay starts: its structure, never its future.

A :class:`NetworkSpec` holds the static description of a simulated network — which item sits at which location,
who supplies whom, which lanes an item-location may order on, their planned transit, the bill of materials and the
calendar, the ports and countries its lanes pass through — extracted from :class:`~hedgerow.sim.inputs.SimInputs`. It carries **no** realised demand, lead time,
capacity or exchange rate: everything that happens is read from the
:class:`~hedgerow.sim.history.HistoryView` of each period. A planner at a real company knows the same things: its
catalogue, its lanes and their planned transit times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from hedgerow.domain.enums import Mode
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.signals import decision_moment
from hedgerow.supply.network import LaneInfo, LaneNetwork


@dataclass(frozen=True)
class NetworkSpec:
    """The static structure of a simulated network (see the module docstring).

    Attributes
    ----------
    item_ids, location_ids, item_class, region:
        [il] the item-locations.
    base_currency:
        The currency every money figure of a view is in.
    first_period:
        First day of period 0 (the calendar of the demand history).
    period_days:
        Length of a period, days.
    parent:
        [il] the item-location that ships to ``il``, or -1.
    lane_options:
        [il, K] lane indices an item-location may order on, primary first; -1 pads.
    lane_ids, lane_origin, lane_destination:
        [lane] identity of each lane.
    lane_mode:
        [lane] transport mode (an unknown mode is read as truck).
    bom_bundle, bom_component, bom_qty:
        [bom] bill of materials per item-location (as in :class:`~hedgerow.sim.inputs.SimInputs`).
    sells:
        [il] False for an item-location with no price (a distribution centre that only supplies others).
    lane_from_location:
        [lane] True when the lane starts at a location (a transfer lane), False at a supplier.
    lane_ports:
        [lane] ports the lane passes through (UN/LOCODEs): port-scoped signals reach it.
    lane_countries:
        [lane] countries of the lane's origin and destination ("" when unknown): country-scoped signals reach it.
    """

    item_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    item_class: tuple[str, ...]
    region: tuple[str, ...]
    base_currency: str
    first_period: date
    period_days: int
    parent: np.ndarray
    lane_options: np.ndarray
    lane_ids: tuple[str, ...]
    lane_origin: tuple[str, ...]
    lane_destination: tuple[str, ...]
    lane_mode: tuple[Mode, ...]
    bom_bundle: np.ndarray
    bom_component: np.ndarray
    bom_qty: np.ndarray
    sells: np.ndarray
    lane_from_location: np.ndarray
    lane_ports: tuple[tuple[str, ...], ...] = ()
    lane_countries: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        keys = list(zip(self.item_ids, self.location_ids, strict=True))
        if len(set(keys)) != len(keys):
            raise ValueError("a network must hold each item at each location at most once")

    @classmethod
    def from_inputs(cls, inputs: SimInputs) -> NetworkSpec:
        """The structure of ``inputs`` (its realised demand, lead times, capacity and FX are left behind)."""
        modes = tuple(Mode(m) if m in Mode._value2member_map_ else Mode.TRUCK for m in inputs.lane_mode)
        return cls(
            item_ids=inputs.item_ids,
            location_ids=inputs.location_ids,
            item_class=inputs.item_class,
            region=inputs.region,
            base_currency=inputs.base_currency,
            first_period=inputs.period_starts[0],
            period_days=inputs.period_days,
            parent=inputs.parent.copy(),
            lane_options=inputs.lane_options.copy(),
            lane_ids=inputs.lane_ids,
            lane_origin=inputs.lane_origin,
            lane_destination=inputs.lane_destination,
            lane_mode=modes,
            bom_bundle=inputs.bom_bundle.copy(),
            bom_component=inputs.bom_component.copy(),
            bom_qty=inputs.bom_qty.copy(),
            sells=~np.isnan(inputs.unit_price),
            lane_from_location=np.isin(np.array(inputs.lane_origin, dtype=object), np.array(inputs.location_ids)),
            lane_ports=inputs.lane_ports,
            lane_countries=inputs.lane_countries,
        )

    @property
    def n_il(self) -> int:
        """Number of item-locations."""
        return len(self.item_ids)

    @property
    def assembled(self) -> np.ndarray:
        """[il] True for bundles."""
        out = np.zeros(self.n_il, dtype=bool)
        out[self.bom_bundle] = True
        return out

    def decision_moment(self, t: int) -> datetime:
        """When period ``t`` is decided: 00:00 UTC of its first day (as :meth:`SimInputs.decision_moment`)."""
        return decision_moment(self.first_period + timedelta(days=self.period_days * t))

    def lane_network(self) -> LaneNetwork:
        """The lanes as the supply model reads them (:class:`~hedgerow.supply.network.LaneNetwork`), so signal
        scopes — lane, port, country, region — reach the same lanes as in ``hedgerow plan``.

        A location's region is its item-locations'; a supplier has no region. Lane costs and capacities are left
        out (signals do not read them).
        """
        region = dict(zip(self.location_ids, self.region, strict=True))
        countries = self.lane_countries or ((("", ""),) * len(self.lane_ids))
        ports = self.lane_ports or (((),) * len(self.lane_ids))
        loc_country: dict[str, str] = {}
        sup_country: dict[str, str] = {}
        lanes: dict[str, LaneInfo] = {}
        for k, lane_id in enumerate(self.lane_ids):
            origin, destination = self.lane_origin[k], self.lane_destination[k]
            origin_country, destination_country = (*countries[k], "", "")[:2]
            from_location = bool(self.lane_from_location[k])
            (loc_country if from_location else sup_country).setdefault(origin, origin_country)
            loc_country.setdefault(destination, destination_country)
            lanes[lane_id] = LaneInfo(
                lane_id=lane_id,
                origin_id=origin,
                destination_id=destination,
                mode=self.lane_mode[k],
                ports=tuple(ports[k]),
                origin_is_supplier=not from_location,
                origin_country=origin_country or None,
                origin_region=region.get(origin) if from_location else None,
                destination_country=destination_country or None,
                destination_region=region.get(destination),
                transit_days=None,
                cost_per_unit=0.0,
                cost_currency=self.base_currency,
                capacity_units_per_period=None,
            )
        return LaneNetwork(
            lanes=lanes,
            location_region=region,
            location_country={k: v for k, v in loc_country.items() if v},
            location_currency={},
            supplier_country={k: v for k, v in sup_country.items() if v},
            supplier_currency={},
        )
