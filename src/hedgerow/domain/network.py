"""The network vocabulary: items, locations, suppliers, lanes, item-locations, and who supplies whom.

A :class:`Network` is read once from the contract tables (:func:`hedgerow.contract.network.network_from_frames`)
and is the only description of the network every other part uses: the planner's problem, the simulator's
inputs and the supply model's lane view are built on it, so a backtest plans exactly the network that
``hedgerow plan`` plans. Pure values: no pandas, no I/O.

**The sourcing rule** (docs/network.md), applied by :meth:`Network.build`:

1. *Item-locations* are the rows of ``item_locations`` (they sell the item), any pairs passed in besides (the
   simulator adds every pair with demand history), and the components of a bundle at every location that sells
   the bundle.
2. *The suppliers of an item* are its ``supplier_id`` and the suppliers it was shipped from before; when
   neither is known, any supplier.
3. An item-location **buys** on the lanes from its item's suppliers into its location (its *supply lanes*,
   cheapest first: cost per unit, then planned transit, then lane id).
4. An item-location with no such lane is **replenished by a location** — its *parent*: among the locations
   with a lane into it, the one fewest location → location hops away from a location the item's suppliers
   ship to (then the fastest, then the cheapest, then the lowest id); its supply lanes are the lanes from the
   parent. The parent becomes an item-location of the item too (an *implied* one, such as a distribution centre
   that ``item_locations`` does not list because it sells nothing), and is resolved the same way. A parent is
   always strictly closer to a supplier, so the parents form a forest whatever transfer lanes exist.
5. An item-location that neither rule reaches has no supply lane; planners say so ("no lane serves it").

Other location → location lanes between two item-locations of an item are *transfer* lanes (stock moved
sideways, between distribution centres or stores); a bundle is assembled where it is sold and is never bought.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from hedgerow.domain.enums import Mode


class OriginKind(StrEnum):
    """What a lane starts from: a supplier (orders) or a location (transfers)."""

    SUPPLIER = "supplier"
    LOCATION = "location"


@dataclass(frozen=True)
class Item:
    """One item of the catalogue.

    Attributes
    ----------
    item_id, name:
        Identifier and display name.
    item_class:
        Planning class; selects the service floor and goodwill multiplier.
    unit_cost:
        Purchase cost of one unit before transport, in ``cost_currency`` per unit.
    cost_currency:
        ISO 4217 code of ``unit_cost``.
    supplier_ids:
        Suppliers the item may be ordered from; empty = any supplier with a lane to the location.
    """

    item_id: str
    name: str
    item_class: str
    unit_cost: float
    cost_currency: str
    supplier_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (self.unit_cost >= 0 and math.isfinite(self.unit_cost)):
            raise ValueError(f"item {self.item_id}: unit_cost must be a finite number >= 0, got {self.unit_cost}")

    def buys_from(self, supplier_id: str) -> bool:
        """Whether the item may be ordered from ``supplier_id``."""
        return not self.supplier_ids or supplier_id in self.supplier_ids


@dataclass(frozen=True)
class Location:
    """A stocking location (a store, a warehouse, a distribution centre).

    Attributes
    ----------
    holding_cost_rate_per_year:
        Storage, handling, insurance and shrinkage as a share of stock value per year (cost of capital is added
        from the policy).
    capacity_units:
        Most units the location can hold (all items); None = unlimited.
    country:
        ISO 3166 alpha-2 country code ("" when unknown).
    """

    location_id: str
    name: str
    region: str
    currency: str
    holding_cost_rate_per_year: float
    capacity_units: float | None = None
    country: str = ""


@dataclass(frozen=True)
class Supplier:
    """A supplier: where orders are placed."""

    supplier_id: str
    name: str
    country: str = ""
    currency: str = ""


@dataclass(frozen=True)
class Lane:
    """A transport lane from a supplier or a location to a location, in one mode.

    Attributes
    ----------
    cost_per_unit, cost_currency:
        Transport cost of one unit, in ``cost_currency`` per unit.
    transit_days:
        Planned transit time (days); used when the scenario set has no lead-time paths for the lane.
    capacity_units_per_period:
        Most units the lane carries per period (all items); None = unlimited.
    min_order_qty:
        Smallest quantity of one item one order on the lane may carry (units, 0 = none).
    ports:
        UN/LOCODEs the lane passes through, for explanations.
    """

    lane_id: str
    origin_id: str
    origin_kind: OriginKind
    destination_id: str
    mode: Mode
    cost_per_unit: float
    cost_currency: str
    transit_days: float | None = None
    capacity_units_per_period: float | None = None
    min_order_qty: float = 0.0
    ports: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemLocation:
    """An item kept at a location.

    Attributes
    ----------
    unit_price, price_currency:
        Selling price of one unit; None for an *implied* item-location (a distribution centre that only
        supplies others).
    implied:
        True when the sourcing rule added it (a parent of item-locations that sell), False when it is listed in
        ``item_locations`` or passed in.
    """

    item_id: str
    location_id: str
    unit_price: float | None = None
    price_currency: str | None = None
    implied: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """``(item_id, location_id)``."""
        return (self.item_id, self.location_id)


@dataclass(frozen=True)
class BundleComponent:
    """One line of a bundle's bill of materials: selling one bundle consumes ``qty_per_bundle`` units."""

    bundle_item_id: str
    component_item_id: str
    qty_per_bundle: float


