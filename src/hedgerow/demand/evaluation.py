"""forecast-eval: the engine and three statsforecast baselines on the same rolling origins.

At each origin (the last one ``horizon`` periods before the end of the history, earlier ones ``step`` periods
apart) every method sees only the history before the origin (drivers keep their recorded values, standing in
for the plan of the time) and forecasts ``horizon`` periods. Scores (:mod:`hedgerow.demand.metrics`):

* scaled pinball loss over the SPL levels (M5 scaling), per series, averaged over series and origins;
* CRPS, approximated for every method alike as twice the mean pinball loss over the 19 levels 0.05 .. 0.95
  (Gneiting & Raftery 2007, eq. 21 discretised), in units; the engine's exact CRPS is reported beside it;
* coverage of the central 50/80/95 % intervals, pooled over all scored periods. For counts the closed
  interval [q_lo, q_hi] of a calibrated forecast covers more than its nominal share (the end points carry
  mass: with 75 % zeros the 10 % quantile is 0 and every zero is covered), so the engine's report adds the
  randomized-PIT coverage (Czado, Gneiting & Held 2009), which is exactly nominal for calibrated count
  forecasts;
* bias: mean of (forecast mean - actual), in units, and relative to the actual total.

Baselines, each as a competent forecaster runs it: ``SeasonalNaive(season_length)`` and
``AutoETS(season_length)`` with their own Gaussian intervals, ``CrostonSBA`` with conformal intervals
``ConformalIntervals(h=horizon, n_windows=w)`` whose calibration windows are chosen from the history: as many
non-overlapping windows of ``horizon`` periods as the longest scored series holds before the origin, between 2
(statsforecast's minimum) and :data:`MAX_CONFORMAL_WINDOWS` (:func:`conformal_windows`; a shorter series uses
the windows it has). Two windows calibrate an 80 % interval on two errors per step and leave it too narrow
(0.654 coverage on unseen data where ten windows gave 0.772). Their negative quantiles are clipped to zero
(demand cannot be negative; this only helps them).

When the caller names no horizon, origins or step, :func:`fit_to_history` chooses them from the history's length
(the report says so): the horizon shrinks only when the history cannot hold one origin, and the step halves when
that gives two origins where one would fit. Every method is scored on the same series: those with at least
``max(2 * horizon + 1, season_length)`` known periods, some demand and a positive M5 scale before the origin
(what the baselines need: a full season for SeasonalNaive, ``2 h + 1`` points for the conformal Croston). Censored periods (stockout_fraction > 0) are not scored: their demand is unknown.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.demand.bundles import BundleLinks
from hedgerow.demand.engine import EngineConfig, fit_demand
from hedgerow.demand.metrics import INTERVALS, SPL_LEVELS, interval_levels, m5_scale, nanmean, pinball, scaled_pinball
from hedgerow.demand.series import SeriesPanel
from hedgerow.errors import DemandDataError

#: Levels of the quantile approximation of the CRPS.
CRPS_LEVELS: tuple[float, ...] = tuple(round(0.05 * k, 2) for k in range(1, 20))

ENGINE = "hedgerow"
BASELINES = ("SeasonalNaive", "AutoETS", "CrostonSBA")
#: Fewest and most conformal calibration windows of the CrostonSBA baseline (statsforecast needs two).
MIN_CONFORMAL_WINDOWS, MAX_CONFORMAL_WINDOWS = 2, 10
#: Origins forecast-eval uses when the history holds them and the caller names none.
DEFAULT_ORIGINS = 3


@dataclass(frozen=True)
class Windows:
    """Horizon, origins and step of an evaluation, and whether they were chosen from the history's length."""

    horizon: int
    origins: int
    step: int
    chosen: bool
    history: int

    def describe(self) -> str:
        """E.g. ``horizon 26, 2 origins 13 apart (chosen from 104 periods of history)``."""
        apart = f" {self.step} apart" if self.origins > 1 else ""
        text = f"horizon {self.horizon}, {self.origins} origin{'s' if self.origins != 1 else ''}{apart}"
        return text + (f" (chosen from {self.history} periods of history)" if self.chosen else "")


def periods_before_origin(horizon: int, season: int) -> int:
    """Known periods a series needs before an origin to be scored: ``2 h + 1`` (the conformal Croston) and a full
    season (SeasonalNaive)."""
    return max(2 * horizon + 1, season)


def _origins_that_fit(t_len: int, horizon: int, step: int, season: int) -> int:
    """How many origins ``step`` apart leave :func:`periods_before_origin` before the first (0 when none)."""
    room = t_len - horizon - periods_before_origin(horizon, season)
    return 0 if room < 0 else 1 + room // step


