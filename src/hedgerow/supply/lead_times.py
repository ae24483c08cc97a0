"""Lead times per lane and mode: empirical distributions pooled toward mode and origin (shrinkage).

Model
-----
For every delivered shipment *i* on lane *l*: transit ``T_i = delivered − ship`` and lateness
``L_i = delivered − eta`` in days (``eta − ship`` is the planned transit ``P_i``). Lateness is zero-inflated
and two-sided (early and late deliveries), so it is kept as an exact empirical distribution of whole days
(:class:`~hedgerow.supply.empirical.DiscreteDistribution`) rather than forced into a parametric family.

Pooling is a three-level hierarchy mode → (mode, origin group) → lane with the credibility weight of
Bühlmann (1967) / empirical-Bayes shrinkage::

    F_group = w_g F̂_group + (1 − w_g) F_mode,   w_g = n_g / (n_g + k)
    F_lane  = w_l F̂_lane  + (1 − w_l) F_group,  w_l = n_l / (n_l + k)

with ``k`` = :attr:`PoolingSettings.prior_shipments` pseudo-shipments. Lateness is pooled on the additive
day scale (a lane's own planned transit carries its length); a lane's transit distribution is the same
mixture of its own transit sample and its planned transit plus the parent's lateness.

Lanes without history fall back to ``lanes.transit_days`` plus the parent's lateness, then to the mode pool
(median planned transit of the mode plus the mode's lateness), then to :data:`DEFAULT_PLANNED_DAYS`.

Rows with ``delivered_date < ship_date`` or ``eta_date < ship_date`` are data-quality findings and are left
out (counted in :attr:`LeadTimeModel.excluded_rows`). Shipments without ``delivered_date`` are in transit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

from hedgerow.domain.enums import Mode
from hedgerow.supply.empirical import DiscreteDistribution
from hedgerow.supply.network import LaneInfo, LaneNetwork

#: Planned transit (days) per mode used only when neither the lane, its transit_days nor the mode has
#: any data. Assumptions (typical door-to-door times of intercontinental lanes), not calibrated.
DEFAULT_PLANNED_DAYS: dict[Mode, float] = {Mode.OCEAN: 35.0, Mode.AIR: 7.0, Mode.RAIL: 21.0, Mode.TRUCK: 4.0}

#: Lateness when a mode has no history at all: always on time (an assumption reported as source DEFAULT).
_ON_TIME = DiscreteDistribution.point(0.0)


class LeadTimeSource(StrEnum):
    """Where a lane's distribution came from."""

    LANE_HISTORY = "lane_history"
    TRANSIT_DAYS = "transit_days"
    MODE_POOL = "mode_pool"
    DEFAULT = "default"


@dataclass(frozen=True)
class PoolingSettings:
    """Settings of the lead-time fit.

    Attributes
    ----------
    prior_shipments:
        ``k`` in the credibility weight ``n / (n + k)``: how many shipments of its own a lane (or origin
        group) needs before its own history counts as much as its parent pool. Assumption: 20.
    late_tolerance_days:
        A shipment is late when ``delivered − eta`` exceeds this many days (0: any day late counts).
    """

    prior_shipments: float = 20.0
    late_tolerance_days: float = 0.0

    def __post_init__(self) -> None:
        if self.prior_shipments < 0:
            raise ValueError(f"prior_shipments must be >= 0, got {self.prior_shipments}")