@dataclass(frozen=True)
class Network:
    """The network of a workspace and its sourcing (module docstring). Build it with :meth:`build`.

    Attributes
    ----------
    items, locations, suppliers, lanes, bundles:
        The catalogue and the physical network, as listed (items carry their resolved suppliers).
    item_locations:
        Every item-location, listed and implied, in the order of ``item_locations`` then the pairs passed in,
        then bundle components, then implied parents in the order they were found.
    parent:
        [item-location] index of the item-location that replenishes it, or -1 (it buys from suppliers, or
        nothing serves it).
    supply:
        [item-location] lane ids it is replenished on, primary first (supplier lanes, or lanes from its parent);
        empty for bundles and for item-locations nothing serves.
    """

    items: tuple[Item, ...]
    locations: tuple[Location, ...]
    suppliers: tuple[Supplier, ...]
    lanes: tuple[Lane, ...]
    bundles: tuple[BundleComponent, ...]
    item_locations: tuple[ItemLocation, ...]
    parent: tuple[int, ...]
    supply: tuple[tuple[str, ...], ...]

    @classmethod
    def build(
        cls,
        *,
        items: Iterable[Item],
        locations: Iterable[Location],
        suppliers: Iterable[Supplier],
        lanes: Iterable[Lane],
        item_locations: Iterable[ItemLocation],
        bundles: Iterable[BundleComponent] = (),
        extra_pairs: Iterable[tuple[str, str]] = (),
    ) -> Network:
        """Apply the sourcing rule (module docstring) to the listed network.

        Raises
        ------
        ValueError
            When item-locations, lanes or bundles name items or locations the catalogue lacks.
        """
        items_t, locs_t, lanes_t = tuple(items), tuple(locations), tuple(lanes)
        bundles_t = tuple(bundles)
        item_ids = {i.item_id for i in items_t}
        loc_ids = {loc.location_id for loc in locs_t}
        listed = list(item_locations)
        keys = [il.key for il in listed]
        seen = set(keys)
        for pair in extra_pairs:
            if pair not in seen:
                listed.append(ItemLocation(pair[0], pair[1]))
                keys.append(pair)
                seen.add(pair)
        recipes: dict[str, list[str]] = {}
        for b in bundles_t:
            recipes.setdefault(b.bundle_item_id, []).append(b.component_item_id)
        for bundle_id, loc in list(keys):
            for comp in recipes.get(bundle_id, ()):
                if (comp, loc) not in seen:
                    listed.append(ItemLocation(comp, loc))
                    keys.append((comp, loc))
                    seen.add((comp, loc))
        bad = [f"{i}@{loc}" for i, loc in keys if i not in item_ids or loc not in loc_ids]
        if bad:
            raise ValueError(f"item-locations name items or locations the catalogue lacks: {bad[:5]}")
        bad_lanes = [lane.lane_id for lane in lanes_t if lane.destination_id not in loc_ids]
        if bad_lanes:
            raise ValueError(f"lanes end at unknown locations: {bad_lanes[:5]}")
        sourcing = _Sourcing({i.item_id: i for i in items_t}, lanes_t, recipes, listed)
        for k in range(len(listed)):
            sourcing.resolve(k)
        return cls(
            items=items_t,
            locations=locs_t,
            suppliers=tuple(suppliers),
            lanes=lanes_t,
            bundles=bundles_t,
            item_locations=tuple(sourcing.ils),
            parent=tuple(sourcing.parent),
            supply=tuple(tuple(s) for s in sourcing.supply),
        )

    # ---- lookups -----------------------------------------------------------------------------------------
    @cached_property
    def index(self) -> Mapping[tuple[str, str], int]:
        """``(item_id, location_id)`` → position in :attr:`item_locations`."""
        return {il.key: k for k, il in enumerate(self.item_locations)}

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
    def _suppliers(self) -> dict[str, Supplier]:
        return {s.supplier_id: s for s in self.suppliers}

    def item(self, item_id: str) -> Item:
        """The item named ``item_id``."""
        return self._items[item_id]

    def location(self, location_id: str) -> Location:
        """The location named ``location_id``."""
        return self._locations[location_id]

    def lane(self, lane_id: str) -> Lane:
        """The lane named ``lane_id``."""
        return self._lanes[lane_id]

    def supplier(self, supplier_id: str) -> Supplier | None:
        """The supplier named ``supplier_id`` (None when the suppliers table does not list it)."""
        return self._suppliers.get(supplier_id)

    @cached_property
    def bundle_items(self) -> frozenset[str]:
        """Items that are bundles (assembled when sold, never stocked or bought)."""
        return frozenset(b.bundle_item_id for b in self.bundles)

    @cached_property
    def echelon(self) -> tuple[int, ...]:
        """[item-location] 0 for those nobody draws from, 1 for their parents, and so on up."""
        out = [0] * len(self.item_locations)
        for k in range(len(self.item_locations)):
            level, p = 0, self.parent[k]
            while p >= 0:
                level += 1
                out[p] = max(out[p], level)
                p = self.parent[p]
        return tuple(out)

    def children(self, k: int) -> tuple[int, ...]:
        """Item-locations whose parent is ``k``."""
        return tuple(c for c, p in enumerate(self.parent) if p == k)


