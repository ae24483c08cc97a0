"""What a simulation replays: realised demand, lead times and FX of a network, as arrays [item-location, period].

:class:`SimInputs` is the one input of the simulator. It is built from a workspace's frames by
:func:`hedgerow.sim.frames.inputs_from_frames` (or by hand in tests and benchmarks) and transformed by the stress
library (:mod:`hedgerow.sim.stress`), which replaces only the arrays a shock names.

Axes: ``il`` = item-location (a store's item, or the same item at the DC that feeds the store), ``T`` = period
(weeks or days), ``lane`` = transport lane, ``cur`` = currency (index 0 is the base currency), ``K`` = lane
options of an item-location (the primary, cheapest lane first).

The network is a forest: ``parent[il]`` is the item-location that ships to ``il`` (the same item at an upstream
location, e.g. a regional DC), or -1 when ``il`` buys from a supplier. Echelon 0 is customer-facing (nobody
orders from it); a DC that feeds stores is echelon 1, and so on.

Bundles are assembled to order, as the data contract says ("selling one bundle consumes qty_per_bundle of each
component"): a bundle item-location holds no stock and orders nothing; each unit of its demand is served by taking
``bom_qty`` units of every component at the same location. ``bom_bundle``, ``bom_component`` and ``bom_qty`` list
that bill of materials per item-location, one row per (bundle, component).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

import numpy as np

from hedgerow.sim.signals import ReplaySignals, decision_moment


class UnmetDemand(StrEnum):
    """What happens to demand that stock cannot meet in its period."""

    LOST = "lost"  # the customer buys elsewhere: the sale is lost
    BACKORDER = "backorder"  # the customer waits: the unit is owed and served first when stock arrives


@dataclass(frozen=True)
class SimInputs:
    """Everything a backtest replays. Arrays are made read-only on construction.

    Attributes
    ----------
    item_ids, location_ids:
        [il] the item-locations.
    item_class:
        [il] planning class of the item (A, B, C or a category): metrics are reported per class.
    region:
        [il] region of the location (demand shifts can be scoped to it).
    period_starts:
        [T] first day of each period.
    period_days:
        Length of a period (7 or 1 days).
    start:
        First simulated period; periods before it are the warm-up history policies may look at.
    demand:
        [il, T] realised external (customer) demand, units per period; 0 for pure DCs.
    parent:
        [il] index of the item-location that supplies ``il``, or -1 when it buys from a supplier.
    unit_cost:
        [il] purchase cost, units of ``currencies[cost_currency[il]]`` per unit.
    cost_currency, price_currency:
        [il] indices into ``currencies``.
    unit_price:
        [il] selling price, units of ``currencies[price_currency[il]]`` per unit; NaN where the item-location
        sells nothing to customers (a DC).
    holding_rate_per_year:
        [il] storage, handling, shrinkage *and* cost of capital, fraction of stock value per year.
    goodwill_multiplier:
        [il] long-term cost of a lost customer beyond this sale, × unit margin (hedgerow.toml [service]).
    lane_options:
        [il, K] lane indices an item-location can be replenished by, primary first; -1 pads.
    lane_ids, lane_origin, lane_destination, lane_mode:
        [lane] identity of each lane; origin is a supplier or a location.
    lane_ports:
        [lane] ports the lane passes through (UN/LOCODEs).
    lane_countries:
        [lane] countries of the lane's origin and destination (strikes are scoped by country).
    lane_nominal_days:
        [lane] planned transit time, days; known in advance.
    lane_lead_time_days:
        [lane, T] realised transit time of goods shipped at the start of each period, days.
    lane_capacity_factor:
        [lane, T] share of an order placed in the period that the lane (or its supplier) actually ships, in
        [0, 1]; the rest is cancelled.
    lane_cost_per_unit:
        [lane] transport cost, units of ``currencies[lane_currency[lane]]`` per unit.
    lane_currency:
        [lane] index into ``currencies``.
    currencies:
        Currencies; index 0 is the base currency every figure is reported in.
    fx_units_per_base:
        [cur, T] units of the currency per one unit of the base currency, rate at the period's start.
    drivers:
        Name → [il, T] planned values of demand drivers (price, promotion flags): known ahead of time, so a
        policy may see them up to ``driver_lookahead`` periods into the future.
    bom_bundle, bom_component, bom_qty:
        [bom] bill of materials per item-location: the bundle's row, a component's row at the same location, and
        the units of the component in one bundle. A bundle has no lane options, no parent and no stock.
    initial_on_hand:
        [il] units on hand at the start of period ``start``.
    initial_pipeline:
        [il, P] units arriving at the start of periods ``start``, ``start + 1``, ... (already in transit).
    driver_lookahead:
        How many periods ahead the planned driver values are known (0 = only the past).
    signals:
        The ``signals`` table replayed: a policy sees each signal from its ``observed_at`` on, never earlier
        (:mod:`hedgerow.sim.signals`; the decision moment of period ``t`` is :meth:`decision_moment`).
    """

    item_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    item_class: tuple[str, ...]
    region: tuple[str, ...]
    period_starts: tuple[date, ...]
    period_days: int
    start: int
    demand: np.ndarray
    parent: np.ndarray
    unit_cost: np.ndarray
    cost_currency: np.ndarray
    unit_price: np.ndarray
    price_currency: np.ndarray
    holding_rate_per_year: np.ndarray
    goodwill_multiplier: np.ndarray
    lane_options: np.ndarray
    lane_ids: tuple[str, ...]
    lane_origin: tuple[str, ...]
    lane_destination: tuple[str, ...]
    lane_mode: tuple[str, ...]
    lane_ports: tuple[tuple[str, ...], ...]
    lane_countries: tuple[tuple[str, ...], ...]
    lane_nominal_days: np.ndarray
    lane_lead_time_days: np.ndarray
    lane_capacity_factor: np.ndarray
    lane_cost_per_unit: np.ndarray
    lane_currency: np.ndarray
    currencies: tuple[str, ...]
    fx_units_per_base: np.ndarray
    initial_on_hand: np.ndarray
    initial_pipeline: np.ndarray
    drivers: dict[str, np.ndarray] = field(default_factory=dict)
    driver_lookahead: int = 0
    bom_bundle: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bom_component: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bom_qty: np.ndarray = field(default_factory=lambda: np.zeros(0))
    signals: ReplaySignals = field(default_factory=ReplaySignals.empty)

    def __post_init__(self) -> None:
        n, t = self.n_il, self.n_periods
        _expect("item_ids", len(self.item_ids), n)
        for name in ("location_ids", "item_class", "region"):
            _expect(name, len(getattr(self, name)), n)
        if self.period_days not in (1, 7):
            raise ValueError(f"period_days must be 7 or 1, got {self.period_days}")
        if not 0 <= self.start < t:
            raise ValueError(f"start must be a period index in [0, {t}), got {self.start}")
        _shape("demand", self.demand, (n, t))
        if self.demand.size and (not np.all(np.isfinite(self.demand)) or float(self.demand.min()) < 0):
            raise ValueError("demand must be finite and non-negative")
        for name in ("parent", "unit_cost", "cost_currency", "unit_price", "price_currency"):
            _shape(name, getattr(self, name), (n,))
        for name in ("holding_rate_per_year", "goodwill_multiplier", "initial_on_hand"):
            _shape(name, getattr(self, name), (n,))
        n_lanes = len(self.lane_ids)
        if self.lane_options.ndim != 2 or self.lane_options.shape[0] != n:
            raise ValueError(f"lane_options must have shape ({n}, K), got {self.lane_options.shape}")
        if self.lane_options.size and (self.lane_options.max() >= n_lanes or self.lane_options.min() < -1):
            raise ValueError(f"lane_options must hold lane indices in [0, {n_lanes}) or -1")
        self._check_bom()
        if n and np.any(self.lane_options[~self.assembled, 0] < 0):
            raise ValueError("every item-location but a bundle needs a primary lane (lane_options[:, 0] >= 0)")
        for name in ("lane_origin", "lane_destination", "lane_mode", "lane_ports", "lane_countries"):
            _expect(name, len(getattr(self, name)), n_lanes)
        for name in ("lane_nominal_days", "lane_cost_per_unit", "lane_currency"):
            _shape(name, getattr(self, name), (n_lanes,))
        _shape("lane_lead_time_days", self.lane_lead_time_days, (n_lanes, t))
        _shape("lane_capacity_factor", self.lane_capacity_factor, (n_lanes, t))
        if self.lane_lead_time_days.size and float(self.lane_lead_time_days.min()) < 0:
            raise ValueError("lane_lead_time_days must be non-negative")
        cap = self.lane_capacity_factor
        if cap.size and (float(cap.min()) < 0 or float(cap.max()) > 1):
            raise ValueError("lane_capacity_factor must lie in [0, 1]")
        _shape("fx_units_per_base", self.fx_units_per_base, (len(self.currencies), t))
        if self.fx_units_per_base.size and float(self.fx_units_per_base.min()) <= 0:
            raise ValueError("fx_units_per_base must be positive")
        if self.initial_pipeline.ndim != 2 or self.initial_pipeline.shape[0] != n:
            raise ValueError(f"initial_pipeline must have shape ({n}, P), got {self.initial_pipeline.shape}")
        for name, arr in self.drivers.items():
            _shape(f"drivers[{name!r}]", arr, (n, t))
        self._check_parents()
        for arr in self._arrays():
            arr.setflags(write=False)

    def _check_bom(self) -> None:
        m = self.bom_bundle.shape[0]
        if self.bom_component.shape != (m,) or self.bom_qty.shape != (m,):
            raise ValueError("bom_bundle, bom_component and bom_qty must have the same length")
        if not m:
            return
        n = self.n_il
        for name in ("bom_bundle", "bom_component"):
            arr = getattr(self, name)
            if arr.min() < 0 or arr.max() >= n:
                raise ValueError(f"{name} must hold item-location indices in [0, {n})")
        if float(self.bom_qty.min()) <= 0:
            raise ValueError("bom_qty must be positive")
        kits = np.unique(self.bom_bundle)
        if np.isin(self.bom_component, kits).any():
            raise ValueError("a bundle cannot be a component of another bundle")
        if np.any(self.lane_options[kits] >= 0) or np.any(self.parent[kits] >= 0):
            raise ValueError("a bundle is assembled from its components: it can have no lane options and no parent")
        for b, c in zip(self.bom_bundle, self.bom_component, strict=True):
            if self.location_ids[b] != self.location_ids[c]:
                raise ValueError(
                    f"bundle {self.item_ids[b]}@{self.location_ids[b]} takes its component {self.item_ids[c]} "
                    f"from {self.location_ids[c]}: components must be at the bundle's location"
                )

    def _check_parents(self) -> None:
        n = self.n_il
        if not n:
            return
        parent = self.parent
        if parent.min() < -1 or parent.max() >= n:
            raise ValueError(f"parent must hold item-location indices in [0, {n}) or -1")
        has_parent = np.flatnonzero(parent >= 0)
        for i in has_parent:
            if self.item_ids[parent[i]] != self.item_ids[i]:
                raise ValueError(
                    f"item-location {self.item_ids[i]}@{self.location_ids[i]} is supplied by "
                    f"{self.item_ids[parent[i]]}@{self.location_ids[parent[i]]}: a parent must hold the same item"
                )
        echelon_of(parent)  # raises on cycles

    def _arrays(self) -> list[np.ndarray]:
        out = [v for v in self.__dict__.values() if isinstance(v, np.ndarray)]
        return out + list(self.drivers.values())

    @property
    def n_il(self) -> int:
        """Number of item-locations."""
        return int(self.demand.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of periods, warm-up included."""
        return len(self.period_starts)

    @property
    def n_simulated(self) -> int:
        """Number of simulated periods (``n_periods - start``)."""
        return self.n_periods - self.start

    @property
    def assembled(self) -> np.ndarray:
        """[il] True for bundles (assembled from their components when sold)."""
        out = np.zeros(self.n_il, dtype=bool)
        out[self.bom_bundle] = True
        return out

    @property
    def echelon(self) -> np.ndarray:
        """[il] echelon: 0 = customer-facing (nobody orders from it), 1 = feeds echelon 0, ..."""
        return echelon_of(self.parent)

    def decision_moment(self, t: int) -> datetime:
        """When period ``t`` is decided: 00:00 UTC of its first day (naive UTC), the end of period ``t - 1``.

        The policy of period ``t`` sees the signals observed at or before this moment (:mod:`hedgerow.sim.signals`).
        """
        return decision_moment(self.period_starts[t])

    @property
    def base_currency(self) -> str:
        """The currency every figure is reported in."""
        return self.currencies[0]