def fit_to_history(
    t_len: int,
    *,
    default_horizon: int,
    season: int = 1,
    horizon: int | None = None,
    origins: int | None = None,
    step: int | None = None,
) -> Windows:
    """Horizon, origins and step for a history of ``t_len`` periods; what the caller names is kept as named.

    Unnamed values are chosen so the evaluation runs: the horizon is ``default_horizon`` unless the history cannot
    hold one origin with :func:`periods_before_origin` periods before it (then the longest that fits); the step is
    the horizon, or half of it when that fits two origins where the full step fits one; origins are as many as
    fit, at most :data:`DEFAULT_ORIGINS`. Named values that do not fit are left for :func:`evaluate` to refuse.
    """
    h = horizon if horizon is not None else max(1, min(default_horizon, (t_len - 1) // 3, t_len - season))
    k = origins
    st = step
    if st is None:
        st = h
        if k is None and _origins_that_fit(t_len, h, h, season) < 2 <= _origins_that_fit(
            t_len, h, max(1, h // 2), season
        ):
            st = max(1, h // 2)
        elif k is not None and k > 1 and _origins_that_fit(t_len, h, h, season) < k:
            st = max(1, (t_len - h - periods_before_origin(h, season)) // (k - 1))
    if k is None:
        k = max(1, min(DEFAULT_ORIGINS, _origins_that_fit(t_len, h, st, season)))
    chosen = horizon is None or origins is None or step is None
    return Windows(horizon=h, origins=k, step=st, chosen=chosen, history=t_len)


def conformal_windows(lengths: np.ndarray, horizon: int) -> int:
    """Calibration windows of the conformal CrostonSBA: as many as the longest series holds, within bounds."""
    most = int((lengths.max() - 1) // horizon) if lengths.size else MIN_CONFORMAL_WINDOWS
    return max(MIN_CONFORMAL_WINDOWS, min(MAX_CONFORMAL_WINDOWS, most))


@dataclass(frozen=True)
class EvalConfig:
    """Settings of a forecast evaluation.

    Attributes
    ----------
    horizon:
        Periods forecast from each origin.
    origins:
        Number of rolling origins.
    step:
        Periods between origins (default: ``horizon``, non-overlapping windows).
    levels:
        Quantile levels of the scaled pinball loss.
    intervals:
        Central intervals whose coverage is reported, in percent.
    baselines:
        Run the statsforecast baselines.
    run_engine:
        Run the hedgerow engine (False scores the baselines alone, e.g. to cache them).
    baseline_jobs:
        Processes statsforecast may use for the baselines.
    baseline_models:
        Which of :data:`BASELINES` to run (default: all).
    conformal_windows:
        Calibration windows of the conformal CrostonSBA; None chooses them from the history
        (:func:`conformal_windows`).
    engine:
        Engine settings (its horizon is replaced by ``horizon``).
    """

    horizon: int = 13
    origins: int = 3
    step: int | None = None
    levels: tuple[float, ...] = SPL_LEVELS
    intervals: tuple[int, ...] = INTERVALS
    baselines: bool = True
    run_engine: bool = True
    baseline_jobs: int = 1
    baseline_models: tuple[str, ...] = BASELINES
    conformal_windows: int | None = None
    engine: EngineConfig = field(default_factory=EngineConfig)

    def __post_init__(self) -> None:
        if not (self.baselines or self.run_engine):
            raise DemandDataError("nothing to evaluate: both the engine and the baselines are switched off")
        if self.horizon < 1 or self.origins < 1 or (self.step is not None and self.step < 1):
            raise DemandDataError(
                f"horizon, origins and step must be positive, got {self.horizon}, {self.origins}, {self.step}"
            )
        bad = [q for q in self.levels if not 0.0 < q < 1.0]
        if bad:
            raise DemandDataError(f"quantile levels must lie strictly between 0 and 1, got {bad}")
        bad_i = [p for p in self.intervals if not 0 < p < 100]
        if bad_i:
            raise DemandDataError(f"intervals must be percentages between 0 and 100, got {bad_i}")
        unknown = [m for m in self.baseline_models if m not in BASELINES]
        if unknown:
            raise DemandDataError(f"unknown baselines {unknown}; the baselines are {', '.join(BASELINES)}")
        if self.conformal_windows is not None and self.conformal_windows < MIN_CONFORMAL_WINDOWS:
            raise DemandDataError(
                f"conformal_windows must be at least {MIN_CONFORMAL_WINDOWS}, got {self.conformal_windows}"
            )


@dataclass(frozen=True)
class MethodScore:
    """Scores of one method over every origin and series scored."""

    name: str
    spl: float
    spl_median: float
    spl_by_origin: tuple[float, ...]
    crps: float
    coverage: dict[int, float]
    bias: float
    relative_bias: float
    seconds: float
    crps_exact: float | None = None
    pit_coverage: dict[int, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {
            "spl": self.spl,
            "spl_median": self.spl_median,
            "spl_by_origin": list(self.spl_by_origin),
            "crps": self.crps,
            "coverage": {str(k): v for k, v in self.coverage.items()},
            "bias": self.bias,
            "relative_bias": self.relative_bias,
            "seconds": self.seconds,
        }
        if self.crps_exact is not None:
            out["crps_exact"] = self.crps_exact
        if self.pit_coverage is not None:
            out["pit_coverage"] = {str(k): v for k, v in self.pit_coverage.items()}
        return out


@dataclass(frozen=True)
class EvalReport:
    """Outcome of ``forecast-eval``."""

    config: EvalConfig
    origins: tuple[int, ...]
    origin_dates: tuple[str, ...]
    n_series: int
    n_scored: tuple[int, ...]
    methods: tuple[MethodScore, ...]
    engine_selection: tuple[dict[str, object], ...]
    conformal_windows: tuple[int, ...] = ()

    def method(self, name: str) -> MethodScore:
        """Scores of one method by name."""
        for m in self.methods:
            if m.name == name:
                return m
        raise KeyError(name)

    @property
    def best_baseline(self) -> MethodScore | None:
        """The baseline with the lowest SPL (None without baselines)."""
        base = [m for m in self.methods if m.name != ENGINE and np.isfinite(m.spl)]
        return min(base, key=lambda m: m.spl) if base else None

    def improvement(self) -> float | None:
        """Relative SPL reduction of the engine against the best baseline (0.25 = 25 % lower)."""
        best = self.best_baseline
        if best is None or not any(m.name == ENGINE for m in self.methods):
            return None
        return 1.0 - self.method(ENGINE).spl / best.spl

    def verdict(self) -> str | None:
        """The engine against the best baseline in words: ``SPL 21.1 % lower (better) than CrostonSBA's``."""
        gain, best = self.improvement(), self.best_baseline
        if gain is None or best is None:
            return None
        if abs(gain) < 0.0005:
            return f"SPL equal to {best.name}'s (the best baseline)"
        word = "lower (better)" if gain > 0 else "higher (worse)"
        return f"SPL {abs(gain):.1%} {word} than {best.name}'s (the best baseline)"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        best = self.best_baseline
        return {
            "horizon": self.config.horizon,
            "origins": list(self.origins),
            "origin_dates": list(self.origin_dates),
            "step": self.config.step or self.config.horizon,
            "levels": list(self.config.levels),
            "intervals": list(self.config.intervals),
            "n_series": self.n_series,
            "n_scored": list(self.n_scored),
            "methods": {m.name: m.to_dict() for m in self.methods},
            "best_baseline": best.name if best else None,
            "improvement_vs_best_baseline": self.improvement(),
            "verdict": self.verdict(),
            "conformal_windows": list(self.conformal_windows),
            "engine_selection": list(self.engine_selection),
        }


@dataclass
class _Collector:
    """Accumulates per-origin scores of one method."""

    spl: list[np.ndarray] = field(default_factory=list)
    crps: list[np.ndarray] = field(default_factory=list)
    crps_exact: list[np.ndarray] = field(default_factory=list)
    pit: list[np.ndarray] = field(default_factory=list)
    inside: dict[int, list[np.ndarray]] = field(default_factory=dict)
    error: list[np.ndarray] = field(default_factory=list)
    actual: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0


def _all_levels(config: EvalConfig) -> np.ndarray:
    levels = set(config.levels) | set(interval_levels(config.intervals)) | set(CRPS_LEVELS)
    return np.asarray(sorted(round(q, 6) for q in levels))


def _score(
    store: _Collector,
    config: EvalConfig,
    levels: np.ndarray,
    quantiles: np.ndarray,
    mean: np.ndarray,
    actual: np.ndarray,
    scale: np.ndarray,
) -> None:
    def at(q: float) -> np.ndarray:
        return quantiles[:, :, int(np.argmin(np.abs(levels - q)))]

    spl_q = np.stack([at(q) for q in config.levels], axis=2)
    store.spl.append(scaled_pinball(actual, spl_q, config.levels, scale))
    crps_q = np.stack([at(q) for q in CRPS_LEVELS], axis=2)
    store.crps.append(2.0 * pinball(actual, crps_q, CRPS_LEVELS).mean(axis=1))
    known = ~np.isnan(actual)
    for p in config.intervals:
        tail = (1.0 - p / 100.0) / 2.0
        inside = (actual >= at(tail) - 1e-9) & (actual <= at(1.0 - tail) + 1e-9)
        store.inside.setdefault(p, []).append(inside[known])
    store.error.append((mean - actual)[known])
    store.actual.append(actual[known])


def _summary(name: str, store: _Collector, intervals: tuple[int, ...]) -> MethodScore:
    spl_all = np.concatenate(store.spl) if store.spl else np.zeros(0)
    errors = np.concatenate(store.error) if store.error else np.zeros(0)
    actual = np.concatenate(store.actual) if store.actual else np.zeros(0)
    coverage = {
        p: float(np.concatenate(store.inside[p]).mean()) if store.inside.get(p) else float("nan") for p in intervals
    }
    return MethodScore(
        name=name,
        spl=nanmean(spl_all),
        spl_median=float(np.median(spl_all[np.isfinite(spl_all)])) if np.isfinite(spl_all).any() else float("nan"),
        spl_by_origin=tuple(nanmean(s) for s in store.spl),
        crps=nanmean(np.concatenate(store.crps)) if store.crps else float("nan"),
        coverage=coverage,
        bias=float(errors.mean()) if errors.size else float("nan"),
        relative_bias=float(errors.sum() / actual.sum()) if actual.size and actual.sum() > 0 else float("nan"),
        seconds=store.seconds,
        crps_exact=nanmean(np.concatenate(store.crps_exact)) if store.crps_exact else None,
        pit_coverage=_pit_coverage(np.concatenate(store.pit), intervals) if store.pit else None,
    )


def _pit_coverage(pit: np.ndarray, intervals: tuple[int, ...]) -> dict[int, float]:
    """Share of randomized PIT values inside each central interval: the calibration of count forecasts."""
    out = {}
    for p in intervals:
        tail = (1.0 - p / 100.0) / 2.0
        out[p] = float(np.mean((pit >= tail) & (pit <= 1.0 - tail))) if pit.size else float("nan")
    return out


def _baseline_quantiles(
    history: np.ndarray,
    rows: np.ndarray,
    horizon: int,
    season: int,
    levels: np.ndarray,
    config: EvalConfig,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, float], int]:
    """Quantiles [series, period, level] and means of the three baselines for the given rows, their seconds, and
    the conformal windows CrostonSBA used."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, CrostonSBA, SeasonalNaive
    from statsforecast.utils import ConformalIntervals

    y = np.nan_to_num(history[rows], nan=0.0)
    known = ~np.isnan(history[rows])
    start = np.where(known.any(axis=1), known.argmax(axis=1), history.shape[1])
    ids = np.concatenate([np.full(history.shape[1] - s, k) for k, s in enumerate(start)])
    ds = np.concatenate([np.arange(s, history.shape[1]) for s in start])
    values = np.concatenate([y[k, s:] for k, s in enumerate(start)])
    frame = pd.DataFrame({"unique_id": ids, "ds": ds, "y": values})
    sf_levels = sorted({round(abs(2.0 * q - 1.0) * 100) for q in levels if abs(q - 0.5) > 1e-9})
    windows = config.conformal_windows or conformal_windows(history.shape[1] - start, horizon)
    every: dict[str, Any] = {
        "SeasonalNaive": lambda: SeasonalNaive(season_length=season),
        "AutoETS": lambda: AutoETS(season_length=season),
        "CrostonSBA": lambda: CrostonSBA(prediction_intervals=ConformalIntervals(h=horizon, n_windows=windows)),
    }
    models = {name: every[name]() for name in config.baseline_models}
    jobs = config.baseline_jobs
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    seconds: dict[str, float] = {}
    for name, model in models.items():
        began = time.perf_counter()
        sf = StatsForecast(models=[model], freq=1, n_jobs=jobs)
        with warnings.catch_warnings():
            # short-history and constant-series warnings of statsforecast; such series give NaN and are dropped
            warnings.simplefilter("ignore")
            fc = pd.DataFrame(sf.forecast(h=horizon, df=frame, level=sf_levels)).sort_values(["unique_id", "ds"])
        seconds[name] = time.perf_counter() - began
        n = rows.size
        mean = fc[name].to_numpy(np.float64).reshape(n, horizon)
        q = np.empty((n, horizon, levels.size))
        for j, level in enumerate(levels):
            if abs(level - 0.5) < 1e-9:
                q[:, :, j] = mean
                continue
            width = round(abs(2.0 * level - 1.0) * 100)
            side = "hi" if level > 0.5 else "lo"
            q[:, :, j] = fc[f"{name}-{side}-{width}"].to_numpy(np.float64).reshape(n, horizon)
        out[name] = (np.maximum(q, 0.0), np.maximum(mean, 0.0))
    return out, seconds, windows


def evaluate(
    panel: SeriesPanel,
    config: EvalConfig | None = None,
    *,
    bundles: BundleLinks | None = None,
    signals: pd.DataFrame | None = None,
) -> EvalReport:
    """Run the rolling-origin evaluation of the engine and the baselines (see module doc).

    Raises
    ------
    DemandDataError
        When the history is too short for the requested origins and horizon.
    """
    cfg = config or EvalConfig()
    h = cfg.horizon
    step = cfg.step or h
    t_len = panel.n_periods
    origins = tuple(t_len - h - k * step for k in reversed(range(cfg.origins)))
    needed = periods_before_origin(h, panel.season_length)
    if origins[0] < needed:
        raise DemandDataError(
            f"the history has {t_len} periods: too short for {cfg.origins} origins {step} periods apart with a "
            f"horizon of {h} (each origin needs at least {needed} periods before it: 2 x horizon + 1 and a season "
            f"of {panel.season_length}); use fewer --origins, a shorter --horizon, or leave them out to have them "
            "chosen from the history"
        )
    levels = _all_levels(cfg)
    engine_cfg = replace(cfg.engine, horizon=h)
    stores: dict[str, _Collector] = {ENGINE: _Collector()} if cfg.run_engine else {}
    if cfg.baselines:
        stores.update({name: _Collector() for name in cfg.baseline_models})
    n_scored: list[int] = []
    windows_used: list[int] = []
    selections: list[dict[str, object]] = []
    scored_actual = np.where(panel.stockout > 0, np.nan, panel.y)
    for origin in origins:
        history = panel.y[:, :origin]
        known = (~np.isnan(history)).sum(axis=1)
        scale = m5_scale(history)
        actual_all = scored_actual[:, origin : origin + h]
        rows = np.flatnonzero(
            (known >= needed)
            & (np.nansum(history, axis=1) > 0)
            & np.isfinite(scale)
            & (scale > 0)
            & (~np.isnan(actual_all)).any(axis=1)
        )
        fit = None
        if cfg.run_engine:
            began = time.perf_counter()
            fit = fit_demand(panel.truncate(origin), engine_cfg, bundles=bundles, signals=signals)
            engine_q = fit.quantiles(levels)
            engine_mean = fit.expected()
            stores[ENGINE].seconds += time.perf_counter() - began
            selections.append({"origin": origin, **fit.selection})
        baseline: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if cfg.baselines and rows.size:
            baseline, seconds, windows = _baseline_quantiles(history, rows, h, panel.season_length, levels, cfg)
            windows_used.append(windows)
            for name, s in seconds.items():
                stores[name].seconds += s
        common = np.ones(rows.size, dtype=bool)
        for q, _ in baseline.values():
            common &= np.isfinite(q).all(axis=(1, 2))
        rows_c = rows[common]
        n_scored.append(int(rows_c.size))
        actual, sc = actual_all[rows_c], scale[rows_c]
        if fit is not None:
            _score(stores[ENGINE], cfg, levels, engine_q[rows_c], engine_mean[rows_c], actual, sc)
            table = fit.predictive.rows(rows_c).cdf_table(fit.is_count[rows_c])
            stores[ENGINE].crps_exact.append(np.nanmean(table.crps(actual), axis=1) if rows_c.size else np.zeros(0))
            jitter = np.random.default_rng(np.random.SeedSequence([origin, 99])).random(actual.shape)
            pit = table.pit(actual, jitter)
            stores[ENGINE].pit.append(pit[~np.isnan(actual)])
        for name, (q, mean) in baseline.items():
            _score(stores[name], cfg, levels, q[common], mean[common], actual, sc)
    methods = tuple(_summary(name, store, cfg.intervals) for name, store in stores.items())
    return EvalReport(
        config=cfg,
        origins=origins,
        origin_dates=tuple(str(panel.period_dates(o, 1)[0]) for o in origins),
        n_series=panel.n_series,
        n_scored=tuple(n_scored),
        methods=methods,
        engine_selection=tuple(selections),
        conformal_windows=tuple(windows_used),
    )
