"""Predictive distributions of demand per series and period, as parameters and as CDF tables.

Every model in the engine ends in the same form, so that selection, mixing, scoring and path sampling are
one code path:

* :class:`Marginals` — per series and period, demand is ``B * (s0 + N)`` where ``B ~ Bernoulli(occur)`` says
  whether any demand occurs, ``s0`` is 0 (a plain negative binomial) or 1 (a hurdle model: an occurrence is at
  least one unit) and ``N ~ NegBin(mean, dispersion)`` with variance ``mean + dispersion * mean**2``
  (``dispersion = 0`` is Poisson). Smooth series use ``occur = 1, s0 = 0``; intermittent series (Croston,
  TSB) use the hurdle form with ``occur`` the chance of a demand and ``s0 + mean`` the expected size.
  Reference: Hilbe (2011) *Negative Binomial Regression*, 2nd ed., ch. 5 (NB2); hurdle models, ch. 11.
* :class:`Predictive` — a mixture of such components with weights per series (the spike-or-shift hedge
  mixes the "spike" and the "shift" futures).
* :class:`CdfTable` — the mixture's cumulative distribution on a grid ``0, step, 2 step, ...``: quantiles,
  CRPS, means and inverse-CDF sampling are exact on that grid. Counted demand with a small range uses step 1
  and the exact negative-binomial pmf; wide ranges use a coarser integer step and a gamma approximation with
  the same mean and variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

#: Number of grid points of a CDF table; ranges wider than this use a coarser step.
DEFAULT_GRID_POINTS = 256

#: Widest range (in units) whose CDF is computed exactly from the NB pmf; wider ranges use a gamma approximation.
EXACT_LIMIT = 8192

#: Elements per block of the exact computation (bounds memory to ~64 MB per array).
_EXACT_BLOCK = 8_000_000

#: Upper end of the grid in standard deviations above the mean (covers > 99.99 % of any component).
_TAIL_SDS = 6.0


@dataclass(frozen=True)
class Marginals:
    """One component of a predictive distribution: arrays [series, period].

    Attributes
    ----------
    occur:
        Probability that any demand occurs in the period, in [0, 1] (1 for smooth demand).
    size_offset:
        [series] 0 for a plain negative binomial, 1 for a hurdle (an occurrence is at least one unit).
    mean:
        Mean of the negative-binomial part, in units (>= 0).
    dispersion:
        NB2 dispersion of that part: variance = mean + dispersion * mean**2 (0 = Poisson), >= 0.
    """

    occur: np.ndarray
    size_offset: np.ndarray
    mean: np.ndarray
    dispersion: np.ndarray

    def __post_init__(self) -> None:
        if self.mean.ndim != 2 or self.occur.shape != self.mean.shape or self.dispersion.shape != self.mean.shape:
            raise ValueError("occur, mean and dispersion must be [series, period] arrays of one shape")
        if self.size_offset.shape != (self.mean.shape[0],):
            raise ValueError("size_offset must be a [series] array")

    @staticmethod
    def negative_binomial(mean: np.ndarray, dispersion: np.ndarray) -> Marginals:
        """Plain NB2 marginals (``occur = 1``, no size offset)."""
        mean = np.maximum(np.nan_to_num(np.asarray(mean, dtype=np.float64), nan=0.0), 0.0)
        disp = np.broadcast_to(np.maximum(np.nan_to_num(dispersion, nan=0.0), 0.0), mean.shape).astype(np.float64)
        return Marginals(np.ones_like(mean), np.zeros(mean.shape[0]), mean, disp)

    @property
    def n_series(self) -> int:
        """Number of series."""
        return int(self.mean.shape[0])

    @property
    def horizon(self) -> int:
        """Number of periods."""
        return int(self.mean.shape[1])

    def expected(self) -> np.ndarray:
        """[series, period] mean demand in units."""
        return np.asarray(self.occur * (self.size_offset[:, None] + self.mean))

    def variance(self) -> np.ndarray:
        """[series, period] variance of demand in units²."""
        size_mean = self.size_offset[:, None] + self.mean
        size_var = self.mean + self.dispersion * self.mean**2
        second = size_var + size_mean**2
        return np.asarray(self.occur * second - (self.occur * size_mean) ** 2)

    def rows(self, rows: np.ndarray | slice) -> Marginals:
        """The marginals of some series."""
        return Marginals(self.occur[rows], self.size_offset[rows], self.mean[rows], self.dispersion[rows])

    def head(self, horizon: int) -> Marginals:
        """The first ``horizon`` periods."""
        return Marginals(
            self.occur[:, :horizon], self.size_offset, self.mean[:, :horizon], self.dispersion[:, :horizon]
        )

    def scaled(self, ratio: np.ndarray) -> Marginals:
        """The same shape of demand with its expected value multiplied by ``ratio`` ([series], or [series,
        horizon] for a factor per period).

        For a hurdle the size is scaled first; when the expected size would fall below one unit the
        occurrence probability absorbs the rest.
        """
        ratio = np.maximum(np.asarray(ratio, dtype=np.float64), 0.0)
        if ratio.ndim == 1:
            ratio = ratio[:, None]
        offset = self.size_offset[:, None]
        size = (offset + self.mean) * ratio
        new_mean = np.maximum(size - offset, 0.0)
        occur = np.where(
            size < offset, self.occur * np.divide(size, offset, out=np.zeros_like(size), where=offset > 0), self.occur
        )
        return Marginals(np.clip(occur, 0.0, 1.0), self.size_offset, new_mean, self.dispersion)

    def upper_bound(self) -> np.ndarray:
        """[series] a value above (practically) all the mass of every period."""
        size_mean = self.size_offset[:, None] + self.mean
        size_sd = np.sqrt(self.mean + self.dispersion * self.mean**2)
        return np.asarray((size_mean + _TAIL_SDS * size_sd + 3.0).max(axis=1))


@dataclass(frozen=True)
class Predictive:
    """A predictive distribution per series: a mixture of :class:`Marginals` components.

    Attributes
    ----------
    components:
        The components (all with the same series and periods).
    weights:
        [series, component] mixture weights, rows summing to one.
    """

    components: tuple[Marginals, ...]
    weights: np.ndarray

    def __post_init__(self) -> None:
        n = self.components[0].n_series
        if self.weights.shape != (n, len(self.components)):
            raise ValueError(f"weights must have shape ({n}, {len(self.components)}), got {self.weights.shape}")

    @staticmethod
    def single(marginals: Marginals) -> Predictive:
        """A one-component predictive distribution."""
        return Predictive((marginals,), np.ones((marginals.n_series, 1)))

    @property
    def n_series(self) -> int:
        """Number of series."""
        return self.components[0].n_series

    @property
    def horizon(self) -> int:
        """Number of periods."""
        return self.components[0].horizon

    def rows(self, rows: np.ndarray | slice) -> Predictive:
        """The distribution of some series."""
        return Predictive(tuple(c.rows(rows) for c in self.components), self.weights[rows])

    def head(self, horizon: int) -> Predictive:
        """The first ``horizon`` periods."""
        return Predictive(tuple(c.head(horizon) for c in self.components), self.weights)

    def expected(self) -> np.ndarray:
        """[series, period] mean demand."""
        return np.asarray(sum(self.weights[:, j, None] * c.expected() for j, c in enumerate(self.components)))

    def grid_step(self, is_count: np.ndarray, grid_points: int = DEFAULT_GRID_POINTS) -> tuple[np.ndarray, int]:
        """[series] grid step covering every component, and the number of grid points needed."""
        upper = np.max(np.stack([c.upper_bound() for c in self.components]), axis=0)
        count = np.asarray(is_count, dtype=bool)
        step = np.where(
            count, np.maximum(1.0, np.ceil(upper / (grid_points - 1))), np.maximum(upper, 1e-9) / (grid_points - 1)
        )
        points = int(min(grid_points, max(2, np.ceil(np.max(upper / step, initial=1.0)) + 1)))
        return step, points

    def component_tables(self, is_count: np.ndarray, grid_points: int = DEFAULT_GRID_POINTS) -> tuple[CdfTable, ...]:
        """One CDF table per component, all on the same per-series grid."""
        count = np.asarray(is_count, dtype=bool)
        step, points = self.grid_step(count, grid_points)
        exact = count
        return tuple(CdfTable(step, _finish(_component_cdf(c, step, points, exact))) for c in self.components)

    def cdf_table(self, is_count: np.ndarray, grid_points: int = DEFAULT_GRID_POINTS) -> CdfTable:
        """The mixture's CDF on a per-series grid (see :class:`CdfTable`)."""
        count = np.asarray(is_count, dtype=bool)
        step, points = self.grid_step(count, grid_points)
        exact = count
        cdf = np.zeros((self.n_series, self.horizon, points))
        for j, comp in enumerate(self.components):
            w = self.weights[:, j]
            if not np.any(w > 0):
                continue
            cdf += w[:, None, None] * _component_cdf(comp, step, points, exact)
        return CdfTable(step=step, cdf=_finish(cdf))


