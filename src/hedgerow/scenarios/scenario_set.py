"""The ScenarioSet: one joint, seeded sample of the uncertain future, as read-only arrays.

Axes are always in this order: [element, scenario, period]. Scenario ``s`` is one coherent future across all
blocks: demand path ``s`` of every item-location happens together with lead time ``s`` of every lane and FX
path ``s`` of every currency, so correlations (a strike that delays a lane *and* a demand shift) are kept.

Demand comes in chunks of item-locations (:class:`DemandBlock`) so that memory stays bounded and chunks can be
produced and consumed on other workers; supply (:class:`SupplyBlock`) is small and shared by every chunk.
Arrays are made read-only on construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np


def _freeze(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


def _check_shape(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")


@dataclass(frozen=True)
class DemandBlock:
    """Demand scenarios of a chunk of item-locations.

    Attributes
    ----------
    item_ids, location_ids:
        The item-locations of the chunk, aligned with axis 0 of every array.
    paths:
        Demand [item-location, scenario, period] in units per period; non-negative, whole numbers where
        ``is_count``.
    shift_probability:
        [item-location] probability that recent unusual observations are a lasting level shift rather than a
        transient spike; the paths already mix both futures by it.
    is_count:
        [item-location] True when demand is counted in whole units.
    """

    item_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    paths: np.ndarray
    shift_probability: np.ndarray
    is_count: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.item_ids)
        if len(self.location_ids) != n:
            raise ValueError("item_ids and location_ids must have the same length")
        if self.paths.ndim != 3 or self.paths.shape[0] != n:
            raise ValueError(f"paths must have shape ({n}, scenarios, periods), got {self.paths.shape}")
        _check_shape("shift_probability", self.shift_probability, (n,))
        _check_shape("is_count", self.is_count, (n,))
        if self.paths.size and float(np.nanmin(self.paths)) < 0:
            raise ValueError("demand paths must be non-negative")
        _freeze(self.paths, self.shift_probability, self.is_count)

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios."""
        return int(self.paths.shape[1])

    @property
    def horizon(self) -> int:
        """Number of periods."""
        return int(self.paths.shape[2])


