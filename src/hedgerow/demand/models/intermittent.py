"""Intermittent-demand families, vectorised over series: Croston SBA, TSB and IMAPA.

Each returns a full predictive distribution, not only a mean:

* Croston SBA (Croston 1972; Syntetos & Boylan 2005, *Int. J. Forecast.* 21): sizes ``z`` and intervals
  ``p`` between demands are smoothed with ``alpha = 0.1`` at each demand; the mean is
  ``(1 - alpha/2) z / p``. As a distribution: a hurdle model with demand probability ``(1 - alpha/2) / p`` and
  size ``1 + NB(z - 1, c)`` for counted demand, ``c`` from the size errors.
* TSB (Teunter, Syntetos & Babai 2011, *EJOR* 214): the demand probability is smoothed every period (constant
  ``alpha_p``) and the size at each demand (``alpha_d``); both constants are chosen per series from a grid by
  in-sample one-step error. Same hurdle distribution with probability ``pi``.
* IMAPA (Petropoulos & Kourentzes 2015, *J. Oper. Res. Soc.* 66): SES on non-overlapping temporal aggregates
  of 1 .. round(mean interval) periods, forecasts averaged per period; NB marginals around that mean.

Unknown (NaN) periods are skipped as if they did not exist. The point forecasts of Croston SBA and TSB equal
statsforecast's ``CrostonSBA`` and ``TSB`` on the same series (a test checks it).
"""

from __future__ import annotations

import numpy as np

from hedgerow.demand.distributions import Marginals
from hedgerow.demand.models.base import (
    FamilyForecast,
    FamilyName,
    ModelInput,
    grown_dispersion,
    nb_dispersion,
    nb_forecast,
    ses_filter,
)

CROSTON_ALPHA = 0.1
TSB_ALPHAS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3)
IMAPA_ALPHAS: tuple[float, ...] = (0.1, 0.15, 0.2, 0.25, 0.3)
#: Longest temporal aggregation IMAPA uses, in periods.
IMAPA_MAX_LEVEL = 12


