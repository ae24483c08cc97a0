"""Driver effects: how much planned prices and promotions move demand, per item and pooled over a panel.

A smoothing family (SES, TSB, Croston) knows nothing of next week's promotion: it chases last promotion's spike
and misses the next one. This module measures what each driver does to demand and hands the engine a
multiplier per series and period, so that history is *de-promoted* before the families fit it and forecasts are
*re-promoted* with the planned drivers (the drivers known ahead, ``SeriesPanel.future_drivers``).

**Model** (quasi-Poisson regression with levels profiled out)::

    E[y_it] = a_g(i,t) · exp(β · x_it)

* ``a_g`` is a level per series and block of ``level_block`` periods (counted back from the last period), so
  trend and season stay in the levels and do not leak into ``β``; given ``β`` its maximum-likelihood value is
  ``Σ y / Σ exp(β·x)`` over the block, so only ``β`` is solved for (Newton's method with a small ridge).
* ``x_it`` are the drivers, transformed so that one ``β`` means the same for every series:

  - a *flag* (a driver that only takes 0 and 1 in the history: feature, display, promotion) enters as is —
    ``exp(β)`` is its lift;
  - a *positive* driver (a price: positive in at least 90 % of the periods with demand; a 0 there means no
    price was recorded and counts as the usual value) enters as ``log(value / usual value of the series)`` —
    ``β`` is an elasticity;
  - any other driver as ``(value − usual) / its standard deviation over the panel``.

* Standard errors are the Poisson ones scaled by the Pearson dispersion (demand is overdispersed); an effect
  with ``|β| / se < min_z`` is dropped (the weakest first, then the others are refitted: of two collinear
  drivers, such as a promotion flag and its price cut, one stays), so a driver that does nothing leaves the
  forecasts alone. A multiplier is clipped to ``[1 / max_multiplier, max_multiplier]``.

**Items differ.** The pooled fit decides which drivers matter; then, given ``groups`` (the engine passes the
item of every series), each item's coefficients are refitted on its own series with a penalty pulling them
towards the pooled ones (``group_prior``, in units of Poisson information: an item with a few hundred promoted
units is pulled hard, one with tens of thousands speaks for itself). A cereal whose feature ads triple its sales
and a toothpaste they barely move keep their own lifts; a new item starts from the pool.

Sources: the Poisson fixed-effects ("conditional") estimator, Hausman, Hall & Griliches (1984), *Econometrica*
52(4); quasi-likelihood standard errors, McCullagh & Nelder (1989), *Generalized Linear Models*, §9.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np


class DriverKind(StrEnum):
    """How a driver enters the regression (module docstring)."""

    FLAG = "flag"
    LOG_RATIO = "log_ratio"
    STANDARDISED = "standardised"


@dataclass(frozen=True)
class DriverEffectsConfig:
    """Settings of the driver regression.

    Attributes
    ----------
    level_block:
        Periods sharing one level per series (13 weeks: a quarter, short enough for season and trend).
    ridge:
        L2 penalty on ``β`` (in units of the Poisson information; keeps collinear drivers finite).
    min_z:
        Smallest ``|β| / se`` for an effect to be kept.
    max_multiplier:
        Largest factor a driver combination may apply to demand (and smallest, inverted).
    max_iterations:
        Newton iterations per fit.
    group_prior:
        Pull of a group's coefficients towards the pooled ones, in units of Poisson information (the information
        of a flag is about the number of units sold in its periods).
    """

    level_block: int = 13
    ridge: float = 1.0
    min_z: float = 2.0
    max_multiplier: float = 10.0
    max_iterations: int = 50
    group_prior: float = 1000.0

    def __post_init__(self) -> None:
        if self.level_block < 2:
            raise ValueError(f"level_block must be at least 2 periods, got {self.level_block}")
        if self.ridge < 0:
            raise ValueError(f"ridge must be >= 0, got {self.ridge}")
        if self.max_multiplier <= 1.0:
            raise ValueError(f"max_multiplier must be > 1, got {self.max_multiplier}")
        if self.max_iterations < 1:
            raise ValueError(f"max_iterations must be at least 1, got {self.max_iterations}")


@dataclass(frozen=True)
class DriverEffects:
    """Fitted driver effects of a panel (module docstring).

    Attributes
    ----------
    names:
        Driver names, in the panel's order.
    kinds:
        How each driver enters (:class:`DriverKind`).
    usual:
        [series, driver] the usual value of each driver per series (the reference of ``LOG_RATIO`` and
        ``STANDARDISED``).
    scale:
        [driver] spread dividing a ``STANDARDISED`` driver (1 for the others).
    coef:
        [driver] ``β``: log-lift of a flag, elasticity of a positive driver, log-effect of one spread; 0 where
        the effect was dropped.
    z:
        [driver] ``β / se`` at the final fit (0 where dropped).
    max_multiplier:
        Clip of the multiplier.
    series_coef:
        [series, driver] the coefficients each series uses: its group's (an item's) own estimate shrunk towards
        ``coef``; ``coef`` for every series when no groups were given.
    """

    names: tuple[str, ...]
    kinds: tuple[DriverKind, ...]
    usual: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    z: np.ndarray
    max_multiplier: float
    series_coef: np.ndarray

    @property
    def active(self) -> bool:
        """True when some driver moves demand."""
        return bool(np.any(self.coef != 0.0))

    def lifts(self) -> dict[str, float]:
        """``exp(β)`` per driver kept: the factor on demand of one unit of the transformed driver."""
        return {n: float(np.exp(c)) for n, c in zip(self.names, self.coef, strict=True) if c != 0.0}

    def features(self, drivers: np.ndarray) -> np.ndarray:
        """[series, period, driver] transformed drivers of ``drivers`` [series, period, driver]."""
        return _features(drivers, self.kinds, self.usual, self.scale)

    def multiplier(self, drivers: np.ndarray) -> np.ndarray:
        """[series, period] factor the drivers ``drivers`` [series, period, driver] apply to demand."""
        n, t = drivers.shape[:2]
        if not self.active:
            return np.ones((n, t))
        eta = np.einsum("std,sd->st", self.features(drivers), self.series_coef)
        cap = float(np.log(self.max_multiplier))
        return np.asarray(np.exp(np.clip(eta, -cap, cap)), dtype=np.float64)


def driver_kinds(drivers: np.ndarray, observed: np.ndarray) -> tuple[DriverKind, ...]:
    """How each driver enters, read off its values [series, period, driver] where ``observed`` [series, period]."""
    kinds = []
    for d in range(drivers.shape[2]):
        values = drivers[:, :, d][observed]
        values = values[np.isfinite(values)]
        if values.size and np.all((values == 0.0) | (values == 1.0)):
            kinds.append(DriverKind.FLAG)
        elif values.size and float(np.mean(values > 0.0)) >= _POSITIVE_SHARE:
            kinds.append(DriverKind.LOG_RATIO)
        else:
            kinds.append(DriverKind.STANDARDISED)
    return tuple(kinds)


#: A driver positive in at least this share of the observed periods is a price-like driver (LOG_RATIO); its
#: other values (0 where no price was recorded, a DC that sells nothing) count as the usual value.
_POSITIVE_SHARE = 0.9


def _features(drivers: np.ndarray, kinds: tuple[DriverKind, ...], usual: np.ndarray, scale: np.ndarray) -> np.ndarray:
    x = np.zeros(drivers.shape)
    for d, kind in enumerate(kinds):
        v = drivers[:, :, d]
        ref = usual[:, d][:, None]
        if kind is DriverKind.FLAG:
            x[:, :, d] = v
        elif kind is DriverKind.LOG_RATIO:
            with np.errstate(invalid="ignore", divide="ignore"):
                x[:, :, d] = np.where((v > 0) & (ref > 0), np.log(v / ref), 0.0)
        else:
            x[:, :, d] = (v - ref) / scale[d]
    return np.where(np.isfinite(x), x, 0.0)


def fit_driver_effects(
    y: np.ndarray,
    drivers: np.ndarray,
    usual: np.ndarray,
    names: tuple[str, ...],
    config: DriverEffectsConfig | None = None,
    groups: np.ndarray | None = None,
) -> DriverEffects:
    """Fit the driver effects of a panel (module docstring).

    Parameters
    ----------
    y:
        [series, period] demand, units (NaN = unknown, skipped).
    drivers:
        [series, >= period, driver] driver values; the first ``y.shape[1]`` periods are used.
    usual:
        [series, driver] usual value of each driver per series (``SeriesPanel.driver_fill``).
    names:
        Driver names.
    config:
        Regression settings.
    groups:
        [series] group of each series (its item): each group gets its own coefficients, shrunk towards the pooled
        ones (``DriverEffectsConfig.group_prior``); a group with little data keeps the pooled effect.
    """
    cfg = config or DriverEffectsConfig()
    n, t = y.shape
    k = len(names)
    if drivers.shape[0] != n or drivers.shape[1] < t or drivers.shape[2] != k:
        raise ValueError(f"drivers must have shape ({n}, >= {t}, {k}), got {drivers.shape}")
    if usual.shape != (n, k):
        raise ValueError(f"usual must have shape ({n}, {k}), got {usual.shape}")
    hist = drivers[:, :t]
    observed = np.isfinite(y)
    kinds = driver_kinds(hist, observed)
    scale = np.ones(k)
    for d, kind in enumerate(kinds):
        if kind is DriverKind.STANDARDISED:
            dev = (hist[:, :, d] - usual[:, d][:, None])[observed]
            sd = float(np.nanstd(dev)) if dev.size else 0.0
            scale[d] = sd if sd > 0 else 1.0
    x = _features(hist, kinds, usual, scale)
    yy = np.where(observed, y, 0.0)
    coef = np.zeros(k)
    z = np.zeros(k)
    keep = np.array([bool(np.any(x[:, :, d][observed] != 0.0)) for d in range(k)], dtype=bool)
    if t == 0 or not keep.any() or float(yy.sum()) <= 0.0:
        return DriverEffects(names, kinds, usual.copy(), scale, coef, z, cfg.max_multiplier, np.zeros((n, k)))
    blocks = (t - 1 - np.arange(t))[::-1] // cfg.level_block  # counted back from the last period
    group = (np.arange(n)[:, None] * (int(blocks.max()) + 1) + blocks[None, :]).ravel()
    while keep.any():
        beta, se = _newton(yy.ravel(), x.reshape(n * t, k)[:, keep], observed.ravel(), group, cfg)
        zk = np.divide(beta, se, out=np.zeros_like(beta), where=se > 0)
        weakest = int(np.argmin(np.abs(zk)))
        if abs(float(zk[weakest])) >= cfg.min_z:
            coef[keep], z[keep] = beta, zk
            break
        keep[np.flatnonzero(keep)[weakest]] = False  # backward elimination: collinear drivers keep the stronger
    series_coef = np.tile(coef, (n, 1))
    if groups is not None and keep.any():
        if groups.shape != (n,):
            raise ValueError(f"groups must have shape ({n},), got {groups.shape}")
        kept = np.flatnonzero(keep)
        for g in np.unique(groups):
            rows = np.flatnonzero(groups == g)
            sub = x[rows][:, :, kept].reshape(rows.size * t, kept.size)
            sub_group = (np.arange(rows.size)[:, None] * (int(blocks.max()) + 1) + blocks[None, :]).ravel()
            beta, _ = _newton(
                yy[rows].ravel(), sub, observed[rows].ravel(), sub_group, cfg, coef[kept], cfg.group_prior
            )
            series_coef[np.ix_(rows, kept)] = beta
    return DriverEffects(names, kinds, usual.copy(), scale, coef, z, cfg.max_multiplier, series_coef)


def _newton(
    y: np.ndarray,
    x: np.ndarray,
    observed: np.ndarray,
    group: np.ndarray,
    cfg: DriverEffectsConfig,
    prior: np.ndarray | None = None,
    prior_weight: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``β`` and its quasi-Poisson standard errors, levels per ``group`` profiled out (module docstring); with
    ``prior``, ``β`` is shrunk towards it with the penalty ``prior_weight`` instead of the ridge towards 0."""
    p = x.shape[1]
    n_groups = int(group.max()) + 1
    y_sum = np.bincount(group, weights=y, minlength=n_groups)
    centre = np.zeros(p) if prior is None else prior
    weight = cfg.ridge if prior is None else prior_weight
    beta = centre.copy()
    mu = np.zeros_like(y)
    info = np.eye(p)
    ridge = weight * np.eye(p)
    for _ in range(cfg.max_iterations):
        e = np.exp(np.clip(x @ beta, -30.0, 30.0)) * observed
        e_sum = np.bincount(group, weights=e, minlength=n_groups)
        level = np.divide(y_sum, e_sum, out=np.zeros(n_groups), where=e_sum > 0)
        mu = level[group] * e
        grad = x.T @ (y - mu) - weight * (beta - centre)
        info = (x * mu[:, None]).T @ x
        step = np.linalg.solve(info + ridge, grad)
        step = np.clip(step, -1.0, 1.0)  # damped: a first step from 0 can overshoot on a strong promotion
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-7:
            break
    used = observed & (mu > 0)
    dof = max(int(used.sum()) - p - int(np.count_nonzero(y_sum)), 1)
    pearson = float(np.sum((y[used] - mu[used]) ** 2 / mu[used])) / dof
    cov = np.linalg.inv(info + ridge) * max(pearson, 1.0)
    return beta, np.sqrt(np.maximum(np.diag(cov), 0.0))
