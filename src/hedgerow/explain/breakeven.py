"""Break-even: the value of a driver at which an action stops paying.

The scenarios are reweighted (exponential tilting, as in importance sampling) so that the driver takes another
value while everything correlated with it moves along: for a binary driver (a lane disrupted) the tilt sets its
probability; for a continuous one (demand over the window) it sets its mean. The action's value under the
tilted probabilities,

    value(θ) = Σ_rows objective_θ(row without the action) - objective_θ(row with it),

uses the costs already simulated for the plan and for the plan without the action, so a break-even costs no new
simulation. Bisection on θ finds where the value crosses zero; when it does not cross within the range the
scenarios can represent, the break-even is reported as absent with the range searched. The tilts are evaluated
33 at a time (two rounds locate the crossing to a thousandth of the range, then linear interpolation).
"""

from __future__ import annotations

import math

import numpy as np

from hedgerow.domain.plan import BreakEven, DriverKind
from hedgerow.explain.drivers import Feature
from hedgerow.explain.words import percent, units

#: Tilts are limited so that at least this share of the scenarios keeps material weight.
MIN_EFFECTIVE_SHARE = 0.05


def tilted(p: np.ndarray, z: np.ndarray, theta: float) -> np.ndarray:
    """Scenario probabilities ``∝ p · exp(θ z)`` (``z`` standardised by the caller)."""
    logw = np.log(np.maximum(p, 1e-300)) + theta * z
    logw -= logw.max()
    w = np.exp(logw)
    return np.asarray(w / w.sum())


def break_even(
    feature: Feature,
    cost_with: np.ndarray,
    cost_without: np.ndarray,
    p: np.ndarray,
    level: float,
    aversion: float,
    *,
    subject: str,
    per_period: float = 1.0,
) -> BreakEven | None:
    """Where ``feature`` makes the action stop paying.

    Parameters
    ----------
    feature:
        The driver and its value per scenario.
    cost_with, cost_without:
        [S] or [R, S]: cost of each item-location the action touches with the plan and with the plan minus the
        action (the objective is taken per item-location and summed).
    p:
        [S] scenario probabilities.
    level, aversion:
        CVaR level and weight of the objective.
    subject:
        Plain words for the driver in a sentence, e.g. "the chance of LA port disruption" or "average weekly
        demand at Tokyo".
    per_period:
        Divide continuous driver values by this for display (e.g. window length → per period).
    """
    z = feature.values.astype(np.float64)
    if np.ptp(z) <= 0:
        return None
    zs = (z - float(p @ z)) / float(np.sqrt(p @ (z - p @ z) ** 2))
    # risk is measured per item-location: the objective of every row the action touches, summed
    without, with_ = np.atleast_2d(cost_without), np.atleast_2d(cost_with)
    n_rows = without.shape[0]
    costs = np.concatenate([without, with_])
    order = np.argsort(-costs, axis=1, kind="stable")  # the costs do not move with the weights: sort once
    sorted_costs = np.take_along_axis(costs, order, axis=1)
    beta = 1.0 - level

    def weights(thetas: np.ndarray) -> np.ndarray:
        logw = np.log(np.maximum(p, 1e-300))[None, :] + thetas[:, None] * zs[None, :]
        logw -= logw.max(axis=1, keepdims=True)
        w = np.exp(logw)
        return np.asarray(w / w.sum(axis=1, keepdims=True))

    def values(thetas: np.ndarray) -> np.ndarray:
        """The action's value under each tilt, all at once: [K]."""
        w = weights(thetas)  # [K, S]
        ws = w[:, order]  # [K, 2, S]
        before = np.cumsum(ws, axis=2) - ws
        tail = (np.clip(beta - before, 0.0, ws) * sorted_costs[None]).sum(axis=2) / beta
        obj = (1.0 - aversion) * (w @ costs.T) + aversion * tail  # [K, 2R]
        return np.asarray(obj[:, :n_rows].sum(axis=1) - obj[:, n_rows:].sum(axis=1))

    def driver_value(theta: float) -> float:
        return float(weights(np.array([theta]))[0] @ z)

    # widest tilts the scenarios support (effective sample size of at least MIN_EFFECTIVE_SHARE)
    ladder = 2.0 ** np.arange(0, 7)
    w_probe = weights(np.concatenate([-ladder, ladder]))
    ess = 1.0 / (w_probe**2).sum(axis=1) / p.size
    ok = ess >= MIN_EFFECTIVE_SHARE
    lo = -float(ladder[: ladder.size][ok[: ladder.size]].max()) if ok[: ladder.size].any() else -0.5
    hi = float(ladder[ok[ladder.size :]].max()) if ok[ladder.size :].any() else 0.5
    v0, v_lo, v_hi = values(np.array([0.0, lo, hi]))
    # the side where the value falls: toward low driver values if it pays when the driver is high
    pays_when = "above" if v_hi >= v_lo else "below"
    end_theta = lo if pays_when == "above" else hi
    found: float | None = None
    v_end = v_lo if pays_when == "above" else v_hi
    if (v0 > 0) != (v_end > 0) and v0 != 0:
        a, b = 0.0, end_theta
        for _ in range(2):  # two rounds of 33 tilts: the crossing to 1/1000 of the range
            grid = np.linspace(a, b, 33)
            v = values(grid)
            cross = np.flatnonzero((v[:-1] > 0) != (v[1:] > 0))
            if cross.size == 0:
                break
            k = int(cross[0])
            a, b = float(grid[k]), float(grid[k + 1])
            va, vb = float(v[k]), float(v[k + 1])
        t_star = a + (b - a) * (va / (va - vb)) if va != vb else 0.5 * (a + b)
        found = driver_value(t_star)
    d = feature.driver
    current = driver_value(0.0)
    searched = sorted((driver_value(lo), driver_value(hi)))
    scale = per_period if not feature.binary else 1.0
    side = "falls below" if pays_when == "above" else "rises above"
    if feature.binary:
        unit = "probability"
        if found is None:
            label = f"pays off whatever {subject}, from {percent(searched[0])} to {percent(searched[1])}"
        else:
            label = f"stops paying if {subject} {side} {percent(found)} (now {percent(current)})"
    else:
        unit = "units per period" if d.kind in _DEMAND else d.unit
        if found is None:
            label = (
                f"pays off whatever {subject}, from {_fmt(searched[0] / scale, d.kind)} to "
                f"{_fmt(searched[1] / scale, d.kind)} (now {_fmt(current / scale, d.kind)})"
            )
        else:
            label = (
                f"stops paying if {subject} {side} {_fmt(found / scale, d.kind)} (now {_fmt(current / scale, d.kind)})"
            )
    return BreakEven(
        driver=d.kind,
        subject=d.subject,
        label=label,
        current_value=current / scale,
        break_even_value=None if found is None else found / scale,
        unit=unit,
        pays_when=pays_when,
        searched_from=searched[0] / scale,
        searched_to=searched[1] / scale,
    )


_DEMAND = (DriverKind.DEMAND_LEVEL, DriverKind.SOURCE_DEMAND, DriverKind.DEMAND_SHIFT)


def _fmt(value: float, kind: DriverKind) -> str:
    if not math.isfinite(value):
        return "n/a"
    if kind in _DEMAND:
        return units(round(value) if abs(value) >= 10 else float(f"{value:.2g}"))
    return f"{value:.3g}"
