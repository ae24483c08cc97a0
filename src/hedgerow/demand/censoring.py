"""Censored demand: sales in a period with a stockout are a lower bound of demand, not demand.

A model fitted on raw sales learns that demand falls whenever shelves are empty and then plans too little
stock, which causes more stockouts (the "spiral down" of Cooper, Homem-de-Mello & Kleywegt 2006, *Oper. Res.*
54(5)). We unconstrain the history once, before any model sees it.

Model: within a period, demand arrives as a Poisson process whose rate (per period) is gamma-distributed
around the level ``mu_t`` with shape ``r = 1 / c`` (so that period demand is NB2(mu_t, c), the engine's
observation model). A period with stockout share ``f`` was in stock for ``1 - f`` of its length and sold
``S`` units then. By Poisson-gamma conjugacy (Gelman et al., *Bayesian Data Analysis*, 3rd ed., sec. 2.6) the
posterior mean rate is ``(r + S) / (r / mu_t + 1 - f)``, so the expected demand of the period is

    E[D | S, f] = S + f * (r + S) / (r / mu_t + 1 - f).

Limits: ``f = 0`` gives ``S`` (nothing lost); ``f = 1`` with ``S = 0`` gives ``mu_t`` (the period says nothing);
``r -> infinity`` gives ``S + f mu_t`` (Poisson demand). The level ``mu_t`` is the one-step forecast of a
local-level filter (simple exponential smoothing, ``alpha``) that is itself fed the unconstrained values, and
the dispersion ``c`` is estimated from the uncensored one-step errors; a second pass re-estimates ``c`` on the
completed series (an expectation-maximisation style iteration, Dempster, Laird & Rubin 1977).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.demand.models.base import nb_dispersion


@dataclass(frozen=True)
class Unconstrained:
    """Demand history with censored periods replaced by their conditional expectation.

    Attributes
    ----------
    demand:
        [series, period] demand estimate: sales where uncensored, E[D | sales, stockout share] where censored,
        NaN unknown.
    censored:
        [series, period] True where the sales were a lower bound.
    dispersion:
        [series] NB2 dispersion of the one-step errors used for the imputation.
    """

    demand: np.ndarray
    censored: np.ndarray
    dispersion: np.ndarray


def expected_demand(sales: np.ndarray, stockout: np.ndarray, level: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """E[demand | sales S while in stock, stockout share f] under the Poisson-gamma model (see module doc).

    Parameters
    ----------
    sales:
        Units sold in the period (S).
    stockout:
        Share of the period out of stock (f), in [0, 1].
    level:
        Expected demand of the period (mu_t), in units.
    dispersion:
        NB2 dispersion c (0 = Poisson).
    """
    s = np.maximum(np.asarray(sales, dtype=np.float64), 0.0)
    f = np.clip(np.asarray(stockout, dtype=np.float64), 0.0, 1.0)
    mu = np.maximum(np.asarray(level, dtype=np.float64), 1e-9)
    c = np.maximum(np.asarray(dispersion, dtype=np.float64), 0.0)
    poisson = c < 1e-9
    r = 1.0 / np.where(poisson, 1.0, c)
    gamma_part = f * (r + s) / (r / mu + 1.0 - f)
    return np.asarray(s + np.where(poisson, f * mu, gamma_part))


def demand_variance(sales: np.ndarray, stockout: np.ndarray, level: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """Var[demand | sales, stockout share] under the same model: the variance of the lost demand.

    Lost demand is Poisson(f * lambda) with lambda ~ Gamma(r + S, r / mu + 1 - f) a posteriori, so its variance
    is ``f m + f^2 v`` with ``m`` and ``v`` the posterior mean and variance of the rate.
    """
    s = np.maximum(np.asarray(sales, dtype=np.float64), 0.0)
    f = np.clip(np.asarray(stockout, dtype=np.float64), 0.0, 1.0)
    mu = np.maximum(np.asarray(level, dtype=np.float64), 1e-9)
    c = np.maximum(np.asarray(dispersion, dtype=np.float64), 0.0)
    poisson = c < 1e-9
    r = 1.0 / np.where(poisson, 1.0, c)
    rate = r / mu + 1.0 - f
    post_mean = np.where(poisson, mu, (r + s) / rate)
    post_var = np.where(poisson, 0.0, (r + s) / rate**2)
    return np.asarray(f * post_mean + f * f * post_var)


def unconstrain(y: np.ndarray, stockout: np.ndarray, *, alpha: float = 0.2, passes: int = 2) -> Unconstrained:
    """Replace censored sales by their expected demand given the stockout share (see module doc).

    Parameters
    ----------
    y:
        [series, period] units sold (NaN = unknown).
    stockout:
        [series, period] share of the period out of stock; > 0 marks the sales as a lower bound.
    alpha:
        Smoothing constant of the level filter, in (0, 1].
    passes:
        Number of filter passes (dispersion re-estimated between passes).
    """
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    y = np.asarray(y, dtype=np.float64)
    censored = (np.asarray(stockout) > 0) & ~np.isnan(y)
    if not censored.any():
        return Unconstrained(y.copy(), censored, np.zeros(y.shape[0]))
    fitted = _level_filter(np.where(censored, np.nan, y), alpha)
    disp = nb_dispersion(np.where(censored, np.nan, y), fitted)
    share = np.asarray(stockout, dtype=np.float64)
    demand = y.copy()
    for _ in range(max(1, passes)):
        demand = _impute_pass(y, share, censored, disp, alpha)
        fitted = _level_filter(demand, alpha)
        extra = np.where(censored, demand_variance(y, share, fitted, disp[:, None]), 0.0)
        disp = nb_dispersion(demand, fitted, extra_variance=extra)
    return Unconstrained(demand, censored, disp)


def _level_filter(y: np.ndarray, alpha: float) -> np.ndarray:
    """[series, period] one-step-ahead level of simple exponential smoothing (NaN before the first value)."""
    n, t_len = y.shape
    level = np.full(n, np.nan)
    fitted = np.full((n, t_len), np.nan)
    for t in range(t_len):
        fitted[:, t] = level
        v = y[:, t]
        known = ~np.isnan(v)
        start = known & np.isnan(level)
        level = np.where(start, v, level)
        update = known & ~start
        level = np.where(update, level + alpha * (v - level), level)
    return fitted


def _impute_pass(
    y: np.ndarray, stockout: np.ndarray, censored: np.ndarray, disp: np.ndarray, alpha: float
) -> np.ndarray:
    n, t_len = y.shape
    level = np.full(n, np.nan)
    out = y.copy()
    for t in range(t_len):
        v = y[:, t].copy()
        cens = censored[:, t] & ~np.isnan(level)
        if cens.any():
            v[cens] = expected_demand(v[cens], stockout[cens, t], level[cens], disp[cens])
        out[:, t] = v
        known = ~np.isnan(v)
        start = known & np.isnan(level)
        level = np.where(start, v, level)
        update = known & ~start
        level = np.where(update, level + alpha * (v - level), level)
    return out