@dataclass
class _Sourcing:
    """The sourcing rule at work (internal to :meth:`Network.build`)."""

    items: dict[str, Item]
    lanes: tuple[Lane, ...]
    recipes: dict[str, list[str]]
    ils: list[ItemLocation]
    index: dict[tuple[str, str], int] = field(init=False)
    parent: list[int] = field(init=False)
    supply: list[list[str]] = field(init=False)
    done: list[bool] = field(init=False)
    _hops: dict[tuple[str, ...], dict[str, int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {il.key: k for k, il in enumerate(self.ils)}
        self.parent = [-1] * len(self.ils)
        self.supply = [[] for _ in self.ils]
        self.done = [False] * len(self.ils)
        ordered = sorted(self.lanes, key=lambda ln: (ln.cost_per_unit, _transit(ln), ln.lane_id))
        self.into: dict[str, list[Lane]] = {}
        for lane in ordered:
            self.into.setdefault(lane.destination_id, []).append(lane)

    def _distance(self, item: Item) -> dict[str, int]:
        """Location → location hops from each location to the nearest one a supplier of ``item`` ships to."""
        key = item.supplier_ids
        if key in self._hops:
            return self._hops[key]
        dist = {
            ln.destination_id: 0
            for ln in self.lanes
            if ln.origin_kind is OriginKind.SUPPLIER and item.buys_from(ln.origin_id)
        }
        frontier = sorted(dist)
        internal = [ln for ln in self.lanes if ln.origin_kind is OriginKind.LOCATION]
        while frontier:
            nxt = []
            for origin in frontier:
                for ln in internal:
                    if ln.origin_id == origin and ln.destination_id not in dist:
                        dist[ln.destination_id] = dist[origin] + 1
                        nxt.append(ln.destination_id)
            frontier = sorted(set(nxt))
        self._hops[key] = dist
        return dist

    def resolve(self, k: int) -> None:
        """Give item-location ``k`` its supply lanes and parent, adding implied parents as needed."""
        if self.done[k]:
            return
        self.done[k] = True
        il = self.ils[k]
        if il.item_id in self.recipes:
            return  # a bundle is assembled where it is sold
        item = self.items[il.item_id]
        into = self.into.get(il.location_id, [])
        own = [ln for ln in into if ln.origin_kind is OriginKind.SUPPLIER and item.buys_from(ln.origin_id)]
        if own:
            self.supply[k] = [ln.lane_id for ln in own]
            return
        dist = self._distance(item)
        here = dist.get(il.location_id)
        closer = [
            ln
            for ln in into
            if ln.origin_kind is OriginKind.LOCATION
            and ln.origin_id in dist
            and (here is None or dist[ln.origin_id] < here)
        ]
        if not closer:
            return
        best = min(closer, key=lambda ln: (dist[ln.origin_id], _transit(ln), ln.cost_per_unit, ln.lane_id))
        origin = best.origin_id
        self.supply[k] = [ln.lane_id for ln in closer if ln.origin_id == origin]
        key = (il.item_id, origin)
        if key not in self.index:
            self.index[key] = len(self.ils)
            self.ils.append(ItemLocation(il.item_id, origin, implied=True))
            self.parent.append(-1)
            self.supply.append([])
            self.done.append(False)
        p = self.index[key]
        self.parent[k] = p
        self.resolve(p)


def _transit(lane: Lane) -> float:
    return lane.transit_days if lane.transit_days is not None else math.inf