def _finish(cdf: np.ndarray) -> np.ndarray:
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0), axis=2)
    cdf[:, :, -1] = 1.0
    return cdf


def _component_cdf(comp: Marginals, step: np.ndarray, points: int, exact: np.ndarray) -> np.ndarray:
    """[series, period, point] CDF of one component at ``k * step``.

    Counted demand whose grid spans at most ``EXACT_LIMIT`` units gets the exact NB pmf summed on the integers
    (in row blocks to bound memory); wider or non-count ranges use the gamma approximation.
    """
    n, h = comp.mean.shape
    out = np.empty((n, h, points))
    exact = exact & (step * points <= EXACT_LIMIT)
    for s in np.unique(step[exact]):
        rows = np.flatnonzero(exact & (step == s))
        width = int(s) * (points - 1) + 1
        block = max(1, _EXACT_BLOCK // max(width * h, 1))
        for start in range(0, rows.size, block):
            part = rows[start : start + block]
            out[part] = _exact_cdf(comp.rows(part), width)[:, :, :: int(s)]
    approx = ~exact
    if approx.any():
        out[approx] = _gamma_cdf(comp.rows(approx), step[approx], points)
    return out


def _exact_cdf(comp: Marginals, points: int) -> np.ndarray:
    """CDF on the integers 0 .. points-1 from the NB pmf recursion (log space)."""
    m = comp.mean[:, :, None]
    c = comp.dispersion[:, :, None]
    k = np.arange(points - 1, dtype=np.float64)[None, None, :]
    poisson = c < 1e-8
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(poisson, 1.0, 1.0 / np.where(poisson, 1.0, c))
        log_p0 = np.where(poisson, -m, -r * np.log1p(m * np.where(poisson, 0.0, c)))
        ratio_nb = np.log(k + r) - np.log(k + 1.0) + np.log(m) - np.log(r + m)
        ratio_po = np.log(m) - np.log(k + 1.0)
        steps = np.where(poisson, ratio_po, ratio_nb)
    steps = np.where(m > 0, steps, -np.inf)
    log_pmf = np.concatenate([log_p0, log_p0 + np.cumsum(steps, axis=2)], axis=2)
    pmf = np.exp(log_pmf)
    offset = comp.size_offset.astype(np.int64)
    occur = comp.occur[:, :, None]
    shifted = np.where(
        offset[:, None, None] == 1, np.concatenate([np.zeros_like(pmf[:, :, :1]), pmf[:, :, :-1]], axis=2), pmf
    )
    total = occur * shifted
    total[:, :, 0] += 1.0 - occur[:, :, 0]
    return np.asarray(np.cumsum(total, axis=2))


def _gamma_cdf(comp: Marginals, step: np.ndarray, points: int) -> np.ndarray:
    """CDF at ``k * step`` from gamma distributions with the NB part's mean and variance (wide ranges)."""
    m = np.maximum(comp.mean, 1e-12)[:, :, None]
    var = np.maximum(comp.mean + comp.dispersion * comp.mean**2, 1e-12)[:, :, None]
    shape = m * m / var
    rate = m / var
    x = np.arange(points, dtype=np.float64)[None, None, :] * step[:, None, None]
    offset = comp.size_offset[:, None, None]
    xs = x - offset + 0.5 * np.minimum(step[:, None, None], 1.0)
    size_cdf = np.where(xs > 0, special.gdtr(rate, shape, np.maximum(xs, 0.0)), 0.0)
    size_cdf = np.where(comp.mean[:, :, None] > 0, size_cdf, (xs >= 0).astype(np.float64))
    occur = comp.occur[:, :, None]
    return np.asarray((1.0 - occur) + occur * size_cdf)


@dataclass(frozen=True)
class CdfTable:
    """A predictive distribution as a CDF on the grid ``0, step, 2 step, ... (points - 1) step``.

    Attributes
    ----------
    step:
        [series] grid spacing in units (1 for counted demand with a small range).
    cdf:
        [series, period, point] P(demand <= k * step); non-decreasing, last point 1 (the tail beyond the grid
        is put on the last point).
    """

    step: np.ndarray
    cdf: np.ndarray

    @property
    def values(self) -> np.ndarray:
        """[series, point] the grid values in units."""
        return np.asarray(self.step[:, None] * np.arange(self.cdf.shape[2])[None, :])

    def quantiles(self, levels: np.ndarray) -> np.ndarray:
        """[series, period, level] the smallest grid value whose CDF reaches each level."""
        levels = np.asarray(levels, dtype=np.float64)
        idx = np.stack([(self.cdf < q - 1e-12).sum(axis=2) for q in levels], axis=2)
        idx = np.minimum(idx, self.cdf.shape[2] - 1)
        return np.asarray(idx * self.step[:, None, None])

    def mean(self) -> np.ndarray:
        """[series, period] the mean of the gridded distribution."""
        return np.asarray(self.step[:, None] * (1.0 - self.cdf[:, :, :-1]).sum(axis=2))

    def crps(self, actual: np.ndarray) -> np.ndarray:
        """[series, period] continuous ranked probability score of ``actual`` (NaN where actual is NaN).

        On the integer grid this is exact: CRPS = sum_k (F(k) - 1{y <= k})^2 (Gneiting & Raftery 2007, eq. 20,
        discretised); on coarser grids it is the Riemann sum with the grid step.
        """
        grid = self.values[:, None, :]
        below = (actual[:, :, None] <= grid).astype(np.float64)
        score = self.step[:, None] * ((self.cdf - below) ** 2).sum(axis=2)
        beyond = np.maximum(actual - grid[:, :, -1], 0.0)
        return np.where(np.isnan(actual), np.nan, score + beyond)

    def pit(self, actual: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
        """[series, period] randomized probability integral transform of ``actual`` (NaN stays NaN).

        ``u = F(y-) + v (F(y) - F(y-))`` with ``v`` uniform: exactly uniform on [0, 1] when the forecast is
        calibrated, even for counts (Czado, Gneiting & Held 2009, *Biometrics* 65(4)).
        """
        k = self.cdf.shape[2]
        pos = np.clip(np.round(np.nan_to_num(actual) / self.step[:, None]), 0, k - 1).astype(np.int64)
        upper = np.take_along_axis(self.cdf, pos[:, :, None], axis=2)[:, :, 0]
        below = np.take_along_axis(self.cdf, np.maximum(pos - 1, 0)[:, :, None], axis=2)[:, :, 0]
        lower = np.where(pos > 0, below, 0.0)
        upper = np.where(np.nan_to_num(actual) > self.values[:, -1][:, None], 1.0, upper)
        return np.where(np.isnan(actual), np.nan, lower + uniforms * (upper - lower))

    def sample(self, uniforms: np.ndarray) -> np.ndarray:
        """Inverse-CDF draws: uniforms [series, scenario, period] → demand [series, scenario, period]."""
        n, h, k = self.cdf.shape
        s = uniforms.shape[1]
        # Offsetting each (series, period) block by 2 * block keeps one sorted array: one searchsorted call.
        blocks = 2.0 * np.arange(n * h, dtype=np.float64).reshape(n, h)
        flat_cdf = (self.cdf + blocks[:, :, None]).ravel()
        flat_u = np.minimum(uniforms, 1.0 - 1e-12) + blocks[:, None, :]
        pos = np.searchsorted(flat_cdf, flat_u.ravel(), side="left").reshape(n, s, h)
        idx = pos - (np.arange(n * h).reshape(n, 1, h) * k)
        idx = np.clip(idx, 0, k - 1)
        return np.asarray(idx * self.step[:, None, None])
