"""Demand scenarios for hedgerow's policy: the demand engine re-fitted on the past of each period.

Each period (or every ``refit_every`` periods) the demand each item-location has seen so far becomes a
:class:`~hedgerow.demand.series.SeriesPanel` and is fitted by :func:`~hedgerow.demand.engine.fit_demand` with a
fast configuration (three numpy families: SES and seasonal SES for smooth and TSB for intermittent series, chosen
per series by the engine's rolling-origin selection; the spike-or-shift sensor is off by default, see :class:`DemandSettings`;
docs/demand.md). Between two fits the cached fit is used for the later
periods of its horizon: at ``t = t_fit + a`` the paths of periods ``a .. a + H - 1`` of the fit are drawn.

What the engine sees is the view's customer demand: ``view.demand`` less the requests of the item-locations supplied
(a DC that only supplies stores has none: the planner puts its stores' demand on it, :mod:`hedgerow.plan.echelons`)
and the planned drivers ``view.known_ahead``. The signals of the view (those observed by the period's decision moment)
go to the engine as ``hedgerow plan`` passes the signals table: a ``sentiment`` signal on an item-location raises
the prior odds of a demand shift when the spike-or-shift sensor runs (off by default here, :class:`DemandSettings`;
with the sensor off the engine does not read them). A cached fit keeps the signals of its own period until the next
refit. A bundle
component's own series is its demand minus what the bundles took (``bom_qty`` × the bundle's demand); the planner's
model adds ``bom_qty`` × the bundle's paths back scenario by scenario (:func:`hedgerow.plan.build_model`), so it
knows which part of a component's demand comes from bundles and prices a lost unit at the bundle's margin.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from hedgerow.demand.drivers import DriverEffectsConfig
from hedgerow.demand.engine import EngineConfig, FittedDemand, fit_demand
from hedgerow.demand.models.base import FamilyName
from hedgerow.demand.selection import SelectionConfig
from hedgerow.demand.series import SeriesPanel
from hedgerow.scenarios.scenario_set import DemandBlock
from hedgerow.sim.history import HistoryView
from hedgerow.sim.policies.hedgerow.network import NetworkSpec

#: The families re-fitted every period: numpy families of the engine (milliseconds for thousands of series).
FAST_FAMILIES: tuple[FamilyName, ...] = (FamilyName.SES, FamilyName.SEASONAL_SES, FamilyName.TSB)


@dataclass(frozen=True)
class DemandSettings:
    """How hedgerow's policy fits demand during a replay.

    Attributes
    ----------
    families:
        Candidate families of the engine's selection.
    refit_every:
        Periods between two fits (1 = every period).
    history_periods:
        Most recent periods of history given to the engine (older ones are dropped for speed).
    shift_sensor:
        Run the spike-or-shift sensor. Off by default: on a clean step of demand (10 → 30 units a week) the
        sensor's mixture doubles the expected level for two periods once the first unusual period leaves its
        6-period window (the base model then already follows the new level, and the shifted component scales it
        by the ratio again: 66 instead of 30 units), and the planner buys that phantom demand.
    driver_effects:
        Measure what the planned drivers (prices, promotions) do to demand and use it (:mod:`hedgerow.demand.drivers`):
        the smoothing families fit de-promoted history and the paths carry next weeks' planned promotions. None
        leaves the drivers unread.
    """

    families: tuple[FamilyName, ...] = FAST_FAMILIES
    refit_every: int = 1
    history_periods: int = 104
    shift_sensor: bool = False
    driver_effects: DriverEffectsConfig | None = field(default_factory=DriverEffectsConfig)

    def __post_init__(self) -> None:
        if self.refit_every < 1:
            raise ValueError(f"refit_every must be at least 1 period, got {self.refit_every}")
        if self.history_periods < 8:
            raise ValueError(f"history_periods must be at least 8 periods, got {self.history_periods}")


def own_demand(view: HistoryView, network: NetworkSpec) -> np.ndarray:
    """[il, t] customer demand of each item-location, units: what it saw without the requests of the item-locations
    it supplies and without what bundles took from it (bundle components).

    The simulator's requests are the orders of the item-locations supplied (in the warm-up: their demand seen), so
    a DC that only supplies stores has no demand of its own.
    """
    seen = np.nan_to_num(np.asarray(view.demand, dtype=np.float64), nan=0.0)
    own = seen.copy()
    if network.bom_bundle.size:
        np.subtract.at(own, network.bom_component, network.bom_qty[:, None] * seen[network.bom_bundle])
    kids = np.flatnonzero(network.parent >= 0)
    if kids.size:
        start, done = view.start, view.orders.shape[1]
        asked = np.zeros_like(seen)
        np.add.at(asked[:, :start], network.parent[kids], seen[kids, :start])
        np.add.at(asked[:, start : start + done], network.parent[kids], np.asarray(view.orders)[kids])
        own -= asked
    return np.asarray(np.maximum(own, 0.0))


def _freq(period_days: int) -> tuple[str, int]:
    return ("W", 52) if period_days == 7 else ("D", 7)


def build_series_panel(view: HistoryView, network: NetworkSpec, history_periods: int) -> SeriesPanel:
    """The view's customer demand history (the last ``history_periods`` periods, :func:`own_demand`) and planned
    drivers as a panel."""
    y_all = own_demand(view, network)
    first = max(0, view.t - history_periods)
    y = y_all[:, first:]
    freq, season = _freq(network.period_days)
    start_day = pd.Timestamp(network.first_period) + pd.Timedelta(days=network.period_days * first)
    period = start_day.to_period(freq)
    offset = start_day - period.start_time
    names = tuple(sorted(view.known_ahead))
    n, hist = y.shape
    if names:
        stacked = np.stack([np.asarray(view.known_ahead[k], dtype=np.float64)[:, first:] for k in names], axis=2)
        fill = np.nanmedian(stacked[:, :hist], axis=1) if hist else np.zeros((n, len(names)))
        fill = np.nan_to_num(fill, nan=0.0)
        drivers = np.where(np.isnan(stacked), fill[:, None, :], stacked)
    else:
        drivers = np.zeros((n, hist, 0))
        fill = np.zeros((n, 0))
    is_count = np.all(np.abs(y - np.round(y)) < 1e-9, axis=1)
    return SeriesPanel(
        item_ids=network.item_ids,
        location_ids=network.location_ids,
        freq=freq,
        season_length=season,
        first_ordinal=int(period.ordinal),
        y=y,
        stockout=np.zeros_like(y),
        driver_names=names,
        drivers=drivers,
        driver_fill=fill,
        is_count=is_count,
        date_offset=pd.Timedelta(offset),
    )


class DemandCache:
    """The fit of the current run, re-used for ``refit_every`` periods (cleared by :meth:`clear`)."""

    def __init__(self, network: NetworkSpec, settings: DemandSettings, seed: int) -> None:
        self.network = network
        self.settings = settings
        self.seed = seed
        self.fit: FittedDemand | None = None
        self.fit_t = -1
        self.fits = 0

    def clear(self) -> None:
        """Forget the cached fit."""
        self.fit, self.fit_t, self.fits = None, -1, 0

    def fitted(self, view: HistoryView, horizon: int) -> tuple[FittedDemand, int]:
        """The fit to use at ``view.t`` and the offset ``a`` of period ``view.t`` in its horizon."""
        cfg = self.settings
        stale = self.fit is None or view.t - self.fit_t >= cfg.refit_every
        if not stale:
            assert self.fit is not None
            stale = view.t - self.fit_t + horizon > self.fit.horizon
        if stale:
            panel = build_series_panel(view, self.network, cfg.history_periods)
            engine = EngineConfig(
                horizon=horizon + cfg.refit_every - 1,
                families=cfg.families,
                selection=SelectionConfig(),
                censoring=False,
                drivers=cfg.driver_effects,
                seed=self.seed,
            )
            if not cfg.shift_sensor:
                engine = replace(engine, shift=None)
            self.fit = fit_demand(panel, engine, signals=view.signals)
            self.fit_t = view.t
            self.fits += 1
        assert self.fit is not None
        return self.fit, view.t - self.fit_t

    def sample(self, view: HistoryView, rows: np.ndarray, horizon: int, n_scenarios: int, seed: int) -> DemandBlock:
        """Demand paths [rows, scenario, horizon] for periods ``view.t .. view.t + horizon - 1``."""
        fit, a = self.fitted(view, horizon)
        items = tuple(self.network.item_ids[r] for r in rows)
        locs = tuple(self.network.location_ids[r] for r in rows)
        block = fit.sample_block(items, locs, n_scenarios=n_scenarios, horizon=a + horizon, seed=seed)
        if a == 0:
            return block
        return DemandBlock(
            item_ids=block.item_ids,
            location_ids=block.location_ids,
            paths=np.ascontiguousarray(block.paths[:, :, a:]),
            shift_probability=np.asarray(block.shift_probability),
            is_count=np.asarray(block.is_count),
        )