@dataclass(frozen=True)
class ShipmentHistory:
    """Delivered shipments as arrays, one row per shipment (items of one shipment travel together)."""

    lane_id: np.ndarray
    transit_days: np.ndarray
    lateness_days: np.ndarray
    planned_days: np.ndarray
    excluded_rows: int

    @classmethod
    def from_frame(cls, shipments: pd.DataFrame) -> ShipmentHistory:
        """Delivered shipments of a contract ``shipments`` frame, bad-date rows excluded and counted."""
        delivered = shipments[shipments["delivered_date"].notna()]
        bad = (delivered["delivered_date"] < delivered["ship_date"]) | (delivered["eta_date"] < delivered["ship_date"])
        good = delivered[~bad.to_numpy(dtype=bool)]
        per_shipment = good.groupby(["shipment_id", "lane_id"], sort=True, observed=True).agg(
            ship=("ship_date", "min"), eta=("eta_date", "max"), delivered=("delivered_date", "max")
        )
        per_shipment = per_shipment.reset_index()
        day = np.timedelta64(1, "D")
        transit = (per_shipment["delivered"] - per_shipment["ship"]).to_numpy() / day
        planned = (per_shipment["eta"] - per_shipment["ship"]).to_numpy() / day
        return cls(
            lane_id=per_shipment["lane_id"].astype(str).to_numpy(),
            transit_days=transit.astype(float),
            lateness_days=(transit - planned).astype(float),
            planned_days=planned.astype(float),
            excluded_rows=int(bad.sum()),
        )


@dataclass(frozen=True)
class LaneLeadTime:
    """The fitted lead time of one lane.

    Attributes
    ----------
    lane_id, mode:
        The lane and its mode.
    planned_days:
        Planned transit in days (median of the lane's ``eta − ship``, else ``transit_days``, else the mode's).
    transit:
        Distribution of transit days (ship → delivered) in the normal (undisrupted) state.
    lateness:
        Distribution of ``delivered − eta`` in days.
    n_shipments:
        Delivered shipments of the lane behind the fit.
    own_weight:
        Credibility weight of the lane's own history (0 for lanes without history).
    source:
        Where the distribution came from.
    """

    lane_id: str
    mode: Mode
    planned_days: float
    transit: DiscreteDistribution
    lateness: DiscreteDistribution
    n_shipments: int
    own_weight: float
    source: LeadTimeSource
    late_tolerance_days: float = 0.0

    @property
    def median_days(self) -> float:
        """Median transit in days."""
        return float(self.transit.quantile(0.5))

    @property
    def p90_days(self) -> float:
        """90th percentile of transit in days."""
        return float(self.transit.quantile(0.9))

    @property
    def late_share(self) -> float:
        """Probability that a shipment arrives after its eta (plus the tolerance)."""
        return self.lateness.prob_greater(self.late_tolerance_days)

    @property
    def mean_delay_when_late_days(self) -> float:
        """Expected lateness in days given the shipment is late (0 when never late)."""
        late = self.lateness.conditional_above(self.late_tolerance_days)
        return 0.0 if late is None else late.mean()

    def remaining(self, elapsed_days: float, planned_days: float | None = None) -> DiscreteDistribution:
        """Remaining transit of a shipment in transit, given it has travelled ``elapsed_days`` without arriving.

        The shipment's total transit is ``P + L`` with ``P`` its own planned transit (``eta − ship``, or the
        lane's when unknown) and ``L`` the lane's lateness; conditioning on ``P + L > elapsed`` gives the
        remaining ``P + L − elapsed``. When history puts no mass beyond ``elapsed`` (the shipment is later than
        anything seen), the remaining time is the lane's mean delay when late (at least one day) beyond today:
        an assumption that says "late, by about as much as late shipments usually are".
        """
        p = self.planned_days if planned_days is None else planned_days
        cond = self.lateness.conditional_above(elapsed_days - p)
        if cond is None:
            return DiscreteDistribution.point(max(1.0, self.mean_delay_when_late_days))
        return cond.shift(p - elapsed_days)


def _clip_transit(dist: DiscreteDistribution) -> DiscreteDistribution:
    """Transit times cannot be negative: mass below 0 days is moved to 0."""
    return DiscreteDistribution.from_samples(np.maximum(dist.values, 0.0), dist.weights)


def _credibility(n: int, k: float) -> float:
    return 1.0 if k == 0 and n > 0 else n / (n + k) if n > 0 else 0.0


