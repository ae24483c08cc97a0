"""Small synthetic planning instances, for tests and benchmarks (not a model of any real network).

:func:`scenario_set` wraps hand-made arrays into a :class:`~hedgerow.scenarios.scenario_set.ScenarioSet`;
:func:`random_instance` draws a random network (suppliers, locations, ocean / air / truck lanes, open shipments,
holds, optional bundles) with Poisson demand that may shift upward, lane disruptions that add days and cut
capacity, and a random-walk exchange rate. All randomness comes from
:func:`~hedgerow.scenarios.rng.stream_rng`, so an instance depends only on its seed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import numpy as np

from hedgerow.domain.enums import Mode
from hedgerow.domain.network import BundleComponent, Item, Lane, Location, OriginKind
from hedgerow.plan.problem import HoldSpec, ItemLocationSpec, OpenShipment, PlannerPolicy, PlanningProblem
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.scenarios.scenario_set import DemandBlock, ScenarioSet, SupplyBlock

AS_OF = date(2026, 1, 5)


def scenario_set(
    *,
    item_ids: Sequence[str],
    location_ids: Sequence[str],
    demand: np.ndarray,
    lanes: Mapping[str, np.ndarray] | None = None,
    capacity_factor: Mapping[str, np.ndarray] | None = None,
    disrupted: Mapping[str, np.ndarray] | None = None,
    shipments: Mapping[str, np.ndarray] | None = None,
    fx: Mapping[str, np.ndarray] | None = None,
    freight: Mapping[str, np.ndarray] | None = None,
    shift_probability: np.ndarray | None = None,
    is_count: bool = True,
    seed: int = 0,
    period_days: int = 7,
    as_of: date = AS_OF,
    snapshots: Mapping[str, str] | None = None,
) -> ScenarioSet:
    """Build a ScenarioSet from arrays.

    Parameters
    ----------
    demand:
        [il, S, T] units per period.
    lanes:
        lane id → [S, T] lead time days (a scalar broadcasts).
    capacity_factor, disrupted:
        lane id → [S, T]; default 1.0 and False.
    shipments:
        shipment id → [S] arrival days.
    fx:
        currency → [S, T] units per base unit.
    freight:
        lane id → [S, T] freight-rate multiplier (a scalar broadcasts); None = every lane at today's rate.
    """
    demand = np.asarray(demand, dtype=np.float64)
    n_il, n_s, horizon = demand.shape
    lanes = dict(lanes or {})
    lane_ids = tuple(lanes)
    lt = np.zeros((len(lane_ids), n_s, horizon))
    cf = np.ones_like(lt)
    dis = np.zeros(lt.shape, dtype=bool)
    for k, lid in enumerate(lane_ids):
        lt[k] = np.broadcast_to(np.asarray(lanes[lid], dtype=np.float64), (n_s, horizon))
        if capacity_factor and lid in capacity_factor:
            cf[k] = np.broadcast_to(capacity_factor[lid], (n_s, horizon))
        if disrupted and lid in disrupted:
            dis[k] = np.broadcast_to(disrupted[lid], (n_s, horizon))
    mult = None
    if freight is not None:
        mult = np.ones_like(lt)
        for k, lid in enumerate(lane_ids):
            if lid in freight:
                mult[k] = np.broadcast_to(np.asarray(freight[lid], dtype=np.float64), (n_s, horizon))
    shipments = dict(shipments or {})
    ship_ids = tuple(shipments)
    arr = np.zeros((len(ship_ids), n_s))
    for k, sid in enumerate(ship_ids):
        arr[k] = np.broadcast_to(np.asarray(shipments[sid], dtype=np.float64), (n_s,))
    fx = dict(fx or {})
    currencies = tuple(fx)
    fx_arr = np.ones((len(currencies), n_s, horizon))
    for k, cur in enumerate(currencies):
        fx_arr[k] = np.broadcast_to(fx[cur], (n_s, horizon))
    block = DemandBlock(
        item_ids=tuple(item_ids),
        location_ids=tuple(location_ids),
        paths=demand,
        shift_probability=np.zeros(n_il)
        if shift_probability is None
        else np.asarray(shift_probability, dtype=np.float64),
        is_count=np.full(n_il, is_count, dtype=bool),
    )
    supply = SupplyBlock(
        lane_ids=lane_ids,
        lead_time_days=lt,
        capacity_factor=cf,
        disrupted=dis,
        shipment_ids=ship_ids,
        shipment_arrival_days=arr,
        currencies=currencies,
        fx_units_per_base=fx_arr,
        freight_multiplier=mult,
    )
    return ScenarioSet(
        seed=seed, as_of=as_of, period_days=period_days, demand=block, supply=supply, snapshots=dict(snapshots or {})
    )


def random_instance(
    seed: int,
    *,
    n_items: int = 2,
    n_locations: int = 2,
    n_scenarios: int = 60,
    horizon: int = 8,
    moq: bool = False,
    bundles: bool = False,
    holds: bool = True,
    budget_share: float | None = None,
    policy: PlannerPolicy | None = None,
) -> tuple[PlanningProblem, ScenarioSet]:
    """A random small network and its scenarios.

    Parameters
    ----------
    seed:
        Instance seed (all draws derive from it).
    n_items, n_locations, n_scenarios, horizon:
        Sizes.
    moq:
        Give ocean lanes a minimum order quantity.
    bundles:
        Make the last item a bundle of the first two (needs ``n_items >= 3``).
    holds:
        Put a hold on some stock.
    budget_share:
        Set a total budget of this share of the capital the unconstrained plan would need (roughly: a share of
        one window of mean demand at cost); None = no budget.
    policy:
        Policy to start from (default: defaults with floors off, so the instance is about cost).
    """
    rng = stream_rng(seed, Stream.SIMULATION, "random-instance")
    pdays = 7
    locs = tuple(f"L{k}" for k in range(n_locations))
    regions = ("NA", "APAC", "EU")
    items = []
    for i in range(n_items):
        cost = float(rng.uniform(5, 50))
        items.append(Item(f"I{i}", f"Item {i}", str(rng.choice(["A", "B", "C"])), round(cost, 2), "USD", ("S1",)))
    bundle_ids: set[str] = set()
    bom: tuple[BundleComponent, ...] = ()
    if bundles and n_items >= 3:
        b = items[-1].item_id
        bundle_ids = {b}
        bom = (BundleComponent(b, items[0].item_id, 1.0), BundleComponent(b, items[1].item_id, 2.0))
    locations = tuple(
        Location(loc, f"Location {loc}", regions[k % 3], "USD", float(rng.uniform(0.1, 0.3)))
        for k, loc in enumerate(locs)
    )
    lane_specs: list[Lane] = []
    lane_lt: dict[str, np.ndarray] = {}
    lane_cf: dict[str, np.ndarray] = {}
    lane_dis: dict[str, np.ndarray] = {}
    for loc in locs:
        base = float(rng.uniform(18, 40))
        disrupted = rng.random((n_scenarios, 1)) < rng.uniform(0.05, 0.4)
        delay = np.where(disrupted, rng.uniform(5, 15), 0.0)
        ocean = f"OC-{loc}"
        lane_specs.append(
            Lane(
                ocean,
                "S1",
                OriginKind.SUPPLIER,
                loc,
                Mode.OCEAN,
                round(float(rng.uniform(0.3, 1.5)), 2),
                "USD",
                transit_days=base,
                min_order_qty=float(rng.integers(20, 80)) if moq else 0.0,
            )
        )
        lane_lt[ocean] = base + rng.gamma(4.0, 1.0, (n_scenarios, horizon)) + delay
        lane_cf[ocean] = np.where(disrupted, 0.6, 1.0) * np.ones((n_scenarios, horizon))
        lane_dis[ocean] = np.broadcast_to(disrupted, (n_scenarios, horizon))
        air = f"AIR-{loc}"
        lane_specs.append(
            Lane(
                air,
                "S1",
                OriginKind.SUPPLIER,
                loc,
                Mode.AIR,
                round(float(rng.uniform(3, 8)), 2),
                "USD",
                transit_days=5.0,
            )
        )
        lane_lt[air] = rng.uniform(3, 9, (n_scenarios, horizon))
    for a in locs:
        for b in locs:
            if a != b:
                lid = f"TR-{a}-{b}"
                lane_specs.append(
                    Lane(
                        lid,
                        a,
                        OriginKind.LOCATION,
                        b,
                        Mode.TRUCK,
                        round(float(rng.uniform(0.5, 2.5)), 2),
                        "USD",
                        transit_days=9.0,
                    )
                )
                lane_lt[lid] = rng.uniform(5, 14, (n_scenarios, horizon))
    ils: list[ItemLocationSpec] = []
    demand_rows: list[np.ndarray] = []
    d_items: list[str] = []
    d_locs: list[str] = []
    shifts: list[float] = []
    hold_specs: list[HoldSpec] = []
    ship_specs: list[OpenShipment] = []
    ship_days: dict[str, np.ndarray] = {}
    for item in items:
        for loc in locs:
            mean = float(rng.uniform(3, 25))
            p_shift = float(rng.uniform(0, 0.5))
            shifted = rng.random(n_scenarios) < p_shift
            level = np.where(shifted[:, None], 1.6, 1.0) * np.ones(horizon)[None, :]
            demand_rows.append(rng.poisson(mean * level, (n_scenarios, horizon)).astype(np.float64))
            d_items.append(item.item_id)
            d_locs.append(loc)
            shifts.append(p_shift)
            if item.item_id in bundle_ids:
                ils.append(ItemLocationSpec(item.item_id, loc, round(float(rng.uniform(150, 300)), 2), "USD"))
                continue
            on_hand = float(rng.integers(0, int(mean * 4) + 1))
            price = round(item.unit_cost * float(rng.uniform(1.3, 2.5)), 2)
            ils.append(ItemLocationSpec(item.item_id, loc, price, "USD", on_hand=on_hand))
            if holds and on_hand > 4 and rng.random() < 0.3:
                hold_specs.append(
                    HoldSpec(
                        f"H-{item.item_id}-{loc}",
                        item.item_id,
                        loc,
                        float(int(on_hand // 3)),
                        "planner",
                        "protective buffer",
                        date(2026, 3, 1),
                    )
                )
            if rng.random() < 0.6:
                sid = f"SH-{item.item_id}-{loc}"
                ship_specs.append(
                    OpenShipment(
                        sid,
                        item.item_id,
                        f"OC-{loc}",
                        float(rng.integers(5, int(mean * 3) + 6)),
                        expeditable=bool(rng.random() < 0.5),
                    )
                )
                ship_days[sid] = rng.uniform(3, 30) + rng.gamma(2.0, 2.0, n_scenarios)
    base_policy = policy or PlannerPolicy(service_floors={}, default_service_floor=0.0)
    if budget_share is not None:
        need = sum(
            it.unit_cost * float(np.mean(demand_rows[k])) * 3
            for k, it in enumerate(items[i // n_locations] for i in range(len(demand_rows)))
            if it.item_id not in bundle_ids
        )
        base_policy = replace(base_policy, budget_total=round(budget_share * need, 2))
    problem = PlanningProblem(
        base_currency="USD",
        items=tuple(items),
        locations=locations,
        item_locations=tuple(ils),
        lanes=tuple(lane_specs),
        shipments=tuple(ship_specs),
        holds=tuple(hold_specs),
        bundles=bom,
        supplier_names={"S1": "Supplier One"},
        policy=base_policy,
    )
    scen = scenario_set(
        item_ids=d_items,
        location_ids=d_locs,
        demand=np.stack(demand_rows),
        lanes=lane_lt,
        capacity_factor=lane_cf,
        disrupted=lane_dis,
        shipments=ship_days,
        shift_probability=np.array(shifts),
        seed=seed,
        period_days=pdays,
    )
    return problem, scen


def large_instance(
    seed: int,
    *,
    n_items: int = 2500,
    n_locations: int = 4,
    n_scenarios: int = 500,
    horizon: int = 26,
    policy: PlannerPolicy | None = None,
) -> tuple[PlanningProblem, ScenarioSet]:
    """A large random network for speed measurements: every item at every location, an ocean and an air lane
    from one supplier into each location, transfers between all locations, one open shipment per
    item-location, Poisson demand (float32 paths, as a demand engine would hand them over)."""
    rng = stream_rng(seed, Stream.SIMULATION, "large-instance")
    locs = tuple(f"L{k}" for k in range(n_locations))
    regions = ("NA", "APAC", "EU")
    cost = rng.uniform(5, 50, n_items).round(2)
    items = tuple(Item(f"I{i}", f"Item {i}", "ABC"[i % 3], float(cost[i]), "USD", ("S1",)) for i in range(n_items))
    locations = tuple(Location(loc, f"Location {loc}", regions[k % 3], "USD", 0.2) for k, loc in enumerate(locs))
    lanes: list[Lane] = []
    lt: dict[str, np.ndarray] = {}
    cf: dict[str, np.ndarray] = {}
    dis: dict[str, np.ndarray] = {}
    for loc in locs:
        hit = rng.random((n_scenarios, 1)) < 0.25
        lanes.append(Lane(f"OC-{loc}", "S1", OriginKind.SUPPLIER, loc, Mode.OCEAN, 1.0, "USD", transit_days=28.0))
        lt[f"OC-{loc}"] = 28.0 + rng.gamma(4.0, 1.0, (n_scenarios, horizon)) + np.where(hit, 9.0, 0.0)
        cf[f"OC-{loc}"] = np.where(hit, 0.7, 1.0) * np.ones((n_scenarios, horizon))
        dis[f"OC-{loc}"] = np.broadcast_to(hit, (n_scenarios, horizon))
        lanes.append(Lane(f"AIR-{loc}", "S1", OriginKind.SUPPLIER, loc, Mode.AIR, 6.0, "USD", transit_days=5.0))
        lt[f"AIR-{loc}"] = rng.uniform(3, 9, (n_scenarios, horizon))
    for a in locs:
        for b in locs:
            if a != b:
                lanes.append(Lane(f"TR-{a}-{b}", a, OriginKind.LOCATION, b, Mode.TRUCK, 1.5, "USD", transit_days=7.0))
                lt[f"TR-{a}-{b}"] = rng.uniform(4, 12, (n_scenarios, horizon))
    n_il = n_items * n_locations
    mean = rng.uniform(3, 30, n_il)
    shifted = rng.random((n_il, n_scenarios)) < rng.uniform(0, 0.4, (n_il, 1))
    lam = mean[:, None, None] * np.where(shifted, 1.5, 1.0)[:, :, None]
    demand = rng.poisson(np.broadcast_to(lam, (n_il, n_scenarios, horizon))).astype(np.float32)
    on_hand = rng.integers(0, (mean * 5).astype(np.int64) + 1)
    ils = []
    ships = []
    ship_days: dict[str, np.ndarray] = {}
    d_items, d_locs = [], []
    for i, item in enumerate(items):
        price = round(item.unit_cost * 1.8, 2)
        for k, loc in enumerate(locs):
            r = i * n_locations + k
            ils.append(ItemLocationSpec(item.item_id, loc, price, "USD", on_hand=float(on_hand[r])))
            sid = f"SH{r}"
            ships.append(
                OpenShipment(sid, item.item_id, f"OC-{loc}", float(round(mean[r] * 2) + 1), expeditable=r % 4 == 0)
            )
            d_items.append(item.item_id)
            d_locs.append(loc)
    arrivals = rng.uniform(2, 35, (n_il, 1)) + rng.gamma(2.0, 2.0, (n_il, n_scenarios))
    for r in range(n_il):
        ship_days[f"SH{r}"] = arrivals[r]
    problem = PlanningProblem(
        base_currency="USD",
        items=items,
        locations=locations,
        item_locations=tuple(ils),
        lanes=tuple(lanes),
        shipments=tuple(ships),
        supplier_names={"S1": "Supplier One"},
        policy=policy or PlannerPolicy(),
    )
    block = DemandBlock(
        item_ids=tuple(d_items),
        location_ids=tuple(d_locs),
        paths=demand,
        shift_probability=shifted.mean(axis=1),
        is_count=np.ones(n_il, dtype=bool),
    )
    lane_ids = tuple(lt)
    supply = SupplyBlock(
        lane_ids=lane_ids,
        lead_time_days=np.stack([lt[k] for k in lane_ids]),
        capacity_factor=np.stack([cf.get(k, np.ones((n_scenarios, horizon))) for k in lane_ids]),
        disrupted=np.stack([dis.get(k, np.zeros((n_scenarios, horizon), dtype=bool)) for k in lane_ids]),
        shipment_ids=tuple(ship_days),
        shipment_arrival_days=np.stack([ship_days[k] for k in ship_days]),
        currencies=(),
        fx_units_per_base=np.zeros((0, n_scenarios, horizon)),
    )
    scen = ScenarioSet(seed=seed, as_of=AS_OF, period_days=7, demand=block, supply=supply)
    return problem, scen
