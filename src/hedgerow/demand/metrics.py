"""Scores of probabilistic forecasts: scaled pinball loss (M5 scaling), CRPS, interval coverage and bias.

Definitions (per series; ``y`` the actual demand of the ``h`` evaluated periods, NaN periods are skipped):

* pinball loss of the q-quantile forecast ``f``: ``L_q(y, f) = max(q (y - f), (q - 1)(y - f))``, in units;
* scaled pinball loss (SPL), as in the M5 uncertainty competition (Makridakis et al. 2022, *Int. J. Forecast.*
  38(4), eq. 2): the pinball loss averaged over periods and quantile levels, divided by the in-sample mean
  absolute one-step change ``(1 / (n - 1)) * sum_t |y_t - y_{t-1}|`` computed from the series' first non-zero
  demand on. Dimensionless; a series whose scale is zero (constant history) has no SPL.
* CRPS (Gneiting & Raftery 2007): ``integral (F(x) - 1{y <= x})^2 dx``, in units, per period;
* coverage of the central p % interval: share of periods with ``q_{(1-p)/2} <= y <= q_{(1+p)/2}``;
* bias: mean of (forecast mean - actual), in units; relative bias divides the sums by the actual sum.

Aggregates over series are plain means over the series that have the score (M5 weighted series by revenue;
we do not, so that slow movers count as much as fast movers).
"""

from __future__ import annotations

import warnings

import numpy as np

#: Quantile levels of the scaled pinball loss (upper quantiles matter for stock decisions).
SPL_LEVELS: tuple[float, ...] = (0.5, 0.8, 0.9, 0.95, 0.99)

#: Central intervals whose coverage is reported, in percent.
INTERVALS: tuple[int, ...] = (50, 80, 95)


def interval_levels(intervals: tuple[int, ...] = INTERVALS) -> tuple[float, ...]:
    """Lower and upper quantile levels of the central intervals, e.g. 80 → 0.1 and 0.9."""
    out: list[float] = []
    for p in intervals:
        tail = (1.0 - p / 100.0) / 2.0
        out += [round(tail, 6), round(1.0 - tail, 6)]
    return tuple(out)


def m5_scale(history: np.ndarray) -> np.ndarray:
    """[series] M5 scale: mean absolute one-step change of the history from the first non-zero demand on.

    Parameters
    ----------
    history:
        [series, period] in-sample demand (NaN = unknown, skipped).

    Returns
    -------
    numpy.ndarray
        In units per period; NaN when fewer than two known periods follow the first non-zero demand.
    """
    y = np.asarray(history, dtype=np.float64)
    positive = np.nan_to_num(y, nan=0.0) > 0
    first = np.where(positive.any(axis=1), positive.argmax(axis=1), y.shape[1])
    after = np.arange(y.shape[1])[None, :] >= first[:, None]
    masked = np.where(after, y, np.nan)
    diffs = np.abs(np.diff(masked, axis=1))
    counts = np.isfinite(diffs).sum(axis=1)
    total = np.nansum(diffs, axis=1)
    return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def pinball(actual: np.ndarray, quantiles: np.ndarray, levels: np.ndarray | tuple[float, ...]) -> np.ndarray:
    """[series, level] pinball loss averaged over the known periods, in units.

    Parameters
    ----------
    actual:
        [series, period] outcomes (NaN = not scored).
    quantiles:
        [series, period, level] quantile forecasts.
    levels:
        Quantile levels in (0, 1).
    """
    q = np.asarray(levels, dtype=np.float64)[None, None, :]
    err = actual[:, :, None] - quantiles
    loss = np.maximum(q * err, (q - 1.0) * err)
    return _nanmean(loss, axis=1)


def scaled_pinball(
    actual: np.ndarray, quantiles: np.ndarray, levels: np.ndarray | tuple[float, ...], scale: np.ndarray
) -> np.ndarray:
    """[series] scaled pinball loss: pinball averaged over periods and levels, divided by ``scale``.

    Series with a non-positive or unknown scale, or with no known outcome, get NaN.
    """
    loss = pinball(actual, quantiles, levels).mean(axis=1)
    ok = np.isfinite(scale) & (scale > 0)
    return np.where(ok, loss / np.where(ok, scale, 1.0), np.nan)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """[series] share of known periods whose outcome lies in [lower, upper]."""
    inside = ((actual >= lower - 1e-9) & (actual <= upper + 1e-9)).astype(np.float64)
    return _nanmean(np.where(np.isnan(actual), np.nan, inside), axis=1)


def bias(actual: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """[series] mean of forecast minus actual over the known periods, in units (negative = under-forecast)."""
    return _nanmean(mean - actual, axis=1)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN on purpose
        return np.asarray(np.nanmean(values, axis=axis))


def nanmean(values: np.ndarray) -> float:
    """Mean of the finite values (NaN when there is none)."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return float(finite.mean()) if finite.size else float("nan")