@dataclass(frozen=True)
class SupplyBlock:
    """Supply-side scenarios shared by every demand chunk.

    Attributes
    ----------
    lane_ids:
        Lanes, aligned with axis 0 of the lane arrays.
    lead_time_days:
        [lane, scenario, period] transit time in days of goods shipped at the start of that period.
    capacity_factor:
        [lane, scenario, period] share of the lane's nominal capacity available, in [0, 1].
    disrupted:
        [lane, scenario, period] True where the lane is in a disrupted state.
    shipment_ids:
        Open shipments (in transit), aligned with axis 0 of ``shipment_arrival_days``.
    shipment_arrival_days:
        [shipment, scenario] days from the as-of date until the shipment arrives (>= 0).
    currencies:
        Currencies, aligned with axis 0 of ``fx_units_per_base``.
    fx_units_per_base:
        [currency, scenario, period] units of the currency per one unit of the base currency at the end of the
        period.
    lane_modes:
        Transport mode of each lane (aligned with ``lane_ids``), empty when not given.
    notes:
        Data-freshness and fallback warnings an explanation must show (quarantined signals, stale or missing
        feeds, lanes without history); the plan was still made.
    freight_multiplier:
        [lane, scenario, period] spot freight rate of goods shipped in that period as a multiple of the lane's
        ``cost_per_unit`` (:mod:`hedgerow.supply.freight`); None = every lane at today's rate in every scenario.
    """

    lane_ids: tuple[str, ...]
    lead_time_days: np.ndarray
    capacity_factor: np.ndarray
    disrupted: np.ndarray
    shipment_ids: tuple[str, ...]
    shipment_arrival_days: np.ndarray
    currencies: tuple[str, ...]
    fx_units_per_base: np.ndarray
    lane_modes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    freight_multiplier: np.ndarray | None = None

    def __post_init__(self) -> None:
        n_lanes = len(self.lane_ids)
        if self.lane_modes and len(self.lane_modes) != n_lanes:
            raise ValueError(f"lane_modes must have one entry per lane ({n_lanes}), got {len(self.lane_modes)}")
        if self.lead_time_days.ndim != 3 or self.lead_time_days.shape[0] != n_lanes:
            raise ValueError(f"lead_time_days must have shape ({n_lanes}, scenarios, periods)")
        _check_shape("capacity_factor", self.capacity_factor, self.lead_time_days.shape)
        _check_shape("disrupted", self.disrupted, self.lead_time_days.shape)
        if self.shipment_arrival_days.ndim != 2 or self.shipment_arrival_days.shape[0] != len(self.shipment_ids):
            raise ValueError("shipment_arrival_days must have shape (shipments, scenarios)")
        if self.fx_units_per_base.ndim != 3 or self.fx_units_per_base.shape[0] != len(self.currencies):
            raise ValueError("fx_units_per_base must have shape (currencies, scenarios, periods)")
        if self.freight_multiplier is not None:
            _check_shape("freight_multiplier", self.freight_multiplier, self.lead_time_days.shape)
            if self.freight_multiplier.size and not float(self.freight_multiplier.min()) > 0:
                raise ValueError("freight_multiplier must be > 0 everywhere (a rate cannot vanish)")
            _freeze(self.freight_multiplier)
        _freeze(
            self.lead_time_days,
            self.capacity_factor,
            self.disrupted,
            self.shipment_arrival_days,
            self.fx_units_per_base,
        )

    def lane_index(self, lane_id: str) -> int:
        """Position of a lane on axis 0 of the lane arrays."""
        try:
            return self.lane_ids.index(lane_id)
        except ValueError:
            raise KeyError(f"lane {lane_id!r} is not in the scenario set") from None

    def freight(self, lane_id: str) -> np.ndarray | None:
        """[scenario, period] freight multipliers of a lane, or None when freight is at today's rate."""
        if self.freight_multiplier is None or lane_id not in self.lane_ids:
            return None
        return np.asarray(self.freight_multiplier[self.lane_ids.index(lane_id)])

    def currency_index(self, currency: str) -> int:
        """Position of a currency on axis 0 of ``fx_units_per_base``."""
        try:
            return self.currencies.index(currency)
        except ValueError:
            raise KeyError(f"currency {currency!r} is not in the scenario set") from None


@dataclass(frozen=True)
class ScenarioSet:
    """One chunk of the joint scenario set: demand of some item-locations, with the shared supply block.

    Attributes
    ----------
    seed:
        Seed the set was drawn from; with the snapshots it names, it reproduces the set exactly.
    as_of:
        First day of period 0.
    period_days:
        Length of a period in days (7 or 1).
    demand, supply:
        The blocks; their scenario and period axes agree.
    snapshots:
        Table name → SHA-256 of the snapshot each input came from (data lineage for explanations).
    """

    seed: int
    as_of: date
    period_days: int
    demand: DemandBlock
    supply: SupplyBlock
    snapshots: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        scen, horizon = self.demand.n_scenarios, self.demand.horizon
        if self.supply.lead_time_days.shape[1:] != (scen, horizon):
            raise ValueError(
                f"supply arrays have (scenarios, periods) = {self.supply.lead_time_days.shape[1:]}, "
                f"demand has ({scen}, {horizon})"
            )
        if self.supply.fx_units_per_base.shape[1:] != (scen, horizon):
            raise ValueError("fx_units_per_base must share the demand's (scenarios, periods)")
        if self.supply.shipment_arrival_days.shape[1] != scen and len(self.supply.shipment_ids):
            raise ValueError("shipment_arrival_days must share the demand's scenarios")

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios."""
        return self.demand.n_scenarios

    @property
    def horizon(self) -> int:
        """Number of periods."""
        return self.demand.horizon


class DemandPathSource(Protocol):
    """Anything that can draw demand scenarios for a chunk of item-locations (the demand engine does)."""

    def sample_block(
        self,
        item_ids: tuple[str, ...],
        location_ids: tuple[str, ...],
        *,
        n_scenarios: int,
        horizon: int,
        seed: int,
    ) -> DemandBlock:
        """Draw demand paths; must depend only on (seed, item-location), not on the chunk it is drawn in."""
        ...
