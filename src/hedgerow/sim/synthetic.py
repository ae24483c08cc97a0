"""Small builders of :class:`SimInputs` without a workspace: textbook cases for tests, a store network for scale runs.

Everything is in one currency (``USD``, the base) unless stated; randomness comes from the ``rng`` passed in.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from hedgerow.domain.enums import Mode
from hedgerow.sim.inputs import SimInputs, lead_periods, neutral_initial_state

BASE = "USD"


def _periods(n: int, period_days: int, first: date = date(2024, 1, 1)) -> tuple[date, ...]:
    return tuple(first + timedelta(days=period_days * i) for i in range(n))


def _vec(value: float | np.ndarray, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()


def single_echelon(
    demand: np.ndarray,
    *,
    start: int,
    lead_time_days: float | np.ndarray = 7.0,
    unit_cost: float | np.ndarray = 10.0,
    unit_price: float | np.ndarray = 15.0,
    holding_rate_per_year: float | np.ndarray = 0.26,
    goodwill_multiplier: float | np.ndarray = 0.0,
    transport_per_unit: float = 0.0,
    capacity_factor: np.ndarray | None = None,
    period_days: int = 7,
    item_class: tuple[str, ...] | None = None,
    initial_on_hand: np.ndarray | None = None,
    initial_pipeline: np.ndarray | None = None,
    kits: dict[int, tuple[tuple[int, float], ...]] | None = None,
) -> SimInputs:
    """Independent item-locations, each bought from its own supplier lane (bundles: assembled from components).

    Parameters
    ----------
    demand:
        [il, T] customer demand, units per period.
    start:
        First simulated period.
    lead_time_days:
        Realised transit, days: a scalar, [T] (same for every lane) or [il, T].
    unit_cost, unit_price:
        Purchase cost and selling price, USD per unit (scalars or [il]).
    holding_rate_per_year, goodwill_multiplier:
        As in :class:`SimInputs` (scalars or [il]).
    transport_per_unit:
        Transport cost per unit on every lane, USD.
    capacity_factor:
        [il, T] share of each order that ships (default: all of it).
    initial_on_hand, initial_pipeline:
        Default: :func:`~hedgerow.sim.inputs.neutral_initial_state`.
    kits:
        Bundle row → ((component row, units per bundle), ...): those rows are bundles, assembled to order.
    """
    demand = np.asarray(demand, dtype=np.float64)
    n, t = demand.shape
    lt = np.broadcast_to(np.asarray(lead_time_days, dtype=np.float64), (n, t)).copy()
    nominal = np.median(lt, axis=1)
    parent = np.full(n, -1, dtype=np.int64)
    bom = [(b, c, q) for b, parts in (kits or {}).items() for c, q in parts]
    bom_arrays = (
        np.array([b for b, _c, _q in bom], dtype=np.int64),
        np.array([c for _b, c, _q in bom], dtype=np.int64),
        np.array([q for _b, _c, q in bom], dtype=np.float64),
    )
    options = np.arange(n, dtype=np.int64)[:, None].copy()
    options[bom_arrays[0]] = -1
    if initial_on_hand is None or initial_pipeline is None:
        oh0, pipe0 = neutral_initial_state(demand, parent, lead_periods(nominal, period_days), start, bom=bom_arrays)
        initial_on_hand = oh0 if initial_on_hand is None else initial_on_hand
        initial_pipeline = pipe0 if initial_pipeline is None else initial_pipeline
    items = tuple(f"I{i}" for i in range(n))
    return SimInputs(
        item_ids=items,
        location_ids=("L0",) * n,
        item_class=item_class or ("A",) * n,
        region=("R0",) * n,
        period_starts=_periods(t, period_days),
        period_days=period_days,
        start=start,
        demand=demand,
        parent=parent,
        unit_cost=_vec(unit_cost, n),
        cost_currency=np.zeros(n, dtype=np.int64),
        unit_price=_vec(unit_price, n),
        price_currency=np.zeros(n, dtype=np.int64),
        holding_rate_per_year=_vec(holding_rate_per_year, n),
        goodwill_multiplier=_vec(goodwill_multiplier, n),
        lane_options=options,
        lane_ids=tuple(f"LANE-{i}" for i in range(n)),
        lane_origin=tuple(f"SUP-{i}" for i in range(n)),
        lane_destination=("L0",) * n,
        lane_mode=(Mode.TRUCK.value,) * n,
        lane_ports=((),) * n,
        lane_countries=(("US", "US"),) * n,
        lane_nominal_days=nominal,
        lane_lead_time_days=lt,
        lane_capacity_factor=np.ones((n, t)) if capacity_factor is None else np.asarray(capacity_factor, float),
        lane_cost_per_unit=np.full(n, float(transport_per_unit)),
        lane_currency=np.zeros(n, dtype=np.int64),
        currencies=(BASE,),
        fx_units_per_base=np.ones((1, t)),
        initial_on_hand=np.asarray(initial_on_hand, dtype=np.float64),
        initial_pipeline=np.asarray(initial_pipeline, dtype=np.float64),
        bom_bundle=bom_arrays[0],
        bom_component=bom_arrays[1],
        bom_qty=bom_arrays[2],
    )


def store_network(
    rng: np.random.Generator,
    *,
    n_items: int,
    n_stores: int,
    n_dcs: int,
    n_periods: int,
    start: int,
    supplier_days: float = 12.0,
    store_days: float = 2.0,
) -> SimInputs:
    """A two-echelon network: every item at ``n_stores`` stores, each store behind one of ``n_dcs`` DCs, every DC
    buying from one supplier lane per DC. Weekly periods.

    Demand per store-item is negative binomial around a level that has yearly seasonality and occasional
    promotions (a ``promo`` driver, 1 in promoted weeks, lifting demand ×1.8). Supplier transit times are
    log-normal around ``supplier_days`` (coefficient of variation 0.35), DC → store transit is ``store_days``.
    Margins are 10–50 %; classes are A/B/C by item volume. Item-locations are ordered stores first, then DCs.
    """
    t = n_periods
    item_level = rng.lognormal(mean=2.2, sigma=0.9, size=n_items)
    store_scale = rng.lognormal(mean=0.0, sigma=0.4, size=n_stores)
    phase = rng.uniform(0, 2 * np.pi, size=n_items)
    weeks = np.arange(t)
    season = 1.0 + 0.2 * np.sin(2 * np.pi * weeks[None, :] / 52.0 + phase[:, None])  # [item, T]
    promo = (rng.random((n_items, n_stores, t)) < 0.06).astype(np.float64)
    mean = item_level[:, None, None] * store_scale[None, :, None] * season[:, None, :] * (1.0 + 0.8 * promo)
    dispersion = 4.0
    demand = rng.negative_binomial(dispersion, dispersion / (dispersion + mean)).astype(np.float64)
    n_store_il = n_items * n_stores
    store_dc = np.arange(n_stores) % n_dcs
    item_of_store_il = np.repeat(np.arange(n_items), n_stores)
    store_of_store_il = np.tile(np.arange(n_stores), n_items)
    n_il = n_store_il + n_items * n_dcs
    dc_il = n_store_il + item_of_store_il * n_dcs + store_dc[store_of_store_il]
    parent = np.concatenate([dc_il, np.full(n_items * n_dcs, -1)]).astype(np.int64)
    item_ids = tuple(f"SKU-{i:05d}" for i in item_of_store_il) + tuple(
        f"SKU-{i:05d}" for i in np.repeat(np.arange(n_items), n_dcs)
    )
    location_ids = tuple(f"S{s:03d}" for s in store_of_store_il) + tuple(
        f"DC{d}" for d in np.tile(np.arange(n_dcs), n_items)
    )
    full_demand = np.zeros((n_il, t))
    full_demand[:n_store_il] = demand.reshape(n_store_il, t)
    cost = rng.uniform(2.0, 40.0, size=n_items)
    margin = rng.uniform(0.10, 0.50, size=n_items)
    price = cost / (1.0 - margin)
    volume_rank = np.argsort(np.argsort(-item_level))
    klass = np.where(volume_rank < 0.2 * n_items, "A", np.where(volume_rank < 0.5 * n_items, "B", "C"))
    item_of_il = np.concatenate([item_of_store_il, np.repeat(np.arange(n_items), n_dcs)])
    is_dc = np.arange(n_il) >= n_store_il
    # lanes: one supplier → DC lane per DC, one DC → store lane per store
    lane_ids = tuple(f"SUP>DC{d}" for d in range(n_dcs)) + tuple(f"DC{store_dc[s]}>S{s:03d}" for s in range(n_stores))
    n_lanes = len(lane_ids)
    lanes_lt = np.empty((n_lanes, t))
    sigma = np.sqrt(np.log(1 + 0.35**2))
    lanes_lt[:n_dcs] = supplier_days * rng.lognormal(-(sigma**2) / 2, sigma, size=(n_dcs, t))
    lanes_lt[n_dcs:] = store_days
    nominal = np.array([supplier_days] * n_dcs + [store_days] * n_stores)
    dc_of_dc_il = np.tile(np.arange(n_dcs), n_items)
    lane_of_il = np.concatenate([n_dcs + store_of_store_il, dc_of_dc_il]).astype(np.int64)
    oh0, pipe0 = neutral_initial_state(full_demand, parent, lead_periods(nominal, 7)[lane_of_il], start)
    drivers = np.zeros((n_il, t))
    drivers[:n_store_il] = promo.reshape(n_store_il, t)
    return SimInputs(
        item_ids=item_ids,
        location_ids=location_ids,
        item_class=tuple(str(k) for k in klass[item_of_il]),
        region=tuple(f"R{store_dc[s]}" for s in store_of_store_il) + tuple(f"R{d}" for d in dc_of_dc_il),
        period_starts=_periods(t, 7),
        period_days=7,
        start=start,
        demand=full_demand,
        parent=parent,
        unit_cost=cost[item_of_il],
        cost_currency=np.zeros(n_il, dtype=np.int64),
        unit_price=np.where(is_dc, np.nan, price[item_of_il]),
        price_currency=np.zeros(n_il, dtype=np.int64),
        holding_rate_per_year=np.where(is_dc, 0.20, 0.28),
        goodwill_multiplier=np.full(n_il, 0.5),
        lane_options=lane_of_il[:, None],
        lane_ids=lane_ids,
        lane_origin=("SUP",) * n_dcs + tuple(f"DC{store_dc[s]}" for s in range(n_stores)),
        lane_destination=tuple(f"DC{d}" for d in range(n_dcs)) + tuple(f"S{s:03d}" for s in range(n_stores)),
        lane_mode=(Mode.OCEAN.value,) * n_dcs + (Mode.TRUCK.value,) * n_stores,
        lane_ports=(("CNSHA", "USLAX"),) * n_dcs + ((),) * n_stores,
        lane_countries=(("CN", "US"),) * n_dcs + (("US", "US"),) * n_stores,
        lane_nominal_days=nominal,
        lane_lead_time_days=lanes_lt,
        lane_capacity_factor=np.ones((n_lanes, t)),
        lane_cost_per_unit=np.array([0.3] * n_dcs + [0.1] * n_stores),
        lane_currency=np.zeros(n_lanes, dtype=np.int64),
        currencies=(BASE,),
        fx_units_per_base=np.ones((1, t)),
        initial_on_hand=oh0,
        initial_pipeline=pipe0,
        drivers={"promo": drivers},
        driver_lookahead=4,
    )
