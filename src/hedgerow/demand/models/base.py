"""What every model family receives and returns, and the shared dispersion arithmetic.

A family turns a [series, period] history into :class:`~hedgerow.demand.distributions.Marginals` for the next
``horizon`` periods plus a persistence ``alpha`` per series (the share of a surprise that carries into the
level, which sets how strongly the periods of a sample path move together).

Dispersion (NB2, variance = mu + c mu^2) is estimated by moments from one-step-ahead errors and shrunk towards
the pooled value of all series (empirical Bayes with ``prior_weight`` pseudo-observations), because a few
dozen errors per series give a noisy estimate. The h-step variance grows as in the local-level model
(Hyndman et al. 2008, *Forecasting with Exponential Smoothing*, eq. 6.1, class 1 ETS(A,N,N)):
``V_h = V_1 * (1 + (h - 1) alpha^2)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from hedgerow.demand.distributions import Marginals

#: Largest NB2 dispersion used (beyond it, a NB is practically all zeros plus rare huge values).
MAX_DISPERSION = 25.0


class FamilyName(StrEnum):
    """The model families the engine can choose between, per series."""

    SEASONAL_NAIVE = "seasonal_naive"
    SES = "ses"
    SEASONAL_SES = "seasonal_ses"
    CROSTON_SBA = "croston_sba"
    TSB = "tsb"
    IMAPA = "imapa"
    AUTO_ETS = "auto_ets"
    THETA = "theta"
    GLOBAL_GBM = "global_gbm"
    ZERO = "zero"


@dataclass(frozen=True)
class ModelInput:
    """The history a family fits on, and what it knows about the forecast periods.

    Attributes
    ----------
    y:
        [series, period] demand (censoring already corrected; NaN = unknown).
    season_length:
        Periods per seasonal cycle.
    drivers:
        [series, period, driver] driver values of the history periods.
    future_drivers:
        [series, horizon, driver] planned driver values of the forecast periods.
    driver_names:
        Names of the drivers (same order as the last axis).
    is_count:
        [series] whole-unit demand.
    period_of_season:
        Position in the seasonal cycle of column 0 of ``y`` (0 .. season_length - 1), so models can align
        seasons across truncated histories.
    seed:
        Seed of any randomness a family needs (row subsampling of the global model).
    censored:
        [series, period] True where the value was imputed from a censored (lower-bound) observation; such
        periods are not used as training targets by models that can skip them.
    """

    y: np.ndarray
    season_length: int
    drivers: np.ndarray
    future_drivers: np.ndarray
    driver_names: tuple[str, ...]
    is_count: np.ndarray
    period_of_season: int = 0
    seed: int = 0
    censored: np.ndarray | None = None

    @property
    def n_series(self) -> int:
        """Number of series."""
        return int(self.y.shape[0])

    @property
    def n_periods(self) -> int:
        """Number of history periods."""
        return int(self.y.shape[1])

    @property
    def horizon(self) -> int:
        """Number of forecast periods."""
        return int(self.future_drivers.shape[1])

    def rows(self, rows: np.ndarray) -> ModelInput:
        """The input restricted to some series."""
        return replace(
            self,
            y=self.y[rows],
            drivers=self.drivers[rows],
            future_drivers=self.future_drivers[rows],
            is_count=self.is_count[rows],
            censored=None if self.censored is None else self.censored[rows],
        )


@dataclass(frozen=True)
class FamilyForecast:
    """A family's forecast of every series it could handle.

    Attributes
    ----------
    family:
        Which family.
    marginals:
        [series, horizon] predictive marginals (meaningless where ``ok`` is False).
    persistence:
        [series] smoothing constant alpha in [0, 1] that sets the temporal correlation of sample paths.
    ok:
        [series] True where the family produced a forecast.
    """

    family: FamilyName
    marginals: Marginals
    persistence: np.ndarray
    ok: np.ndarray


def nb_dispersion(
    y: np.ndarray,
    fitted: np.ndarray,
    *,
    prior_weight: float = 8.0,
    burn_in: int = 2,
    extra_variance: np.ndarray | None = None,
) -> np.ndarray:
    """[series] NB2 dispersion of ``y`` around one-step forecasts ``fitted``, shrunk to the pooled value.

    The moment estimator per series is ``c = sum(e^2 - f) / sum(f^2)`` over periods with a known value and a
    positive forecast (``e = y - f``), clipped to [0, MAX_DISPERSION]; the first ``burn_in`` usable periods are
    skipped (the level is still settling). The result is ``(n c + w c_pool) / (n + w)``. ``extra_variance``
    [series, period] is added to the squared errors (the conditional variance of imputed values).
    """
    y = np.asarray(y, dtype=np.float64)
    f = np.asarray(fitted, dtype=np.float64)
    usable = np.isfinite(y) & np.isfinite(f) & (f > 0)
    rank = np.cumsum(usable, axis=1)
    usable &= rank > burn_in
    extra = 0.0 if extra_variance is None else np.nan_to_num(extra_variance, nan=0.0)
    e2 = np.where(usable, (y - f) ** 2 + extra - f, 0.0)
    f2 = np.where(usable, f**2, 0.0)
    num, den = e2.sum(axis=1), f2.sum(axis=1)
    count = usable.sum(axis=1).astype(np.float64)
    per_series = np.clip(np.divide(num, den, out=np.zeros_like(num), where=den > 0), 0.0, MAX_DISPERSION)
    pooled = float(np.clip(num.sum() / den.sum(), 0.0, MAX_DISPERSION)) if den.sum() > 0 else 0.0
    return np.asarray((count * per_series + prior_weight * pooled) / (count + prior_weight))


def grown_dispersion(mean: np.ndarray, dispersion: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """[series, horizon] dispersion whose variance grows as ``V_h = V_1 (1 + (h - 1) alpha^2)``.

    Parameters
    ----------
    mean:
        [series, horizon] mean of the NB part.
    dispersion:
        [series] one-step dispersion.
    alpha:
        [series] persistence.
    """
    horizon = mean.shape[1]
    growth = 1.0 + np.arange(horizon)[None, :] * (np.asarray(alpha)[:, None] ** 2)
    disp = np.asarray(dispersion)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        extra = np.where(mean > 1e-9, (growth - 1.0) / np.maximum(mean, 1e-9), 0.0)
    return np.asarray(np.clip(disp * growth + extra, 0.0, MAX_DISPERSION))


def nb_forecast(
    family: FamilyName, mean: np.ndarray, dispersion: np.ndarray, alpha: np.ndarray, ok: np.ndarray
) -> FamilyForecast:
    """A :class:`FamilyForecast` of plain NB marginals with horizon-grown dispersion."""
    mean = np.maximum(np.nan_to_num(mean, nan=0.0), 0.0)
    disp = grown_dispersion(mean, dispersion, alpha)
    return FamilyForecast(family, Marginals.negative_binomial(mean, disp), np.asarray(alpha, dtype=np.float64), ok)


def ses_filter(y: np.ndarray, alphas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Simple exponential smoothing of many series for several smoothing constants at once.

    The level starts at the first known value and is not updated at unknown (NaN) periods.

    Parameters
    ----------
    y:
        [series, period] values.
    alphas:
        [alpha] smoothing constants in (0, 1].

    Returns
    -------
    fitted, level:
        ``fitted`` [series, alpha, period] one-step-ahead forecasts (NaN before the first value);
        ``level`` [series, alpha] the forecast of the next period.
    """
    n, t_len = y.shape
    a = np.asarray(alphas, dtype=np.float64)[None, :]
    level = np.full((n, a.shape[1]), np.nan)
    fitted = np.full((n, a.shape[1], t_len), np.nan)
    for t in range(t_len):
        fitted[:, :, t] = level
        v = y[:, t][:, None]
        known = ~np.isnan(v)
        start = known & np.isnan(level)
        level = np.where(start, v, level)
        update = known & ~start
        level = np.where(update, level + a * (v - level), level)
    return fitted, level
