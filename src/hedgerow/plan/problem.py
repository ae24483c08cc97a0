"""The planning problem: the current position and the policy, as frozen values.

A :class:`PlanningProblem` is everything the planner needs besides the scenarios: the catalogue, the network
(locations and lanes), the position (on hand, held, in transit), bundles, today's exchange rates, the data
lineage and the policy read from ``hedgerow.toml``. It is built by :func:`hedgerow.plan.adapter.problem_from_frames`
from the contract tables, or by hand in tests. Pure values: no pandas, no I/O.

Units are part of the names: quantities in units, money in the currency named next to it, rates per year,
times in days or periods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property

from hedgerow.config import OrderSettings, PlanSettings, Settings
from hedgerow.domain.enums import Mode
from hedgerow.domain.network import BundleComponent, Item, Lane, Location, OriginKind
from hedgerow.scenarios.rng import item_location_key

#: Speed rank of transport modes, fastest first; used to find expedite lanes (a faster mode on the same route).
MODE_SPEED_RANK: dict[Mode, int] = {Mode.AIR: 0, Mode.TRUCK: 1, Mode.RAIL: 2, Mode.OCEAN: 3}


@dataclass(frozen=True)
class ItemLocationSpec:
    """An item sold at a location, with its price and the stock there now.

    Attributes
    ----------
    unit_price, price_currency:
        Selling price of one unit, in ``price_currency`` per unit.
    on_hand:
        Units physically on hand now, including held units (units).
    last_order_qty:
        Units ordered for this item-location in the last period (for the bounded order change); None = unknown,
        which leaves the order change unbounded.
    sells:
        False for an item-location that sells nothing itself: a distribution centre that only supplies others
        (its price then stands for what its stores lose when it runs short) or a bundle component kept where the
        bundle sells.
    """

    item_id: str
    location_id: str
    unit_price: float
    price_currency: str
    on_hand: float = 0.0
    last_order_qty: float | None = None
    sells: bool = True

    def __post_init__(self) -> None:
        if not (self.on_hand >= 0 and math.isfinite(self.on_hand)):
            raise ValueError(f"{self.key}: on_hand must be a finite number >= 0 units, got {self.on_hand}")
        if self.last_order_qty is not None and not self.last_order_qty >= 0:
            raise ValueError(f"{self.key}: last_order_qty must be >= 0 units or None, got {self.last_order_qty}")

    @property
    def key(self) -> str:
        """``item_id@location_id``."""
        return item_location_key(self.item_id, self.location_id)


@dataclass(frozen=True)
class OpenShipment:
    """Units of one item in transit (or waiting to leave) on a lane.

    Attributes
    ----------
    qty:
        Units of the item in the shipment.
    eta_days:
        Planned arrival in days from the as-of date; used when the scenario set has no arrival paths for the
        shipment.
    expeditable:
        True when the goods have not left the origin yet and may still move to a faster lane.
    """

    shipment_id: str
    item_id: str
    lane_id: str
    qty: float
    eta_days: float | None = None
    expeditable: bool = False


@dataclass(frozen=True)
class HoldSpec:
    """Units a person keeps on purpose: counted in the position, never moved or sold off by the planner."""

    hold_id: str
    item_id: str
    location_id: str
    qty: float
    owner: str
    reason: str
    expires_at: date


@dataclass(frozen=True)
class DataSource:
    """Lineage of one input table, for the explanation's data-freshness block.

    Attributes
    ----------
    table:
        Contract table name.
    snapshot_sha256:
        Content hash of the snapshot used.
    imported_at:
        When the snapshot was imported (UTC); None when unknown.
    latest_record_at:
        The newest date in the data itself (latest count, rate, signal); None when the table has no date.
    stale_after_days:
        Age in days beyond which the data is stale (from ``[quality]``); None = never stale.
    """

    table: str
    snapshot_sha256: str
    imported_at: datetime | None = None
    latest_record_at: datetime | None = None
    stale_after_days: int | None = None


@dataclass(frozen=True)
class PlannerPolicy:
    """The settings the planner obeys, read from :class:`hedgerow.config.Settings` (no I/O).

    Attributes
    ----------
    service_floors, default_service_floor:
        Minimum probability of not running out over the protection window, per item class.
    goodwill_multipliers, default_goodwill_multiplier:
        Penalty of a lost sale beyond its margin, as a multiple of the unit margin, per item class.
    cvar_level, risk_aversion:
        Tail level α and weight w of the objective ``(1 - w) E[cost] + w CVaR_α[cost]``.
    cost_of_capital_per_year:
        Added to every location's holding rate and charged on stock in transit (fraction per year).
    budget_total, budget_per_region:
        Capital (base currency) all new orders, transfers and expedites may commit, in total and per region of
        the destination; ``inf`` = no limit.
    max_change_per_period:
        Largest change of an item-location's order quantity from the last period, as a share of its mean
        demand per period; ``inf`` = no limit.
    smoothing_periods:
        Order smoothing ``T`` (:mod:`hedgerow.plan.smoothing`): an order is the expected demand per period plus
        ``1/T`` of the rest of what the plan asks for, never below what a service floor needs; 1 = none.
    review_periods:
        Periods between two plans (R in the base-stock formula).
    leftover_value_fraction:
        Value of a unit left at the end of the evaluation window, as a share of its book cost.
    min_value, min_value_share:
        The materiality rule (:mod:`hedgerow.plan.materiality`): an action must bring at least the larger of
        ``min_value`` (base currency) and ``min_value_share`` of its capital; 0 and 0 = every action.
    """

    service_floors: Mapping[str, float] = field(default_factory=lambda: {"A": 0.98, "B": 0.95, "C": 0.90})
    default_service_floor: float = 0.90
    goodwill_multipliers: Mapping[str, float] = field(default_factory=lambda: {"A": 1.0, "B": 0.5, "C": 0.25})
    default_goodwill_multiplier: float = 0.25
    cvar_level: float = 0.95
    risk_aversion: float = 0.2
    cost_of_capital_per_year: float = 0.08
    budget_total: float = math.inf
    budget_per_region: Mapping[str, float] = field(default_factory=dict)
    max_change_per_period: float = OrderSettings.max_change_per_period  # the defaults of hedgerow.toml
    smoothing_periods: float = OrderSettings.smoothing_periods
    review_periods: int = 1
    leftover_value_fraction: float = 1.0
    min_value: float = PlanSettings.min_value
    min_value_share: float = PlanSettings.min_value_share

    def __post_init__(self) -> None:
        if not 0.0 <= self.risk_aversion <= 1.0:
            raise ValueError(f"risk_aversion must be in [0, 1], got {self.risk_aversion}")
        if not 0.0 < self.cvar_level < 1.0:
            raise ValueError(f"cvar_level must be in (0, 1), got {self.cvar_level}")
        if self.review_periods < 1:
            raise ValueError(f"review_periods must be >= 1, got {self.review_periods}")
        if not self.smoothing_periods >= 1.0:
            raise ValueError(f"smoothing_periods must be >= 1, got {self.smoothing_periods}")

    def margin_only(self) -> PlannerPolicy:
        """This policy without its guardrails and risk term: no service floors, no goodwill, risk-neutral — what
        an optimiser that only maximises expected margin does (the field story's baseline)."""
        return replace(
            self,
            service_floors={},
            default_service_floor=0.0,
            goodwill_multipliers={},
            default_goodwill_multiplier=0.0,
            risk_aversion=0.0,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> PlannerPolicy:
        """Read the planner's settings from a workspace's :class:`~hedgerow.config.Settings`."""
        return cls(
            service_floors=dict(settings.service.floors),
            default_service_floor=settings.service.default_floor,
            goodwill_multipliers=dict(settings.service.goodwill_multiplier),
            default_goodwill_multiplier=settings.service.default_goodwill_multiplier,
            cvar_level=settings.risk.cvar_level,
            risk_aversion=settings.risk.risk_aversion,
            cost_of_capital_per_year=settings.finance.cost_of_capital_per_year,
            budget_total=settings.finance.budget_total,
            budget_per_region=dict(settings.finance.budget_per_region),
            max_change_per_period=settings.orders.max_change_per_period,
            smoothing_periods=settings.orders.smoothing_periods,
            review_periods=settings.orders.review_periods,
            leftover_value_fraction=settings.finance.leftover_value_fraction,
            min_value=settings.plan.min_value,
            min_value_share=settings.plan.min_value_share,
        )

    def service_floor(self, item_class: str) -> float:
        """Service floor (probability) of an item class."""
        return float(self.service_floors.get(item_class, self.default_service_floor))

    def goodwill_multiplier(self, item_class: str) -> float:
        """Goodwill multiplier (× unit margin) of an item class."""
        return float(self.goodwill_multipliers.get(item_class, self.default_goodwill_multiplier))

    def floor_setting_name(self, item_class: str) -> str:
        """The hedgerow.toml key that sets the service floor of a class, for messages."""
        if item_class in self.service_floors:
            return f"[service] floors.{item_class}"
        return "[service] default_floor"


@dataclass(frozen=True)
class PlanningProblem:
    """Everything the planner needs besides the scenarios.

    Attributes
    ----------
    base_currency:
        Currency every cost is reported in.
    items, locations, item_locations, lanes:
        The catalogue and the network.
    shipments:
        Open shipments (in transit or waiting to leave).
    holds:
        Active holds; their units are counted in ``on_hand`` and never moved.
    bundles:
        Bills of materials; bundles are assembled when sold (they hold no stock of their own).
    fx_spot:
        Today's rate per currency, in units of the currency per one unit of the base currency; the base
        currency may be omitted (1.0).
    supplier_names:
        Display names of suppliers, for explanations.
    sources:
        Lineage of the input tables.
    policy:
        The settings the planner obeys.
    parents:
        ``(item_id, location_id, parent_location_id)`` of every item-location replenished by another location
        (a store by its distribution centre; the sourcing rule of :mod:`hedgerow.domain.network`); item-locations
        not listed buy from suppliers.
    """

    base_currency: str
    items: tuple[Item, ...]
    locations: tuple[Location, ...]
    item_locations: tuple[ItemLocationSpec, ...]
    lanes: tuple[Lane, ...] = ()
    shipments: tuple[OpenShipment, ...] = ()
    holds: tuple[HoldSpec, ...] = ()
    bundles: tuple[BundleComponent, ...] = ()
    fx_spot: Mapping[str, float] = field(default_factory=dict)
    supplier_names: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[DataSource, ...] = ()
    policy: PlannerPolicy = field(default_factory=PlannerPolicy)
    parents: tuple[tuple[str, str, str], ...] = ()

    def __post_init__(self) -> None:
        item_ids = {i.item_id for i in self.items}
        loc_ids = {loc.location_id for loc in self.locations}
        missing = [il.key for il in self.item_locations if il.item_id not in item_ids or il.location_id not in loc_ids]
        if missing:
            raise ValueError(f"item_locations name unknown items or locations: {missing[:5]}")
        keys = [il.key for il in self.item_locations]
        if len(set(keys)) != len(keys):
            raise ValueError("item_locations must be unique per item and location")
        lane_ids = {lane.lane_id for lane in self.lanes}
        bad = [s.shipment_id for s in self.shipments if s.lane_id not in lane_ids]
        if bad:
            raise ValueError(f"shipments travel on unknown lanes: {bad[:5]}")
        bad_dest = [lane.lane_id for lane in self.lanes if lane.destination_id not in loc_ids]
        if bad_dest:
            raise ValueError(f"lanes end at unknown locations: {bad_dest[:5]}")

    def fx(self, currency: str) -> float:
        """Today's units of ``currency`` per one unit of the base currency."""
        if currency == self.base_currency:
            return 1.0
        try:
            return float(self.fx_spot[currency])
        except KeyError:
            raise ValueError(
                f"no exchange rate for {currency} against {self.base_currency}; fx_spot has {sorted(self.fx_spot)}"
            ) from None

    def item(self, item_id: str) -> Item:
        """The item named ``item_id``."""
        return self._items[item_id]

    def location(self, location_id: str) -> Location:
        """The location named ``location_id``."""
        return self._locations[location_id]

    def lane(self, lane_id: str) -> Lane:
        """The lane named ``lane_id``."""
        return self._lanes[lane_id]

    def origin_name(self, lane: Lane) -> str:
        """Display name of a lane's origin (supplier or location)."""
        if lane.origin_kind is OriginKind.LOCATION and lane.origin_id in self._locations:
            return self._locations[lane.origin_id].name
        return self.supplier_names.get(lane.origin_id, lane.origin_id)

    @cached_property
    def _items(self) -> dict[str, Item]:
        return {i.item_id: i for i in self.items}

    @cached_property
    def _locations(self) -> dict[str, Location]:
        return {loc.location_id: loc for loc in self.locations}

    @cached_property
    def _lanes(self) -> dict[str, Lane]:
        return {lane.lane_id: lane for lane in self.lanes}

    @cached_property
    def _parent(self) -> dict[tuple[str, str], str]:
        return {(i, loc): p for i, loc, p in self.parents}

    def parent_of(self, item_id: str, location_id: str) -> str | None:
        """The location that replenishes an item-location, or None when it buys from suppliers."""
        return self._parent.get((item_id, location_id))

    def held_units(self, item_id: str, location_id: str) -> float:
        """Units under active holds at an item-location."""
        return float(sum(h.qty for h in self.holds if h.item_id == item_id and h.location_id == location_id))

    def bundle_items(self) -> set[str]:
        """Items that are bundles (assembled from components when sold)."""
        return {b.bundle_item_id for b in self.bundles}

    def item_groups(self) -> list[tuple[str, ...]]:
        """Items that must be planned together: an item with all bundles it is part of and their components.

        The planner is a pure function over such groups (a partition of items); everything else couples
        groups only through shared constraints (budgets, lane and warehouse capacity).
        """
        parent = {i.item_id: i.item_id for i in self.items}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for b in self.bundles:
            if b.bundle_item_id in parent and b.component_item_id in parent:
                ra, rb = find(b.bundle_item_id), find(b.component_item_id)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        groups: dict[str, list[str]] = {}
        for i in self.items:
            groups.setdefault(find(i.item_id), []).append(i.item_id)
        return [tuple(sorted(g)) for _, g in sorted(groups.items())]