@dataclass(frozen=True)
class LeadTimeModel:
    """Fitted lead times of every lane in the network, with the pools they were shrunk toward."""

    lanes: Mapping[str, LaneLeadTime]
    mode_lateness: Mapping[Mode, DiscreteDistribution]
    mode_planned_days: Mapping[Mode, float]
    mode_shipments: Mapping[Mode, int]
    excluded_rows: int
    settings: PoolingSettings = field(default_factory=PoolingSettings)

    def lane(self, lane_id: str) -> LaneLeadTime:
        """The fitted lead time of a lane.

        Raises
        ------
        KeyError
            Naming the lane when it is not in the network.
        """
        try:
            return self.lanes[lane_id]
        except KeyError:
            raise KeyError(f"lane {lane_id!r} is not in the lanes table") from None

    def mode_summary(self) -> dict[Mode, dict[str, float]]:
        """Median and p90 of transit, late share and shipments per mode (pooled over its lanes' history)."""
        out: dict[Mode, dict[str, float]] = {}
        tol = self.settings.late_tolerance_days
        for mode, lateness in self.mode_lateness.items():
            transit = _clip_transit(lateness.shift(self.mode_planned_days[mode]))
            out[mode] = {
                "median_days": float(transit.quantile(0.5)),
                "p90_days": float(transit.quantile(0.9)),
                "late_share": lateness.prob_greater(tol),
                "p90_lateness_days": float(lateness.quantile(0.9)),
                "n_shipments": float(self.mode_shipments[mode]),
            }
        return out


def fit_lateness_pools(
    lateness_days: np.ndarray, groups: np.ndarray, prior_shipments: float, parent: DiscreteDistribution
) -> dict[str, tuple[DiscreteDistribution, int]]:
    """Shrink each group's empirical lateness toward ``parent``: ``w F̂_g + (1 − w) parent``, ``w = n/(n+k)``."""
    out: dict[str, tuple[DiscreteDistribution, int]] = {}
    for g in np.unique(groups):
        sample = lateness_days[groups == g]
        w = _credibility(sample.size, prior_shipments)
        own = DiscreteDistribution.from_samples(sample)
        out[str(g)] = (DiscreteDistribution.mixture([(w, own), (1.0 - w, parent)]), int(sample.size))
    return out


def fit_lead_times(
    network: LaneNetwork,
    shipments: pd.DataFrame | None,
    settings: PoolingSettings | None = None,
) -> LeadTimeModel:
    """Fit the lead time of every lane of ``network`` from the delivered shipments.

    Parameters
    ----------
    network:
        The lanes (mode, origin group, transit_days).
    shipments:
        Contract ``shipments`` frame (may be None or empty: every lane then falls back).
    settings:
        Pooling settings.
    """
    settings = settings or PoolingSettings()
    k = settings.prior_shipments
    if shipments is not None and len(shipments):
        hist = ShipmentHistory.from_frame(shipments)
    else:
        empty = np.array([], dtype=float)
        hist = ShipmentHistory(np.array([], dtype=str), empty, empty, empty, 0)
    known = np.isin(hist.lane_id, list(network.lanes))
    lane_of = hist.lane_id[known]
    lateness, transit, planned = hist.lateness_days[known], hist.transit_days[known], hist.planned_days[known]
    lane_mode = np.array([network.lanes[lane].mode.value for lane in lane_of], dtype=object)
    lane_group = np.array(
        [f"{network.lanes[lane].mode.value}|{network.lanes[lane].origin_group}" for lane in lane_of], dtype=object
    )

    all_lateness = DiscreteDistribution.from_samples(lateness) if lateness.size else _ON_TIME
    mode_lateness: dict[Mode, DiscreteDistribution] = {}
    mode_planned: dict[Mode, float] = {}
    mode_n: dict[Mode, int] = {}
    for mode in {lane.mode for lane in network.lanes.values()}:
        sel = lane_mode == mode.value
        mode_n[mode] = int(sel.sum())
        if sel.any():
            mode_lateness[mode] = DiscreteDistribution.from_samples(lateness[sel])
            mode_planned[mode] = float(np.median(planned[sel]))
        else:
            # no shipment of this mode: the lateness of all modes, shrunk toward on time
            mode_lateness[mode] = all_lateness if lateness.size else _ON_TIME
            mode_planned[mode] = DEFAULT_PLANNED_DAYS[mode]

    group_pools: dict[str, DiscreteDistribution] = {}
    for mode in mode_lateness:
        sel = np.array([g.startswith(f"{mode.value}|") for g in lane_group], dtype=bool)
        pools = fit_lateness_pools(lateness[sel], lane_group[sel], k, mode_lateness[mode])
        group_pools.update({g: d for g, (d, _n) in pools.items()})

    fitted: dict[str, LaneLeadTime] = {}
    for lane_id, info in network.lanes.items():
        fitted[lane_id] = _fit_lane(
            info,
            lane_of,
            lateness,
            transit,
            planned,
            group_pools.get(f"{info.mode.value}|{info.origin_group}", mode_lateness[info.mode]),
            mode_planned[info.mode],
            mode_n[info.mode] > 0,
            settings,
        )
    return LeadTimeModel(fitted, mode_lateness, mode_planned, mode_n, hist.excluded_rows, settings)


