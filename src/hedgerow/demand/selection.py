"""Choosing a model family per series by rolling-origin cross-validation on a probabilistic score.

For each of ``n_windows`` origins ``T - w * H`` (w = 1 .. n_windows) every family is fitted on the history
before the origin and forecasts the next ``H`` periods; its quantile forecasts at the SPL levels are scored
with the scaled pinball loss (:mod:`hedgerow.demand.metrics`) against what happened. Mean squared error is
never used: it rewards the mean and ignores the tails that stock decisions pay for.

A handful of windows is a noisy basis for choosing among many families series by series: the per-series
winner is often a lucky one. Each series' scores are therefore shrunk towards the mean scores of its demand
class (Syntetos, Boylan & Croston 2005: smooth, erratic, intermittent, lumpy, by mean inter-demand interval
and squared coefficient of variation of sizes) before taking the best family (an empirical-Bayes estimate,
Efron & Morris 1975):

    score_i(f) = (n_i * own_i(f) + k * class(f)) / (n_i + k)

The strength ``k`` is itself chosen by cross-validation across the windows: families are chosen on all windows
but one and judged on the one left out, for each ``k`` of a grid from 0 (pure per-series choice) to infinity
(one family per class). Where series really differ the data pick a small ``k``; where they do not, the
per-series noise is not allowed to cost accuracy.

Each family's dispersion is calibrated at the same time: the family's NB dispersions are multiplied by the
factor ``kappa`` (from ``dispersion_factors``) that minimises its mean SPL over all series and windows. In-sample
errors understate out-of-sample spread (more so for flexible models), and one factor per family, estimated
from thousands of series, is stable where a per-series factor would not be.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from hedgerow.demand.distributions import Marginals, Predictive
from hedgerow.demand.metrics import SPL_LEVELS, m5_scale, nanmean, scaled_pinball
from hedgerow.demand.models.base import MAX_DISPERSION, FamilyForecast, FamilyName

#: Multipliers of the NB dispersion tried when calibrating a family.
DISPERSION_FACTORS: tuple[float, ...] = (0.2, 0.25, 0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0, 5.0)

#: Shrinkage strengths tried (pseudo-windows of class evidence; inf = one family per class).
SHRINKAGE_GRID: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, float("inf"))

#: Pseudo-series weight pulling a small class's mean towards the mean over all series.
_CLASS_PRIOR = 30.0

#: Series used to calibrate the dispersion factor (a random subset keeps it cheap; the factor is global).
_CALIBRATION_SERIES = 2000


@dataclass(frozen=True)
class SelectionConfig:
    """Settings of the rolling-origin selection.

    Attributes
    ----------
    n_windows:
        Number of origins (each ``horizon`` periods apart, the last one ``horizon`` periods before the end).
    levels:
        Quantile levels of the scaled pinball loss.
    dispersion_factors:
        Calibration grid of dispersion multipliers.
    min_train:
        Fewest history periods before an origin (shorter windows are skipped).
    """

    n_windows: int = 2
    levels: tuple[float, ...] = SPL_LEVELS
    dispersion_factors: tuple[float, ...] = DISPERSION_FACTORS
    min_train: int = 8


@dataclass(frozen=True)
class Selection:
    """Outcome of the cross-validation.

    Attributes
    ----------
    families:
        The candidate families, in column order of ``scores``.
    scores:
        [series, family] mean scaled pinball loss over the windows (NaN where a family could not be scored).
    window_scores:
        [window, series, family] scaled pinball loss of each window.
    classes:
        [series] demand class (see :func:`demand_classes`).
    shrinkage:
        The chosen strength ``k`` of the pull towards the class scores.
    choice:
        [series] column of the chosen family (-1 where no family could be scored).
    dispersion_factor:
        [family] calibrated dispersion multiplier.
    origins:
        The origins used (periods of history before each window).
    horizon:
        Periods scored per window.
    """

    families: tuple[FamilyName, ...]
    scores: np.ndarray
    window_scores: np.ndarray
    classes: np.ndarray
    shrinkage: float
    choice: np.ndarray
    dispersion_factor: np.ndarray
    origins: tuple[int, ...]
    horizon: int
    family_score: dict[str, float] = field(default_factory=dict)

    def chosen(self) -> list[FamilyName | None]:
        """Family chosen for each series (None where nothing could be scored)."""
        return [self.families[c] if c >= 0 else None for c in self.choice]


def scale_dispersion(marginals: Marginals, factor: float) -> Marginals:
    """The marginals with their NB dispersion multiplied by ``factor``."""
    return replace(marginals, dispersion=np.clip(marginals.dispersion * factor, 0.0, MAX_DISPERSION))


def spl_of(
    forecast: FamilyForecast,
    actual: np.ndarray,
    scale: np.ndarray,
    is_count: np.ndarray,
    levels: tuple[float, ...],
    factor: float = 1.0,
) -> np.ndarray:
    """[series] scaled pinball loss of a family forecast (NaN where the family failed or nothing is scored)."""
    horizon = actual.shape[1]
    marg = scale_dispersion(forecast.marginals.head(horizon), factor)
    table = Predictive.single(marg).cdf_table(is_count)
    q = table.quantiles(np.asarray(levels))
    spl = scaled_pinball(actual, q, levels, scale)
    return np.where(forecast.ok, spl, np.nan)


def cross_validate(
    families: tuple[FamilyName, ...],
    run: Callable[[FamilyName, int, int], FamilyForecast],
    y_actual: np.ndarray,
    y_history: np.ndarray,
    is_count: np.ndarray,
    horizon: int,
    config: SelectionConfig | None = None,
    seed: int = 0,
) -> Selection:
    """Score every family on rolling origins and choose one per series.

    Parameters
    ----------
    families:
        Candidate families.
    run:
        ``run(family, origin, horizon)`` fits the family on the first ``origin`` periods and forecasts
        ``horizon`` periods.
    y_actual:
        [series, period] outcomes to score against (NaN = not scored, e.g. censored periods).
    y_history:
        [series, period] the history the M5 scale is computed from.
    is_count:
        [series] whole-unit demand.
    horizon:
        Periods per window (shortened when the history is short).
    config:
        Settings.
    seed:
        Seed of the calibration subset.
    """
    cfg = config or SelectionConfig()
    n, t_len = y_actual.shape
    h = max(1, min(horizon, (t_len - cfg.min_train) // max(cfg.n_windows, 1)))
    origins = tuple(o for o in (t_len - w * h for w in range(1, cfg.n_windows + 1)) if o >= cfg.min_train)
    factors = np.asarray(cfg.dispersion_factors)
    n_f = len(families)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4243]))
    subset = np.sort(rng.choice(n, size=min(n, _CALIBRATION_SERIES), replace=False)) if n else np.zeros(0, np.int64)
    # Pass 1: every family on every window; the calibration subset is scored at every factor.
    forecasts: dict[tuple[int, int], FamilyForecast] = {}
    sub_spl = np.full((len(origins), n_f, factors.size, subset.size), np.nan)
    windows = []
    for wi, origin in enumerate(origins):
        actual = y_actual[:, origin : origin + h]
        scale = m5_scale(y_history[:, :origin])
        windows.append((actual, scale))
        for fi, family in enumerate(families):
            forecast = run(family, origin, h)
            forecasts[wi, fi] = forecast
            sub = FamilyForecast(
                forecast.family, forecast.marginals.rows(subset), forecast.persistence[subset], forecast.ok[subset]
            )
            for ki, factor in enumerate(factors):
                sub_spl[wi, fi, ki] = spl_of(
                    sub, actual[subset], scale[subset], is_count[subset], cfg.levels, float(factor)
                )
    best_factor = np.ones(n_f)
    for fi in range(n_f):
        means = np.array([nanmean(sub_spl[:, fi, ki]) for ki in range(factors.size)])
        if np.isfinite(means).any():
            best_factor[fi] = factors[int(np.nanargmin(means))]
    # Pass 2: every series scored at its family's calibrated factor.
    window_scores = np.full((len(origins), n, n_f), np.nan)
    for fi in range(n_f):
        for wi, (actual, scale) in enumerate(windows):
            window_scores[wi, :, fi] = spl_of(
                forecasts[wi, fi], actual, scale, is_count, cfg.levels, float(best_factor[fi])
            )
    classes = demand_classes(y_history)
    strength = choose_shrinkage(window_scores, classes)
    shrunk = shrunk_scores(window_scores, classes, strength)
    finite = np.isfinite(shrunk)
    choice = np.where(finite.any(axis=1), np.argmin(np.where(finite, shrunk, np.inf), axis=1), -1)
    scores = _nanmean_axis0(window_scores)
    family_score = {f.value: nanmean(scores[:, fi]) for fi, f in enumerate(families)}
    return Selection(families, scores, window_scores, classes, strength, choice, best_factor, origins, h, family_score)


def _nanmean_axis0(values: np.ndarray) -> np.ndarray:
    counts = np.isfinite(values).sum(axis=0)
    return np.where(counts > 0, np.nansum(values, axis=0) / np.maximum(counts, 1), np.nan)


def demand_classes(y: np.ndarray) -> np.ndarray:
    """[series] demand class of Syntetos, Boylan & Croston (2005) on the known history.

    0 smooth (ADI < 1.32, CV² < 0.49), 1 erratic (ADI < 1.32), 2 intermittent (CV² < 0.49), 3 lumpy, 4 no
    demand at all. ADI is the mean number of known periods per demand, CV² the squared coefficient of variation
    of the non-zero sizes.
    """
    known = ~np.isnan(y)
    demand = known & (y > 0)
    n_demand = demand.sum(axis=1)
    adi = known.sum(axis=1) / np.maximum(n_demand, 1)
    sizes = np.where(demand, y, 0.0)
    mean = sizes.sum(axis=1) / np.maximum(n_demand, 1)
    var = np.where(demand, (sizes - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(n_demand, 1)
    cv2 = np.divide(var, mean**2, out=np.zeros_like(var), where=mean > 0)
    smooth_interval = adi < 1.32
    low_variation = cv2 < 0.49
    cls = np.where(smooth_interval, np.where(low_variation, 0, 1), np.where(low_variation, 2, 3))
    return np.asarray(np.where(n_demand > 0, cls, 4), dtype=np.int64)


def _class_means(window_scores: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """[class, family] mean score of each class, pulled towards the mean over all series when the class is small."""
    per_series = _nanmean_axis0(window_scores)  # [series, family]
    overall = _nanmean_axis0(per_series)
    n_classes = int(classes.max(initial=0)) + 1
    out = np.empty((n_classes, per_series.shape[1]))
    for c in range(n_classes):
        members = per_series[classes == c]
        count = np.isfinite(members).sum(axis=0)
        mean = np.where(count > 0, np.nansum(members, axis=0) / np.maximum(count, 1), overall)
        out[c] = (count * mean + _CLASS_PRIOR * overall) / (count + _CLASS_PRIOR)
    return out


def shrunk_scores(window_scores: np.ndarray, classes: np.ndarray, strength: float) -> np.ndarray:
    """[series, family] per-series scores pulled towards their class's scores with strength ``k``."""
    own = _nanmean_axis0(window_scores)
    count = np.isfinite(window_scores).sum(axis=0).astype(np.float64)
    prior = _class_means(window_scores, classes)[classes]
    if np.isinf(strength):
        return np.asarray(prior)
    blended = (count * np.nan_to_num(own) + strength * prior) / np.maximum(count + strength, 1e-12)
    return np.asarray(np.where(count > 0, blended, prior))


def choose_shrinkage(window_scores: np.ndarray, classes: np.ndarray, grid: tuple[float, ...] = SHRINKAGE_GRID) -> float:
    """The shrinkage strength whose choices score best on left-out windows (4.0 with a single window)."""
    n_windows = window_scores.shape[0]
    if n_windows < 2:
        return 4.0
    totals = []
    for strength in grid:
        total, count = 0.0, 0
        for left_out in range(n_windows):
            train = np.delete(window_scores, left_out, axis=0)
            shrunk = shrunk_scores(train, classes, strength)
            finite = np.isfinite(shrunk)
            pick = np.argmin(np.where(finite, shrunk, np.inf), axis=1)
            held = window_scores[left_out, np.arange(pick.size), pick]
            usable = finite.any(axis=1) & np.isfinite(held)
            total += float(held[usable].sum())
            count += int(usable.sum())
        totals.append(total / max(count, 1))
    return float(grid[int(np.argmin(totals))])
