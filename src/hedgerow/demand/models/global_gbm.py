"""A pooled, driver-aware model: one LightGBM regression over all series, direct multi-horizon.

Promotion-driven retail demand is explained better by what is planned for a week (price cut, feature ad,
display) than by the series' own past, and one model learns those effects from all series at once (the
winning recipe of the M5 accuracy competition; Makridakis et al. 2022, *Int. J. Forecast.* 38(4)).

Training rows are (series ``i``, origin ``t0``, horizon ``h``) triplets sampled from the history: the features
describe what was known at ``t0`` (levels and recent means, scaled by the series' recent mean ``s``), the
calendar position and the driver values of the target period ``t0 + h - 1``; the target is ``y / s``. One
model serves every horizon (``h`` is a feature), so no forecast is fed back into features. The objective is
Poisson (log link: promotions multiply demand). Censored periods are never targets.

Distribution: NB2 around the predicted mean with a per-series dispersion from the training residuals (shrunk
to the pool); the engine's rolling-origin calibration then rescales it, which corrects the in-sample optimism.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from hedgerow.demand.distributions import Marginals
from hedgerow.demand.models.base import (
    MAX_DISPERSION,
    FamilyForecast,
    FamilyName,
    ModelInput,
    grown_dispersion,
    nb_forecast,
    ses_filter,
)
from hedgerow.demand.models.smoothing import choose_ses
from hedgerow.demand.shift import explained_periods

#: Smallest scale (units per period) a series' features and target are divided by.
SCALE_FLOOR = 0.1
#: Largest target / scale ratio trained on (a rare big order must not dominate the Poisson fit).
MAX_TARGET_RATIO = 50.0
#: Forecast means are capped at this multiple of the series' largest past value (plus one unit).
PREDICTION_CEILING = 3.0
#: Mean inter-demand interval (periods) above which a series is intermittent (Syntetos, Boylan & Croston 2005).
INTERMITTENT_ADI = 1.32


@dataclass(frozen=True)
class GbmConfig:
    """Settings of the global model.

    Attributes
    ----------
    max_rows:
        Training rows sampled from the history (bounds time and memory whatever the number of series).
    n_estimators, learning_rate, num_leaves, min_child_samples:
        LightGBM settings.
    min_origin:
        Fewest known periods before an origin for it to give training rows.
    n_threads:
        LightGBM threads (results do not depend on it: deterministic mode).
    hurdle:
        For intermittent series, also fit the chance of any demand (a LightGBM classifier on the same rows)
        and forecast a hurdle distribution; False gives plain NB2 marginals around the mean everywhere.
    """

    max_rows: int = 250_000
    n_estimators: int = 250
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_child_samples: int = 40
    min_origin: int = 6
    n_threads: int = 1
    hurdle: bool = False


def _rolling_mean(values: np.ndarray, known: np.ndarray, window: int) -> np.ndarray:
    """[series, T + 1] mean of the known values among the ``window`` periods before each origin."""
    n = values.shape[0]
    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(values, axis=1)], axis=1)
    ccount = np.concatenate([np.zeros((n, 1)), np.cumsum(known, axis=1)], axis=1)
    lag = np.maximum(np.arange(csum.shape[1]) - window, 0)
    total = csum - csum[:, lag]
    count = ccount - ccount[:, lag]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


@dataclass(frozen=True)
class _State:
    """Per-origin summaries of the history: arrays [series, T + 1] (column t = known before period t)."""

    scale: np.ndarray
    features: np.ndarray  # [series, T + 1, f]
    names: tuple[str, ...]


def _rolling_max(values: np.ndarray, window: int) -> np.ndarray:
    """[series, T + 1] largest value among the ``window`` periods before each origin (0 when none)."""
    n, t_len = values.shape
    padded = np.concatenate([np.zeros((n, window)), values], axis=1)
    out = np.zeros((n, t_len + 1))
    for k in range(window):
        out[:, 1:] = np.maximum(out[:, 1:], padded[:, window - k : window - k + t_len])
    return out


def _origin_state(y: np.ndarray, season: int, promoted: np.ndarray) -> _State:
    known = ~np.isnan(y)
    values = np.where(known, y, 0.0)
    n, t_len = y.shape
    fitted, final = ses_filter(y, np.asarray([0.1, 0.3]))
    ses = np.concatenate([fitted, final[:, :, None]], axis=2)  # [n, 2, T+1]
    mean4 = _rolling_mean(values, known, 4)
    mean13 = _rolling_mean(values, known, 13)
    scale_window = max(13, min(season, 52))
    mean_long = _rolling_mean(values, known, scale_window)
    zero13 = _rolling_mean((values == 0).astype(np.float64), known, 13)
    mean_all = _rolling_mean(values, known, t_len + 1)
    # Scale: the recent mean, but never below half the long-run mean (a series that slept for a year keeps a
    # sensible scale) nor below SCALE_FLOOR units (a single sale must not make every ratio explode).
    scale = np.fmax(np.fmax(mean_long, 0.5 * mean_all), SCALE_FLOOR)
    scale = np.where(np.isfinite(mean_all), scale, np.nan)
    # last known value before each origin
    idx = np.where(known, np.arange(t_len)[None, :], -1)
    last_idx = np.maximum.accumulate(idx, axis=1)
    last = np.where(last_idx >= 0, np.take_along_axis(values, np.maximum(last_idx, 0), axis=1), np.nan)
    last = np.concatenate([np.full((n, 1), np.nan), last], axis=1)
    # periods since the last demand
    demand_idx = np.where(known & (values > 0), np.arange(t_len)[None, :], -1)
    last_demand = np.concatenate([np.full((n, 1), -1), np.maximum.accumulate(demand_idx, axis=1)], axis=1)
    since = np.where(last_demand >= 0, np.arange(t_len + 1)[None, :] - last_demand, np.nan)
    mean26 = _rolling_mean(values, known, 26)
    max13 = _rolling_max(values, 13)
    plain = known & ~promoted
    plain13 = _rolling_mean(np.where(plain, values, 0.0), plain, 13)  # level without promoted periods
    promo13 = _rolling_mean(promoted.astype(np.float64), known, 13)
    age = np.concatenate([np.zeros((n, 1)), np.cumsum(known, axis=1)], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        feats = np.stack(
            [
                ses[:, 0] / scale,
                ses[:, 1] / scale,
                mean4 / scale,
                mean13 / scale,
                mean26 / scale,
                mean_all / scale,
                plain13 / scale,
                max13 / scale,
                last / scale,
                zero13,
                promo13,
                np.minimum(since, 104.0),
                np.log1p(age),
                np.log1p(np.nan_to_num(scale, nan=0.0)),
            ],
            axis=2,
        )
    names = (
        "ses10",
        "ses30",
        "mean4",
        "mean13",
        "mean26",
        "mean_all",
        "plain13",
        "max13",
        "last",
        "zero13",
        "promo13",
        "since_demand",
        "log_age",
        "log_scale",
    )
    return _State(scale=scale, features=feats, names=names)


def _drivers_at(inp: ModelInput, rows: np.ndarray, t: np.ndarray) -> np.ndarray:
    """[row, driver] driver values of period ``t`` (history, then the plan; clipped to the known range)."""
    t_len = inp.n_periods
    d_hist = inp.drivers[rows, np.clip(t, 0, t_len - 1)]
    d_future = inp.future_drivers[rows, np.clip(t - t_len, 0, inp.horizon - 1)]
    return np.asarray(np.where((t < t_len)[:, None], d_hist, d_future))


def _row_features(
    inp: ModelInput, state: _State, usual: np.ndarray, rows: np.ndarray, origin: np.ndarray, h: np.ndarray
) -> np.ndarray:
    """Feature matrix of (series, origin, horizon) triplets; horizon h = 1 is period ``origin``."""
    t = origin + h - 1
    m = max(1, inp.season_length)
    t_len = inp.n_periods
    base = state.features[rows, origin]
    scale = state.scale[rows, origin]
    lag_t = t - m
    lag_ok = (lag_t >= 0) & (lag_t < origin)
    seasonal = np.where(lag_ok, inp.y[rows, np.clip(lag_t, 0, t_len - 1)], np.nan) / scale
    k = len(inp.driver_names)
    if k:
        u = usual[rows]
        parts = []
        for shift in (0, -1, 1):
            d = _drivers_at(inp, rows, t + shift)
            with np.errstate(invalid="ignore", divide="ignore"):
                rel = np.where(np.abs(u) > 1e-9, d / np.where(np.abs(u) > 1e-9, u, 1.0), d)
            parts += [d, rel] if shift == 0 else [rel]
        drivers = np.concatenate(parts, axis=1)
    else:
        drivers = np.zeros((rows.size, 0))
    calendar = ((inp.period_of_season + t) % m).astype(np.float64)
    return np.column_stack([base, seasonal, h.astype(np.float64), calendar, drivers])


def global_gbm_family(inp: ModelInput, config: GbmConfig | None = None) -> FamilyForecast:
    """Fit the pooled LightGBM model on the history and forecast every series (see module doc)."""
    import lightgbm as lgb

    cfg = config or GbmConfig()
    y = inp.y
    n, t_len, horizon = inp.n_series, inp.n_periods, inp.horizon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # series that never had a driver value: NaN median
        usual = np.nanmedian(inp.drivers, axis=1) if inp.drivers.shape[2] else np.zeros((n, 0))
    usual = np.nan_to_num(usual, nan=0.0)
    state = _origin_state(y, inp.season_length, explained_periods(inp.drivers, usual))
    target_ok = ~np.isnan(y)
    if inp.censored is not None:
        target_ok &= ~inp.censored
    known_before = np.concatenate([np.zeros((n, 1)), np.cumsum(~np.isnan(y), axis=1)], axis=1)

    rng = np.random.default_rng(np.random.SeedSequence([inp.seed, 7919]))
    space = n * t_len * horizon
    draws = min(space, int(cfg.max_rows * 1.6) + 1000)
    flat = np.unique(rng.integers(0, space, draws)) if draws < space else np.arange(space)
    rows, rest = np.divmod(flat, t_len * horizon)
    origin, h = np.divmod(rest, horizon)
    h = h + 1
    t = origin + h - 1
    valid = t < t_len
    rows, origin, h, t = rows[valid], origin[valid], h[valid], t[valid]
    valid = (
        target_ok[rows, t]
        & (known_before[rows, origin] >= cfg.min_origin)
        & np.isfinite(state.scale[rows, origin])
        & (state.scale[rows, origin] > 0)
    )
    keep = np.flatnonzero(valid)
    if keep.size > cfg.max_rows:
        keep = np.sort(rng.choice(keep, cfg.max_rows, replace=False))
    rows, origin, h, t = rows[keep], origin[keep], h[keep], t[keep]

    alpha, _, _ = choose_ses(y)
    last_origin = np.full(n, t_len)
    scale_now = state.scale[:, t_len]
    has_history = known_before[:, t_len] > 0
    mean = np.zeros((n, horizon))
    occur = np.ones((n, horizon))
    # Intermittent series (mean inter-demand interval > 1.32 periods, Syntetos et al. 2005) get a hurdle: the
    # chance of any demand from a classifier, the size of a demand around mean / chance. Smooth series keep NB2.
    known_n = (~np.isnan(y)).sum(axis=1)
    intermittent = (np.nansum(y > 0, axis=1) < known_n / INTERMITTENT_ADI) & (known_n > 0)
    offset = np.where(inp.is_count & intermittent, 1.0, 0.0)
    disp = np.zeros(n)
    if rows.size >= 200:
        x = _row_features(inp, state, usual, rows, origin, h)
        target = np.minimum(y[rows, t] / state.scale[rows, origin], MAX_TARGET_RATIO)
        params: dict[str, Any] = {
            "n_estimators": cfg.n_estimators,
            "learning_rate": cfg.learning_rate,
            "num_leaves": cfg.num_leaves,
            "min_child_samples": cfg.min_child_samples,
            "subsample": 0.8,
            "subsample_freq": 1,
            "colsample_bytree": 0.8,
            "random_state": inp.seed,
            "deterministic": True,
            "force_row_wise": True,
            "n_jobs": cfg.n_threads,
            "verbose": -1,
        }
        model = lgb.LGBMRegressor(objective="poisson", **params)
        model.fit(x, target)
        fitted = np.asarray(model.predict(x)) * state.scale[rows, origin]
        occurred = y[rows, t] > 0
        classifier = None
        if cfg.hurdle and intermittent.any() and 0 < occurred.sum() < occurred.size:
            classifier = lgb.LGBMClassifier(objective="binary", **params)
            classifier.fit(x, occurred.astype(np.int64))
        disp = _grouped_dispersion(y[rows, t], fitted, rows, n)
        if classifier is not None:
            offset_rows = offset[rows]
            _, size_fit = _hurdle_parts(fitted, np.asarray(classifier.predict_proba(x))[:, 1], offset_rows)
            pos = occurred
            size_disp = _grouped_dispersion(
                y[rows, t][pos] - offset_rows[pos], size_fit[pos] - offset_rows[pos], rows[pos], n
            )
            disp = np.where(intermittent, size_disp, disp)
        predict_rows = np.flatnonzero(np.isfinite(scale_now) & (scale_now > 0))
        if predict_rows.size:
            pr = np.repeat(predict_rows, horizon)
            ph = np.tile(np.arange(1, horizon + 1), predict_rows.size)
            xp = _row_features(inp, state, usual, pr, last_origin[pr], ph)
            pred = np.asarray(model.predict(xp)).reshape(predict_rows.size, horizon)
            ceiling = (
                PREDICTION_CEILING * np.nanmax(np.where(np.isnan(y[predict_rows]), 0.0, y[predict_rows]), axis=1) + 1.0
            )
            mean[predict_rows] = np.minimum(pred * scale_now[predict_rows, None], ceiling[:, None])
            if classifier is not None:
                occur_p = np.asarray(classifier.predict_proba(xp))[:, 1].reshape(predict_rows.size, horizon)
                occur[predict_rows] = np.where(intermittent[predict_rows, None], occur_p, 1.0)
    ok = has_history & (rows.size >= 200)
    if not np.any(occur < 1.0):
        return nb_forecast(FamilyName.GLOBAL_GBM, mean, disp, alpha, ok)
    occur_h, size = _hurdle_parts(mean, occur, offset[:, None])
    nb_mean = np.maximum(size - offset[:, None], 0.0)
    marg = Marginals(occur_h, offset, nb_mean, grown_dispersion(nb_mean, disp, alpha))
    return FamilyForecast(FamilyName.GLOBAL_GBM, marg, np.asarray(alpha, dtype=np.float64), ok)


def _hurdle_parts(mean: np.ndarray, occur: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Occurrence probability and mean size of a hurdle with total mean ``mean`` (units).

    The size of an occurrence is ``mean / occur``; it cannot fall below ``offset`` (one unit for counted demand),
    so where the classifier is more optimistic than the mean allows, the probability is lowered to
    ``mean / offset`` instead. The expected demand ``occur * size`` always equals ``mean``.
    """
    p = np.clip(np.nan_to_num(occur, nan=1.0), 1e-3, 1.0)
    size = mean / p
    low = size < offset
    p = np.where(low, np.divide(mean, offset, out=np.zeros_like(size), where=offset > 0), p)
    size = np.where(low, offset, size)
    return np.asarray(np.clip(p, 0.0, 1.0)), np.asarray(np.maximum(size, 0.0))


def _grouped_dispersion(
    y: np.ndarray, fitted: np.ndarray, group: np.ndarray, n: int, prior_weight: float = 8.0
) -> np.ndarray:
    """[series] NB2 moment dispersion of (y, fitted) pairs grouped by series, shrunk to the pool."""
    ok = np.isfinite(y) & np.isfinite(fitted) & (fitted > 0)
    e2 = np.where(ok, (y - fitted) ** 2 - fitted, 0.0)
    f2 = np.where(ok, fitted**2, 0.0)
    num = np.bincount(group, weights=e2, minlength=n)
    den = np.bincount(group, weights=f2, minlength=n)
    count = np.bincount(group, weights=ok.astype(np.float64), minlength=n)
    per = np.clip(np.divide(num, den, out=np.zeros(n), where=den > 0), 0.0, MAX_DISPERSION)
    pooled = float(np.clip(num.sum() / den.sum(), 0.0, MAX_DISPERSION)) if den.sum() > 0 else 0.0
    return np.asarray((count * per + prior_weight * pooled) / (count + prior_weight))
