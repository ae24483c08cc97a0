"""Choosing a model family per series by rolling-origin cross-validation on a probabilistic score.

For each of ``n_windows`` origins ``T - w * H`` (w = 1 .. n_windows) every family is fitted on the history
before the origin and forecasts the next ``H`` periods; its quantile forecasts at the SPL levels are scored
with the scaled pinball loss (:mod:`hedgerow.demand.metrics`) against what happened. A family's score for a
series is its mean SPL over the windows; the series gets the family with the lowest score. Mean squared error
is never used: it rewards the mean and ignores the tails that stock decisions pay for.

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
DISPERSION_FACTORS: tuple[float, ...] = (0.35, 0.5, 0.7, 1.0, 1.4, 2.0, 3.0)

#: Series used to calibrate the dispersion factor (a random subset keeps it cheap; the factor is global).
_CALIBRATION_SERIES = 3000


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
    scores = np.full((n, n_f), np.nan)
    for fi in range(n_f):
        per_window = np.full((len(origins), n), np.nan)
        for wi, (actual, scale) in enumerate(windows):
            per_window[wi] = spl_of(forecasts[wi, fi], actual, scale, is_count, cfg.levels, float(best_factor[fi]))
        counts = np.isfinite(per_window).sum(axis=0)
        scores[:, fi] = np.where(counts > 0, np.nansum(per_window, axis=0) / np.maximum(counts, 1), np.nan)
    finite = np.isfinite(scores)
    choice = np.where(finite.any(axis=1), np.argmin(np.where(finite, scores, np.inf), axis=1), -1)
    family_score = {f.value: nanmean(scores[:, fi]) for fi, f in enumerate(families)}
    return Selection(families, scores, choice, best_factor, origins, h, family_score)