def _expect(name: str, got: int, want: int) -> None:
    if got != want:
        raise ValueError(f"{name} must have {want} entries, got {got}")


def _shape(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")


def echelon_of(parent: np.ndarray) -> np.ndarray:
    """Echelon of every node of a forest given by ``parent`` (-1 = root).

    A node nobody orders from is echelon 0; otherwise it is one more than the highest echelon among its children.

    Raises
    ------
    ValueError
        When ``parent`` has a cycle.
    """
    n = parent.shape[0]
    echelon = np.zeros(n, dtype=np.int64)
    # walking up at most n steps from every node marks the height of each ancestor above the leaf
    current = np.arange(n)
    for step in range(1, n + 1):
        up = parent[current]
        alive = up >= 0
        if not alive.any():
            break
        current = np.where(alive, up, current)
        np.maximum.at(echelon, current[alive], step)
    else:
        if n and np.any(parent[current] >= 0):
            raise ValueError("parent must describe a forest: it has a cycle")
    return echelon


def lead_periods(lead_time_days: np.ndarray, period_days: int) -> np.ndarray:
    """Transit days → whole periods until the goods can be sold, rounding half up.

    Goods shipped at the start of period ``t`` with a transit of ``d`` days arrive at the start of period
    ``t + floor(d / period_days + 0.5)``: with weekly periods a 3-day truck arrives in time for the same week,
    a 4-to-10-day transit next week. A lead time of 0 periods means the goods are on the shelf before the
    period's demand.
    """
    return np.floor(np.asarray(lead_time_days, dtype=np.float64) / period_days + 0.5).astype(np.int64)


def take_item_locations(
    inputs: SimInputs,
    rows: np.ndarray,
    *,
    repeat: int = 1,
    detach: bool = False,
    demand: np.ndarray | None = None,
) -> SimInputs:
    """A copy of ``inputs`` restricted to the item-locations ``rows``, optionally repeated and cut loose.

    Parameters
    ----------
    rows:
        Indices of the item-locations to keep, in the new order.
    repeat:
        Stack ``repeat`` copies of the selection (copy ``r`` holds rows ``r·len(rows) … (r+1)·len(rows) − 1``);
        used to evaluate many candidate policies of the same series in one vectorised replay.
    detach:
        Make every kept item-location buy from its own lane as if it had no parent (its lane still applies its
        transit times and capacity). Without it, every parent of a kept row must be kept too.
    demand:
        [len(rows), T] customer demand to use instead of the original.
    """
    rows = np.asarray(rows, dtype=np.int64)
    m = rows.size

    def rep(a: np.ndarray) -> np.ndarray:
        picked = a[rows]
        return np.concatenate([picked] * repeat, axis=0) if repeat > 1 else picked.copy()

    def rep_t(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(values[i] for i in rows) * repeat

    kit_rows = np.isin(inputs.bom_bundle, rows)
    if detach:
        if kit_rows.any():
            raise ValueError("a bundle cannot be detached from its components; leave bundles out")
        parent = np.full(m * repeat, -1, dtype=np.int64)
        bom = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    else:
        new_index = np.full(inputs.n_il, -1, dtype=np.int64)
        new_index[rows] = np.arange(m)
        old = inputs.parent[rows]
        if np.any((old >= 0) & (new_index[np.maximum(old, 0)] < 0)):
            raise ValueError("every parent of a kept item-location must be kept (or pass detach=True)")
        local = np.where(old >= 0, new_index[np.maximum(old, 0)], -1)
        parent = np.concatenate([np.where(local >= 0, local + r * m, -1) for r in range(repeat)])
        comp = inputs.bom_component[kit_rows]
        if np.any(new_index[comp] < 0):
            raise ValueError("every component of a kept bundle must be kept")
        bundle_local, comp_local = new_index[inputs.bom_bundle[kit_rows]], new_index[comp]
        bom = (
            np.concatenate([bundle_local + r * m for r in range(repeat)]),
            np.concatenate([comp_local + r * m for r in range(repeat)]),
            np.tile(inputs.bom_qty[kit_rows], repeat),
        )
    if demand is None:
        new_demand = rep(inputs.demand)
    else:
        new_demand = np.concatenate([np.asarray(demand, dtype=np.float64)] * repeat, axis=0)
    return SimInputs(
        item_ids=rep_t(inputs.item_ids),
        location_ids=rep_t(inputs.location_ids),
        item_class=rep_t(inputs.item_class),
        region=rep_t(inputs.region),
        period_starts=inputs.period_starts,
        period_days=inputs.period_days,
        start=inputs.start,
        demand=new_demand,
        parent=parent,
        unit_cost=rep(inputs.unit_cost),
        cost_currency=rep(inputs.cost_currency),
        unit_price=rep(inputs.unit_price),
        price_currency=rep(inputs.price_currency),
        holding_rate_per_year=rep(inputs.holding_rate_per_year),
        goodwill_multiplier=rep(inputs.goodwill_multiplier),
        lane_options=rep(inputs.lane_options),
        lane_ids=inputs.lane_ids,
        lane_origin=inputs.lane_origin,
        lane_destination=inputs.lane_destination,
        lane_mode=inputs.lane_mode,
        lane_ports=inputs.lane_ports,
        lane_countries=inputs.lane_countries,
        lane_nominal_days=inputs.lane_nominal_days,
        lane_lead_time_days=inputs.lane_lead_time_days,
        lane_capacity_factor=inputs.lane_capacity_factor,
        lane_cost_per_unit=inputs.lane_cost_per_unit,
        lane_currency=inputs.lane_currency,
        currencies=inputs.currencies,
        fx_units_per_base=inputs.fx_units_per_base,
        initial_on_hand=rep(inputs.initial_on_hand),
        initial_pipeline=rep(inputs.initial_pipeline),
        drivers={name: rep(arr) for name, arr in inputs.drivers.items()},
        driver_lookahead=inputs.driver_lookahead,
        bom_bundle=bom[0],
        bom_component=bom[1],
        bom_qty=bom[2],
        signals=inputs.signals,
    )


def neutral_initial_state(
    demand: np.ndarray,
    parent: np.ndarray,
    nominal_lead_periods: np.ndarray,
    start: int,
    *,
    cover_periods: float = 2.0,
    window: int = 13,
    bom: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The same starting stock for every policy: ``cover_periods`` of recent mean demand on hand, and one period's
    mean demand arriving in each of the next ``nominal lead`` periods (a pipeline in steady state).

    The mean is taken over the ``window`` periods before ``start``; a DC's is the sum of those of the
    item-locations below it, a component's includes what the bundles it goes into take (``bom`` = bundle rows,
    component rows, quantities), and a bundle holds nothing. Returns ``(initial_on_hand [il], initial_pipeline
    [il, P])``.
    """
    n = demand.shape[0]
    recent = demand[:, max(0, start - window) : start]
    mean = recent.mean(axis=1) if recent.shape[1] else np.zeros(n)
    echelon = echelon_of(parent)
    flow = mean.copy()
    if bom is not None and bom[0].size:
        np.add.at(flow, bom[1], bom[2] * mean[bom[0]])
        flow[bom[0]] = 0.0
    for level in range(int(echelon.max(initial=0)) + 1):
        kids = np.flatnonzero((echelon == level) & (parent >= 0))
        if kids.size:
            np.add.at(flow, parent[kids], flow[kids])
    lead = np.maximum(np.asarray(nominal_lead_periods, dtype=np.int64), 0)
    width = int(lead.max(initial=0))
    pipeline = np.where(np.arange(width)[None, :] < lead[:, None], flow[:, None], 0.0)
    return flow * cover_periods, pipeline
