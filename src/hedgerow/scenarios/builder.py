"""The joint assembler: one seeded :class:`ScenarioSet` per chunk of item-locations, one shared supply block.

Every draw comes from :func:`~hedgerow.scenarios.rng.stream_rng` keyed on what it is drawn for — a lane
(``Stream.LEAD_TIME``), a disruption regime (``Stream.DISRUPTION`` / ``Stream.CAPACITY``), an open shipment
(``Stream.IN_TRANSIT``), the FX bootstrap (``Stream.FX``) and each item-location (the demand source) — so a
chunk's numbers do not depend on the chunk size, on which worker draws it, or on how many workers there are.

Lead time of lane ``l`` in scenario ``s`` and period ``t`` (days)::

    LT[l, s, t] = F_l⁻¹(Φ(z[l, s, t])) + Σ_{regimes r over l} D_r[s, t] · delay_r[s]

``F_l`` is the lane's fitted normal-state transit distribution, ``z`` a Gaussian AR(1) across periods with
correlation :attr:`BuildSettings.lead_time_autocorrelation` (congestion and carrier schedules persist over
weeks), ``D_r`` the regime's disrupted state and ``delay_r`` its severity in that scenario. Capacity is the
product of the capacity factors of the disrupted regimes; ``disrupted`` is true when any regime is.

Freight of lane ``l`` (:mod:`hedgerow.supply.freight`) is ``cost_per_unit × M[l, s, t]``: a mean-reverting
lognormal spot-rate multiplier keyed on the lane and its mode (``Stream.FREIGHT``), raised by the mode's factor
while the lane is ``disrupted`` in the scenario, so dear freight and late goods come together.

An open shipment's arrival (days from the as-of date) is its conditional remaining transit
(:meth:`~hedgerow.supply.lead_times.LaneLeadTime.remaining`) plus the delay of every regime over its lane that is
disrupted in the period it would otherwise arrive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

import numpy as np
from scipy.special import ndtr

from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.scenarios.scenario_set import DemandPathSource, ScenarioSet, SupplyBlock
from hedgerow.supply.disruptions import draw_lane_disruptions
from hedgerow.supply.freight import sample_freight
from hedgerow.supply.fx import FxSettings, sample_fx_paths
from hedgerow.supply.model import SupplyModel

T = TypeVar("T")


@dataclass(frozen=True)
class BuildSettings:
    """How a scenario set is drawn.

    Attributes
    ----------
    n_scenarios:
        Joint scenarios (hedgerow.toml ``[risk] scenarios``).
    horizon:
        Periods (``[workspace] horizon_periods``).
    seed:
        Seed (``[risk] seed``).
    period_days:
        Days per period (7 or 1).
    chunk_size:
        Item-locations per chunk; bounds memory at ``chunk_size × n_scenarios × horizon`` demand cells.
    lead_time_autocorrelation:
        Period-to-period correlation of a lane's normal-state lead-time draws (assumption: 0.5).
    fx:
        FX bootstrap settings.
    uncertain_freight:
        Draw freight-rate multipliers (``[risk] uncertain_freight``); False = every lane at today's rate.
    """

    n_scenarios: int
    horizon: int
    seed: int
    period_days: int = 7
    chunk_size: int = 1000
    lead_time_autocorrelation: float = 0.5
    fx: FxSettings = field(default_factory=FxSettings)
    uncertain_freight: bool = True

    def __post_init__(self) -> None:
        for name in ("n_scenarios", "horizon", "chunk_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if not 0.0 <= self.lead_time_autocorrelation < 1.0:
            raise ValueError(f"lead_time_autocorrelation must be in [0, 1), got {self.lead_time_autocorrelation}")


def _ar1_uniforms(rng: np.random.Generator, n: int, horizon: int, rho: float) -> np.ndarray:
    eps = rng.standard_normal((n, horizon))
    z = np.empty_like(eps)
    z[:, 0] = eps[:, 0]
    scale = np.sqrt(1.0 - rho * rho)
    for t in range(1, horizon):
        z[:, t] = rho * z[:, t - 1] + scale * eps[:, t]
    return np.asarray(ndtr(z))


def build_supply_block(model: SupplyModel, settings: BuildSettings) -> SupplyBlock:
    """Draw the supply side of the scenario set: lanes, open shipments, FX (shared by every demand chunk)."""
    s_n, h = settings.n_scenarios, settings.horizon
    lane_ids = model.network.lane_ids
    lead = np.empty((len(lane_ids), s_n, h))
    row = {lane: i for i, lane in enumerate(lane_ids)}
    for i, lane in enumerate(lane_ids):
        u = _ar1_uniforms(stream_rng(settings.seed, Stream.LEAD_TIME, lane), s_n, h, settings.lead_time_autocorrelation)
        lead[i] = model.lead_times.lane(lane).transit.quantile(u)
    hit = draw_lane_disruptions(model.disruptions, lane_ids, seed=settings.seed, n_scenarios=s_n, horizon=h)
    extra, capacity, disrupted = hit.extra_delay_days, hit.capacity_factor, hit.disrupted
    lead += extra
    ships = [s for s in model.open_shipments if s.lane_id in row]
    arrivals = np.empty((len(ships), s_n))
    for k, ship in enumerate(ships):
        rem = model.lead_times.lane(ship.lane_id).remaining(ship.elapsed_days, ship.planned_days)
        u = stream_rng(settings.seed, Stream.IN_TRANSIT, ship.shipment_id).random(s_n)
        base = rem.quantile(u)
        period = np.minimum((base // settings.period_days).astype(int), h - 1)
        arrivals[k] = np.maximum(base + extra[row[ship.lane_id], np.arange(s_n), period], 0.0)
    fx = sample_fx_paths(
        model.fx_history,
        model.currencies,
        model.base_currency,
        seed=settings.seed,
        n_scenarios=s_n,
        horizon=h,
        period_days=settings.period_days,
        settings=settings.fx,
    )
    freight = None
    if settings.uncertain_freight and model.freight is not None:
        freight = sample_freight(
            model.freight, lane_ids, disrupted, seed=settings.seed, period_days=settings.period_days
        )
    return SupplyBlock(
        lane_ids=lane_ids,
        lead_time_days=lead,
        capacity_factor=np.clip(capacity, 0.0, 1.0),
        disrupted=disrupted,
        shipment_ids=tuple(s.shipment_id for s in ships),
        shipment_arrival_days=arrivals,
        currencies=model.currencies,
        fx_units_per_base=fx,
        lane_modes=tuple(model.network.lanes[lane].mode.value for lane in lane_ids),
        notes=model.notes(),
        freight_multiplier=freight,
    )


def chunks_of(item_locations: Sequence[tuple[str, str]], chunk_size: int) -> list[tuple[tuple[str, str], ...]]:
    """Item-locations cut into consecutive chunks of at most ``chunk_size`` (order kept)."""
    return [tuple(item_locations[i : i + chunk_size]) for i in range(0, len(item_locations), chunk_size)]


@dataclass(frozen=True)
class ChunkJob:
    """Everything one worker needs to draw one chunk (picklable)."""

    chunk: tuple[tuple[str, str], ...]
    supply: SupplyBlock | None
    demand_source: DemandPathSource
    settings: BuildSettings
    as_of_date: date
    snapshots: tuple[tuple[str, str], ...] = ()


#: The supply block of a worker process, set once by :func:`_init_worker` so jobs need not carry it.
_WORKER_SUPPLY: list[SupplyBlock] = []


def _init_worker(block: SupplyBlock) -> None:
    _WORKER_SUPPLY[:] = [block]


def draw_chunk(job: ChunkJob) -> ScenarioSet:
    """Draw the demand of one chunk and join it to the shared supply block (the job's, else the worker's)."""
    supply = job.supply if job.supply is not None else _WORKER_SUPPLY[0]
    items = tuple(i for i, _ in job.chunk)
    locs = tuple(loc for _, loc in job.chunk)
    demand = job.demand_source.sample_block(
        items, locs, n_scenarios=job.settings.n_scenarios, horizon=job.settings.horizon, seed=job.settings.seed
    )
    return ScenarioSet(
        seed=job.settings.seed,
        as_of=job.as_of_date,
        period_days=job.settings.period_days,
        demand=demand,
        supply=supply,
        snapshots=dict(job.snapshots),
    )


def iter_scenario_sets(
    model: SupplyModel,
    item_locations: Sequence[tuple[str, str]],
    demand_source: DemandPathSource,
    settings: BuildSettings,
    *,
    supply: SupplyBlock | None = None,
    snapshots: dict[str, str] | None = None,
) -> Iterator[ScenarioSet]:
    """Yield one :class:`ScenarioSet` per chunk of ``item_locations``, in order, sharing one supply block."""
    block = supply if supply is not None else build_supply_block(model, settings)
    snaps = tuple(sorted((snapshots or {}).items()))
    for chunk in chunks_of(item_locations, settings.chunk_size):
        yield draw_chunk(ChunkJob(chunk, block, demand_source, settings, model.as_of.date(), snaps))


@dataclass(frozen=True)
class _Reduce(Generic[T]):
    """A picklable 'draw a chunk, then reduce it' callable for worker processes."""

    reducer: Callable[[ScenarioSet], T]

    def __call__(self, job: ChunkJob) -> T:
        return self.reducer(draw_chunk(job))


def map_chunks(
    model: SupplyModel,
    item_locations: Sequence[tuple[str, str]],
    demand_source: DemandPathSource,
    settings: BuildSettings,
    reducer: Callable[[ScenarioSet], T],
    *,
    workers: int = 1,
) -> list[T]:
    """Draw every chunk and apply ``reducer`` to it, in ``workers`` processes; results in chunk order.

    The supply block is drawn once here and sent once to each worker; each worker draws the demand of its chunks.
    ``reducer`` and ``demand_source`` must be picklable (module-level) when ``workers > 1``. Results are the
    same for any ``workers`` and ``chunk_size`` because every draw is keyed, never positional.
    """
    block = build_supply_block(model, settings)
    chunks = chunks_of(item_locations, settings.chunk_size)
    as_of = model.as_of.date()
    if workers <= 1:
        return [reducer(draw_chunk(ChunkJob(c, block, demand_source, settings, as_of))) for c in chunks]
    # the supply block travels once per worker (initializer), not once per chunk
    jobs = [ChunkJob(c, None, demand_source, settings, as_of) for c in chunks]
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(block,)) as pool:
        return list(pool.map(_Reduce(reducer), jobs))
