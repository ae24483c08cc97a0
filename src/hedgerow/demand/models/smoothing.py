"""Vectorised level models for the bulk of series: simple exponential smoothing, seasonal SES and seasonal naive.

All three run on all series at once (one pass over the periods with [series]-vectors) and return negative-binomial
marginals whose dispersion comes from their own one-step errors.

* SES (Brown 1959; Hyndman et al. 2008, ETS(A,N,N)): level ``l_t = l_{t-1} + alpha (y_t - l_{t-1})``,
  flat forecast ``l_T``. ``alpha`` is chosen per series from a grid by the in-sample one-step squared error.
* Seasonal SES: SES on the history divided by a multiplicative seasonal index, the forecast multiplied back by
  the index of its period. The index is a least-squares fit of ``SEASONAL_HARMONICS`` Fourier harmonics of the
  season to the history scaled by its mean, shrunk towards no seasonality (positive-part James–Stein: a profile
  no larger than its sampling noise is dropped), so a noisy series is not given a season it does not have; it
  needs ``SEASONAL_MIN_CYCLES`` whole seasons of history (otherwise the family is not available for the series).
  Cheap enough to refit every week, it follows a yearly swing that plain SES trails by months.
* Seasonal naive: the forecast of period ``T + h`` is the value one season earlier; errors are the seasonal
  differences ``y_t - y_{t-m}``.
"""

from __future__ import annotations

import numpy as np

from hedgerow.demand.models.base import FamilyForecast, FamilyName, ModelInput, nb_dispersion, nb_forecast, ses_filter

#: Smoothing constants SES chooses from (per series, by in-sample one-step squared error).
SES_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5)
#: Fourier harmonics of the seasonal index (1 = one swing a season, 2 adds a half-season swing).
SEASONAL_HARMONICS = 2
#: Whole seasons of history the seasonal index needs.
SEASONAL_MIN_CYCLES = 1
#: Least and largest seasonal index (multiples of the series' mean).
SEASONAL_INDEX_BOUNDS: tuple[float, float] = (0.25, 4.0)


def choose_ses(
    y: np.ndarray, alphas: tuple[float, ...] = SES_ALPHAS, burn_in: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit SES with each constant and keep, per series, the one with the least one-step squared error.

    Returns
    -------
    alpha, level, fitted:
        [series] chosen constant, [series] final level (forecast), [series, period] one-step forecasts.
    """
    fitted, level = ses_filter(y, np.asarray(alphas))
    usable = np.isfinite(fitted) & np.isfinite(y[:, None, :])
    rank = np.cumsum(usable, axis=2)
    usable &= rank > burn_in
    sse = np.where(usable, (y[:, None, :] - fitted) ** 2, 0.0).sum(axis=2)
    best = np.argmin(sse, axis=1)
    rows = np.arange(y.shape[0])
    return np.asarray(alphas)[best], level[rows, best], fitted[rows, best]


def ses_family(inp: ModelInput) -> FamilyForecast:
    """Simple exponential smoothing with NB2 marginals."""
    alpha, level, fitted = choose_ses(inp.y)
    ok = np.isfinite(level)
    mean = np.repeat(np.nan_to_num(level, nan=0.0)[:, None], inp.horizon, axis=1)
    disp = nb_dispersion(inp.y, fitted)
    return nb_forecast(FamilyName.SES, mean, disp, alpha, ok)


def seasonal_naive_family(inp: ModelInput) -> FamilyForecast:
    """Seasonal naive with NB2 marginals (dispersion from the seasonal differences)."""
    y, m, horizon = inp.y, max(1, inp.season_length), inp.horizon
    t_len = inp.n_periods
    if t_len < m:
        zeros = np.zeros((inp.n_series, horizon))
        return nb_forecast(
            FamilyName.SEASONAL_NAIVE,
            zeros,
            np.zeros(inp.n_series),
            np.zeros(inp.n_series),
            np.zeros(inp.n_series, bool),
        )
    cols = t_len - m + (np.arange(horizon) % m)
    mean = y[:, cols]
    ok = np.isfinite(mean).all(axis=1)
    fitted = np.full_like(y, np.nan)
    fitted[:, m:] = y[:, :-m]
    disp = nb_dispersion(y, fitted)
    return nb_forecast(FamilyName.SEASONAL_NAIVE, mean, disp, np.zeros(inp.n_series), ok)


def seasonal_index(inp: ModelInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multiplicative seasonal index of every series (module docstring), shrunk towards 1.

    Returns
    -------
    history, future, ok:
        [series, period] index of the history periods, [series, horizon] index of the forecast periods, [series]
        whether the series has ``SEASONAL_MIN_CYCLES`` seasons of history and a positive mean.
    """
    y, m = inp.y, max(1, inp.season_length)
    n, t_len = y.shape
    phase = (inp.period_of_season + np.arange(t_len + inp.horizon)) * (2 * np.pi / m)
    k = np.arange(1, SEASONAL_HARMONICS + 1)[None, :]
    basis = np.hstack([np.cos(phase[:, None] * k), np.sin(phase[:, None] * k)])
    known = np.isfinite(y)
    count = known.sum(axis=1)
    mean = np.divide(np.where(known, y, 0.0).sum(axis=1), count, out=np.zeros(n), where=count > 0)
    ok = (t_len >= SEASONAL_MIN_CYCLES * m) & (m > 1) & (mean > 0)
    scaled = np.where(known & ok[:, None], y / np.where(mean > 0, mean, 1.0)[:, None], 1.0) - 1.0
    design = np.hstack([np.ones((t_len, 1)), basis[:t_len]])
    coef, *_ = np.linalg.lstsq(design, scaled.T, rcond=None)
    resid = scaled - (design @ coef).T
    dof = max(t_len - design.shape[1], 1)
    noise = (resid**2).sum(axis=1) / dof * (2.0 / max(t_len, 1))
    harmonics = coef[1:].T
    power = (harmonics**2).sum(axis=1)
    shrink = np.clip(1.0 - (harmonics.shape[1] - 2) * noise / np.where(power > 0, power, np.inf), 0.0, 1.0)
    swing = (basis @ (harmonics * shrink[:, None]).T).T
    index = np.clip(1.0 + np.where(ok[:, None], swing, 0.0), *SEASONAL_INDEX_BOUNDS)
    return index[:, :t_len], index[:, t_len:], ok


def seasonal_ses_family(inp: ModelInput) -> FamilyForecast:
    """SES on the seasonally adjusted history, NB2 marginals around the re-seasonalised level."""
    history, future, seasonal = seasonal_index(inp)
    alpha, level, fitted = choose_ses(inp.y / history)
    ok = np.isfinite(level) & seasonal
    mean = np.nan_to_num(level, nan=0.0)[:, None] * future
    disp = nb_dispersion(inp.y, fitted * history)
    return nb_forecast(FamilyName.SEASONAL_SES, mean, disp, alpha, ok)