def croston_components(
    y: np.ndarray, alpha: float = CROSTON_ALPHA
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Croston's smoothed size and interval, with their values before each demand.

    Returns
    -------
    size, interval:
        [series] final smoothed demand size and inter-demand interval (NaN when no demand yet).
    size_before:
        [series, period] smoothed size before the period's update, at demand periods (NaN elsewhere).
    interval_before:
        [series, period] smoothed interval in force at each period (NaN before the first demand).
    """
    n, t_len = y.shape
    size = np.full(n, np.nan)
    interval = np.full(n, np.nan)
    since = np.zeros(n)
    size_before = np.full((n, t_len), np.nan)
    interval_before = np.full((n, t_len), np.nan)
    for t in range(t_len):
        v = y[:, t]
        known = ~np.isnan(v)
        since = since + known
        interval_before[:, t] = interval
        demand = known & (v > 0)
        first = demand & np.isnan(size)
        later = demand & ~first
        size_before[:, t] = np.where(later, size, np.nan)
        size = np.where(first, v, np.where(later, size + alpha * (v - size), size))
        interval = np.where(first, since, np.where(later, interval + alpha * (since - interval), interval))
        since = np.where(demand, 0.0, since)
    return size, interval, size_before, interval_before


def _hurdle(
    family: FamilyName,
    occur: np.ndarray,
    size: np.ndarray,
    size_disp: np.ndarray,
    alpha: np.ndarray,
    inp: ModelInput,
    ok: np.ndarray,
) -> FamilyForecast:
    """Hurdle marginals: demand occurs with ``occur``; a demand has mean ``size`` (>= 1 unit when counted)."""
    horizon = inp.horizon
    offset = np.where(inp.is_count, 1.0, 0.0)
    occur = np.clip(np.nan_to_num(occur, nan=0.0), 0.0, 1.0)
    size = np.nan_to_num(size, nan=0.0)
    nb_mean = np.maximum(size - offset, 0.0)
    nb_mean = np.repeat(nb_mean[:, None], horizon, axis=1)
    disp = grown_dispersion(nb_mean, size_disp, alpha)
    occur_h = np.repeat(np.where(size > 0, occur, 0.0)[:, None], horizon, axis=1)
    return FamilyForecast(family, Marginals(occur_h, offset, nb_mean, disp), np.asarray(alpha, dtype=np.float64), ok)


def _size_dispersion(y: np.ndarray, size_before: np.ndarray, is_count: np.ndarray) -> np.ndarray:
    offset = np.where(is_count, 1.0, 0.0)[:, None]
    demand = np.where(np.isfinite(size_before) & (y > 0), y - offset, np.nan)
    return nb_dispersion(demand, size_before - offset, burn_in=0)


def croston_sba_family(inp: ModelInput) -> FamilyForecast:
    """Croston with the Syntetos-Boylan bias correction, as a hurdle distribution."""
    y = inp.y
    size, interval, size_before, _ = croston_components(y)
    correction = 1.0 - CROSTON_ALPHA / 2.0
    occur = np.where(interval > 0, correction / np.where(interval > 0, interval, 1.0), 0.0)
    ok = (~np.isnan(y)).any(axis=1)
    alpha = np.full(inp.n_series, CROSTON_ALPHA)
    return _hurdle(FamilyName.CROSTON_SBA, occur, size, _size_dispersion(y, size_before, inp.is_count), alpha, inp, ok)


def tsb_components(
    y: np.ndarray, alpha_p: np.ndarray, alpha_d: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """TSB filter for given constants per series.

    Returns
    -------
    prob, size:
        [series] final demand probability and smoothed size.
    prob_before, size_before:
        [series, period] one-step values before each period's update (size only at demand periods).
    """
    n, t_len = y.shape
    prob = np.full(n, np.nan)
    size = np.full(n, np.nan)
    prob_before = np.full((n, t_len), np.nan)
    size_before = np.full((n, t_len), np.nan)
    for t in range(t_len):
        v = y[:, t]
        known = ~np.isnan(v)
        indicator = (v > 0).astype(np.float64)
        prob_before[:, t] = prob
        first_p = known & np.isnan(prob)
        prob = np.where(first_p, indicator, np.where(known, prob + alpha_p * (indicator - prob), prob))
        demand = known & (v > 0)
        first_d = demand & np.isnan(size)
        later = demand & ~first_d
        size_before[:, t] = np.where(later, size, np.nan)
        size = np.where(first_d, v, np.where(later, size + alpha_d * (v - size), size))
    return prob, size, prob_before, size_before


def tsb_family(inp: ModelInput) -> FamilyForecast:
    """TSB with constants chosen per series from a grid, as a hurdle distribution."""
    y = inp.y
    n = inp.n_series
    grid = np.asarray(TSB_ALPHAS)
    brier = np.zeros((n, grid.size))
    size_sse = np.zeros((n, grid.size))
    for j, a in enumerate(grid):
        _, _, pb, sb = tsb_components(y, np.full(n, a), np.full(n, a))
        indicator = np.where(np.isnan(y), np.nan, (y > 0).astype(np.float64))
        brier[:, j] = np.nansum((indicator - pb) ** 2, axis=1)
        size_sse[:, j] = np.nansum((np.where(y > 0, y, np.nan) - sb) ** 2, axis=1)
    alpha_p = grid[np.argmin(brier, axis=1)]
    alpha_d = grid[np.argmin(size_sse, axis=1)]
    prob, size, _, size_before = tsb_components(y, alpha_p, alpha_d)
    ok = (~np.isnan(y)).any(axis=1)
    return _hurdle(FamilyName.TSB, prob, size, _size_dispersion(y, size_before, inp.is_count), alpha_p, inp, ok)


def _aggregate(y: np.ndarray, level: int) -> np.ndarray:
    """[series, bucket] sums of non-overlapping buckets of ``level`` periods aligned to the end (NaN if any NaN)."""
    t_len = y.shape[1]
    n_buckets = t_len // level
    if n_buckets == 0:
        return np.full((y.shape[0], 0), np.nan)
    cut = y[:, t_len - n_buckets * level :]
    return np.asarray(cut.reshape(y.shape[0], n_buckets, level).sum(axis=2))


def imapa_family(inp: ModelInput) -> FamilyForecast:
    """IMAPA: average of SES forecasts over temporal aggregation levels, NB marginals."""
    y = inp.y
    n = inp.n_series
    known = ~np.isnan(y)
    demand = known & (y > 0)
    n_demand = demand.sum(axis=1)
    start = np.where(known.any(axis=1), known.argmax(axis=1), y.shape[1])
    last_demand = np.where(demand.any(axis=1), y.shape[1] - 1 - np.argmax(demand[:, ::-1], axis=1), -1)
    first_demand = np.where(demand.any(axis=1), demand.argmax(axis=1), -1)
    # Mean inter-demand interval as statsforecast computes it: (last demand index + 1) / number of demands.
    mean_interval = np.where(n_demand > 0, (last_demand - start + 1) / np.maximum(n_demand, 1), 1.0)
    levels = np.clip(np.round(mean_interval), 1, IMAPA_MAX_LEVEL).astype(np.int64)
    total = np.zeros(n)
    for level in range(1, int(levels.max(initial=1)) + 1):
        use = levels >= level
        sums = _aggregate(y[use], level)
        if sums.shape[1] == 0:
            continue
        fitted, final = ses_filter(sums, np.asarray(IMAPA_ALPHAS))
        err = np.where(np.isfinite(fitted), (sums[:, None, :] - fitted) ** 2, 0.0).sum(axis=2)
        best = np.argmin(err, axis=1)
        forecast = final[np.arange(sums.shape[0]), best] / level
        total[use] += np.nan_to_num(forecast, nan=0.0)
    mean = np.where(n_demand > 0, total / levels, 0.0)
    fitted1, _ = ses_filter(y, np.asarray([CROSTON_ALPHA]))
    disp = nb_dispersion(y, fitted1[:, 0])
    ok = known.any(axis=1) & ((first_demand >= 0) | known.any(axis=1))
    alpha = np.full(n, CROSTON_ALPHA)
    return nb_forecast(FamilyName.IMAPA, np.repeat(mean[:, None], inp.horizon, axis=1), disp, alpha, ok)
