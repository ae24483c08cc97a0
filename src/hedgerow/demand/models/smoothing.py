"""Vectorised level models for the bulk of series: simple exponential smoothing and seasonal naive.

Both run on all series at once (one pass over the periods with [series]-vectors) and return negative-binomial
marginals whose dispersion comes from their own one-step errors.

* SES (Brown 1959; Hyndman et al. 2008, ETS(A,N,N)): level ``l_t = l_{t-1} + alpha (y_t - l_{t-1})``,
  flat forecast ``l_T``. ``alpha`` is chosen per series from a grid by the in-sample one-step squared error.
* Seasonal naive: the forecast of period ``T + h`` is the value one season earlier; errors are the seasonal
  differences ``y_t - y_{t-m}``.
"""

from __future__ import annotations

import numpy as np

from hedgerow.demand.models.base import FamilyForecast, FamilyName, ModelInput, nb_dispersion, nb_forecast, ses_filter

#: Smoothing constants SES chooses from (per series, by in-sample one-step squared error).
SES_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.5)


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
