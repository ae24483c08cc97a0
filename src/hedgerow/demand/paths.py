"""Joint sample paths of demand: [series, scenario, period], temporally correlated, reproducible per series.

Each scenario of a series is drawn in three steps:

1. **Which future.** When the spike-or-shift sensor gives a series two futures (:class:`Predictive` with two
   components), each scenario follows one of them for its whole path, chosen with the mixture weight from the
   ``Stream.SHIFT`` generator of that item-location.
2. **Correlated uniforms (Gaussian copula).** Standard normals from the ``Stream.DEMAND`` generator of the
   item-location, stratified per period (Latin hypercube: one draw in each of ``n`` equal-probability strata, so a
   plan's tail quantiles do not rest on luck), are correlated across periods with the correlation of the
   local-level innovations model with persistence ``alpha`` (Hyndman et al. 2008, ch. 6): for periods
   ``h < k`` (0-based), ``cov = v0 + alpha^2 h + alpha`` and ``var_h = v0 + alpha^2 h + 1`` with
   ``v0 = alpha / (2 - alpha)`` the variance of the level estimate. A surprise early in a path carries into
   later periods.
3. **Marginals.** The uniforms go through the inverse CDF of the period's predictive distribution, so every
   period's marginal is exactly the forecast distribution (whole units for counted demand, never negative).

Because every draw comes from generators keyed by (seed, stream, item-location), a series' paths do not
depend on which chunk or worker draws it. Periods are drawn lower-triangularly, so the paths of a shorter
horizon are the first periods of a longer one.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import special

from hedgerow.demand.distributions import Predictive
from hedgerow.scenarios.rng import Stream, stream_rng

#: Persistence values are rounded to this grid so copula factors can be cached.
_ALPHA_GRID = 40
#: Distance kept from 0 and 1 by a stratified uniform (its normal stays finite), probability.
_UNIT_MARGIN = 1e-12


def copula_correlation(alpha: float, horizon: int) -> np.ndarray:
    """[horizon, horizon] correlation of the local-level model's forecast errors with persistence ``alpha``."""
    a = float(np.clip(alpha, 0.0, 1.0))
    v0 = a / (2.0 - a)
    h = np.arange(horizon, dtype=np.float64)
    low = np.minimum.outer(h, h)
    cov = v0 + a * a * low + a
    np.fill_diagonal(cov, v0 + a * a * h + 1.0)
    sd = np.sqrt(np.diag(cov))
    return np.asarray(cov / np.outer(sd, sd))


@lru_cache(maxsize=512)
def _cholesky(alpha_step: int, horizon: int) -> np.ndarray:
    factor = np.linalg.cholesky(copula_correlation(alpha_step / _ALPHA_GRID, horizon))
    factor.setflags(write=False)
    return factor


def stratified_normals(rng: np.random.Generator, n_scenarios: int, horizon: int) -> np.ndarray:
    """[period, scenario] standard normals, each period's stratified (Latin hypercube, McKay et al. 1979).

    Period ``h``'s ``n`` draws fall one in each of the ``n`` equal-probability strata of the normal, in a random
    order of their own (a permutation, then a uniform jitter inside the stratum), drawn period after period so the
    first periods of a longer horizon are those of a shorter one. Independent draws leave a plan's tail to chance:
    with 200 scenarios the 99 % quantile of a period's demand rests on the two largest draws, and with the same
    streams every week (common random numbers) an item-location whose draws fell short stays short all year.
    """
    out = np.empty((horizon, n_scenarios))
    for h in range(horizon):
        strata = rng.permutation(n_scenarios)
        uniform = (strata + rng.random(n_scenarios)) / n_scenarios
        out[h] = special.ndtri(np.clip(uniform, _UNIT_MARGIN, 1.0 - _UNIT_MARGIN))
    return out


def correlated_uniforms(rng: np.random.Generator, alpha: float, n_scenarios: int, horizon: int) -> np.ndarray:
    """[scenario, period] uniforms with the copula correlation of persistence ``alpha``."""
    factor = _cholesky(round(float(np.clip(alpha, 0.0, 1.0)) * _ALPHA_GRID), horizon)
    normals = stratified_normals(rng, n_scenarios, horizon)
    return np.asarray(special.ndtr(factor @ normals).T)


def sample_paths(
    predictive: Predictive,
    persistence: np.ndarray,
    is_count: np.ndarray,
    keys: tuple[str, ...],
    *,
    n_scenarios: int,
    seed: int,
) -> np.ndarray:
    """Draw [series, scenario, period] demand paths from ``predictive`` (see module doc).

    Parameters
    ----------
    predictive:
        Distributions of the series (one or two components).
    persistence:
        [series] alpha of each series' copula.
    is_count:
        [series] whole-unit demand.
    keys:
        ``item@location`` of each series: the random-stream keys.
    n_scenarios:
        Number of paths per series.
    seed:
        Plan seed.
    """
    n, horizon = predictive.n_series, predictive.horizon
    if len(keys) != n:
        raise ValueError(f"keys must name the {n} series, got {len(keys)}")
    uniforms = np.empty((n, n_scenarios, horizon))
    choice = np.zeros((n, n_scenarios), dtype=np.int64)
    weights = predictive.weights
    n_comp = len(predictive.components)
    for i, key in enumerate(keys):
        uniforms[i] = correlated_uniforms(
            stream_rng(seed, Stream.DEMAND, key), float(persistence[i]), n_scenarios, horizon
        )
        if n_comp > 1 and weights[i, 0] < 1.0:
            draws = stream_rng(seed, Stream.SHIFT, key).random(n_scenarios)
            choice[i] = np.searchsorted(np.cumsum(weights[i])[:-1], draws, side="right")
    tables = predictive.component_tables(is_count)
    paths = tables[0].sample(uniforms)
    for j in range(1, n_comp):
        chosen = choice == j
        if chosen.any():
            rows = np.flatnonzero(chosen.any(axis=1))
            sub = type(tables[j])(tables[j].step[rows], tables[j].cdf[rows]).sample(uniforms[rows])
            paths[rows] = np.where(chosen[rows, :, None], sub, paths[rows])
    return paths
