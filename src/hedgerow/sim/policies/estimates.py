"""What a planner estimates from the past: trailing demand statistics, lead times, critical ratios.

Shared by the baseline policies so that they all read the same history the same way. Everything here is a pure
function of a :class:`~hedgerow.sim.history.HistoryView`.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from hedgerow.sim.history import HistoryView


def trailing_stats(demand: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (ddof = 1) of the last ``window`` periods of ``demand`` [il, t].

    With fewer than two past periods the standard deviation falls back to √mean (Poisson), with none both are 0.
    Units: those of ``demand`` per period.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 period, got {window}")
    recent = demand[:, max(0, demand.shape[1] - window) :]
    n_obs = recent.shape[1]
    if n_obs == 0:
        zeros = np.zeros(demand.shape[0])
        return zeros, zeros.copy()
    mean = recent.mean(axis=1)
    if n_obs < 2:
        return mean, np.sqrt(mean)
    return mean, recent.std(axis=1, ddof=1)


def inherit_from_children(values: np.ndarray, missing: np.ndarray, view: HistoryView) -> np.ndarray:
    """Fill ``values`` of item-locations where ``missing`` (a DC with no customers of its own) with the mean over
    the item-locations it supplies, level by level from the stores up. Others are returned unchanged."""
    out = values.astype(np.float64, copy=True)
    todo = missing.copy()
    parent = view.parent
    for level in range(1, int(view.echelon.max(initial=0)) + 1):
        kids = np.flatnonzero(parent >= 0)
        kids = kids[view.echelon[parent[kids]] == level]
        if not kids.size:
            continue
        n = values.shape[0]
        total = np.bincount(parent[kids], weights=out[kids], minlength=n)
        count = np.bincount(parent[kids], minlength=n)
        fill = todo & (view.echelon == level) & (count > 0)
        out[fill] = total[fill] / count[fill]
        todo &= ~fill
    return out


def shortage_penalty(view: HistoryView) -> np.ndarray:
    """[il] penalty of a unit short, base currency: the view's, and for a DC the mean over the item-locations it
    supplies (its shortages become theirs)."""
    return inherit_from_children(view.shortage, view.shortage <= 0, view)


def margin_rate(view: HistoryView) -> np.ndarray:
    """[il] unit margin as a share of the price; a DC inherits the mean over the item-locations it supplies."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(view.unit_price > 0, view.unit_margin / view.unit_price, 0.0)
    return inherit_from_children(rate, view.unit_price <= 0, view)


def critical_ratio(penalty: np.ndarray, holding: np.ndarray) -> np.ndarray:
    """Newsvendor critical ratio ``b / (b + h)`` of a shortage penalty ``b`` and a holding cost ``h`` per period.

    Source: Porteus (2002), *Foundations of Stochastic Inventory Theory*, §1.2; Snyder & Shen (2019), eq. (4.16).
    Where both are 0 the ratio is 0.5.
    """
    total = penalty + holding
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, penalty / total, 0.5)


def z_score(service: np.ndarray) -> np.ndarray:
    """Standard normal quantile Φ⁻¹(service) (the safety factor z of a cycle service level)."""
    return np.asarray(norm.ppf(service), dtype=np.float64)


def lead_time_periods(view: HistoryView) -> np.ndarray:
    """[il] the lead time a planner would plan with: the mean of the lead times observed so far (periods), or the
    primary lane's planned transit while no order has arrived."""
    return np.asarray(view.lead_time_mean, dtype=np.float64)
