"""Calibration of disruption regimes on public series (pure: frames in, numbers out).

Two regime variables are calibrated (docs/supply.md lists the resulting constants and what stays assumed):

* **Global supply pressure** — NY Fed GSCPI (Benigno, di Giovanni, Groen & Noble 2022), monthly, in standard
  deviations. The pressured regime is ``GSCPI > threshold`` (1.0 sd). Its long-run share is the base rate of
  disruption used when a feed is missing, and its monthly persistence gives the mean regime duration.
* **Port congestion** — BTS weekly counts of containerships waiting at US ports (2021-07 … 2025-03). Each
  series is read relative to its calm baseline (median of its last 52 weeks): ``ratio = (v + 1)/(b + 1)``.
  A port is congested when the ratio reaches :data:`CONGESTED_RATIO`; a logistic regression of
  "congested ``horizon`` weeks later" on ``log ratio`` today gives the value → probability map, and the
  run lengths of congested spells give the persistence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import minimize

#: A port is congested when its waiting-vessel count is at least this multiple of its calm baseline (+1 each).
CONGESTED_RATIO = 3.0


@dataclass(frozen=True)
class RegimeCalibration:
    """Base rate and persistence of a two-state regime.

    Attributes
    ----------
    base_rate:
        Long-run share of time in the disrupted state.
    stay_per_step:
        Probability of staying disrupted from one step (month or week) to the next.
    mean_duration_steps:
        Mean length of a disrupted spell, ``1 / (1 − stay)``, in steps.
    n_steps:
        Observations behind the estimate.
    """

    base_rate: float
    stay_per_step: float
    mean_duration_steps: float
    n_steps: int


def regime_from_flags(flags: np.ndarray) -> RegimeCalibration:
    """Base rate and first-order persistence of a boolean regime series (in time order)."""
    f = np.asarray(flags, dtype=bool)
    if f.size < 2:
        raise ValueError("need at least two observations to estimate persistence")
    prev, nxt = f[:-1], f[1:]
    stay = float((prev & nxt).sum() / max(prev.sum(), 1))
    return RegimeCalibration(float(f.mean()), stay, 1.0 / max(1.0 - stay, 1e-9), int(f.size))


def calibrate_gscpi(gscpi: pd.DataFrame, threshold: float = 1.0) -> RegimeCalibration:
    """Pressured regime ``gscpi > threshold`` from a frame with columns ``date`` and ``gscpi`` (monthly)."""
    ordered = gscpi.sort_values("date")
    return regime_from_flags(ordered["gscpi"].to_numpy(dtype=float) > threshold)


@dataclass(frozen=True)
class LogisticMap:
    """``p = 1 / (1 + exp(−(intercept + slope · x)))`` with ``x = log((value + 1) / (baseline + 1))``."""

    intercept: float
    slope: float
    n_obs: int

    def probability(self, log_ratio: np.ndarray | float) -> np.ndarray:
        """Probability of congestion at the calibrated horizon for a given log ratio."""
        z = self.intercept + self.slope * np.asarray(log_ratio, dtype=float)
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


def fit_logistic(x: np.ndarray, y: np.ndarray) -> LogisticMap:
    """Maximum-likelihood logistic regression of binary ``y`` on one regressor ``x``."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def nll(beta: np.ndarray) -> float:
        z = beta[0] + beta[1] * xa
        return float(np.sum(np.logaddexp(0.0, z) - ya * z))

    res = minimize(nll, np.zeros(2), method="BFGS")
    return LogisticMap(float(res.x[0]), float(res.x[1]), int(xa.size))


def port_log_ratios(congestion: pd.DataFrame, baseline_weeks: int = 52) -> pd.DataFrame:
    """Per BTS series (``port_or_region``): date, vessels, calm baseline and ``log_ratio``, in time order."""
    parts = []
    for name, series in congestion.groupby("port_or_region", sort=True):
        s = series.sort_values("date")
        baseline = float(np.median(s["vessels"].to_numpy(dtype=float)[-baseline_weeks:]))
        v = s["vessels"].to_numpy(dtype=float)
        parts.append(
            pd.DataFrame(
                {
                    "port": name,
                    "date": s["date"].to_numpy(),
                    "vessels": v,
                    "baseline": baseline,
                    "log_ratio": np.log((v + 1.0) / (baseline + 1.0)),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class PortCalibration:
    """Port-congestion value → probability map and persistence of congested spells (weekly)."""

    logistic: LogisticMap
    regime: RegimeCalibration
    horizon_weeks: int
    median_baseline_vessels: float


def calibrate_port_congestion(congestion: pd.DataFrame, horizon_weeks: int = 4) -> PortCalibration:
    """Fit the map and persistence on a frame with ``date``, ``port_or_region``, ``vessels`` (BTS layout)."""
    ratios = port_log_ratios(congestion)
    threshold = np.log(CONGESTED_RATIO)
    xs, ys, flags = [], [], []
    for _name, s in ratios.groupby("port", sort=True):
        lr = s["log_ratio"].to_numpy()
        congested = lr >= threshold
        xs.append(lr[:-horizon_weeks])
        ys.append(congested[horizon_weeks:])
        flags.append(congested)
    logistic = fit_logistic(np.concatenate(xs), np.concatenate(ys))
    # persistence pooled over series: transitions counted within each series
    stay_num = sum(int((f[:-1] & f[1:]).sum()) for f in flags)
    stay_den = sum(int(f[:-1].sum()) for f in flags)
    all_flags = np.concatenate(flags)
    stay = stay_num / max(stay_den, 1)
    regime = RegimeCalibration(float(all_flags.mean()), stay, 1.0 / max(1.0 - stay, 1e-9), int(all_flags.size))
    baselines = ratios.groupby("port")["baseline"].first().to_numpy()
    return PortCalibration(logistic, regime, horizon_weeks, float(np.median(baselines)))