def _fit_lane(
    info: LaneInfo,
    lane_of: np.ndarray,
    lateness: np.ndarray,
    transit: np.ndarray,
    planned: np.ndarray,
    parent: DiscreteDistribution,
    mode_planned: float,
    mode_has_history: bool,
    settings: PoolingSettings,
) -> LaneLeadTime:
    sel = lane_of == info.lane_id
    n = int(sel.sum())
    tol = settings.late_tolerance_days
    if n:
        w = _credibility(n, settings.prior_shipments)
        p = float(np.median(planned[sel]))
        lat = DiscreteDistribution.mixture([(w, DiscreteDistribution.from_samples(lateness[sel])), (1 - w, parent)])
        trans = DiscreteDistribution.mixture(
            [(w, DiscreteDistribution.from_samples(transit[sel])), (1 - w, parent.shift(p))]
        )
        return LaneLeadTime(
            info.lane_id, info.mode, p, _clip_transit(trans), lat, n, w, LeadTimeSource.LANE_HISTORY, tol
        )
    if info.transit_days is not None:
        p, source = info.transit_days, LeadTimeSource.TRANSIT_DAYS
    else:
        p = mode_planned
        source = LeadTimeSource.MODE_POOL if mode_has_history else LeadTimeSource.DEFAULT
    return LaneLeadTime(info.lane_id, info.mode, p, _clip_transit(parent.shift(p)), parent, 0, 0.0, source, tol)


@dataclass(frozen=True)
class OpenShipment:
    """A shipment in transit at the as-of date."""

    shipment_id: str
    lane_id: str
    ship_date: date
    eta_date: date
    elapsed_days: float
    planned_days: float


def open_shipments(shipments: pd.DataFrame | None, as_of: date) -> list[OpenShipment]:
    """Shipments not yet delivered that left on or before ``as_of`` (one record per shipment id), sorted by id."""
    if shipments is None or not len(shipments):
        return []
    open_rows = shipments[shipments["delivered_date"].isna()]
    cutoff = pd.Timestamp(as_of)
    open_rows = open_rows[(open_rows["ship_date"] <= cutoff) & (open_rows["eta_date"] >= open_rows["ship_date"])]
    agg = open_rows.groupby("shipment_id", sort=True, observed=True).agg(
        lane_id=("lane_id", "first"), ship=("ship_date", "min"), eta=("eta_date", "max")
    )
    out = []
    for sid, row in agg.iterrows():
        ship, eta = pd.Timestamp(row["ship"]), pd.Timestamp(row["eta"])
        out.append(
            OpenShipment(
                shipment_id=str(sid),
                lane_id=str(row["lane_id"]),
                ship_date=ship.date(),
                eta_date=eta.date(),
                elapsed_days=float((cutoff - ship).days),
                planned_days=float((eta - ship).days),
            )
        )
    return out
