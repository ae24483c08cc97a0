"""Closed forms for service floors under lost sales: how much to add, or how much may leave, per scenario.

Two facts of the lost-sales flow (:func:`hedgerow.plan.costs.simulate`) make floor quantities computable from
one simulated path instead of a bisection of many simulations:

* **Adding** ``q`` units available from period ``a``: the extra units are sold at the first stockouts from
  ``a`` on, so they remove lost sales in chronological order. The floor window ``[f, W)`` becomes free of lost
  sales iff no lost sale in it happens before ``a`` and ``q >= Σ_{t=a}^{t*} lost_t`` with ``t*`` the last
  period of the window with a lost sale.
* **Removing** ``q`` units at period 0: the deficit shrinks to ``d_t = min(d_{t-1}, stock_t)``, so a period
  ``t`` that had no lost sale gets one iff ``min(q, min_{τ<t} stock_τ) > stock_t``.

With per-scenario thresholds, the floor (probability of a lost sale in the window at most ``limit``) is met by
the smallest (adding) or largest (removing) quantity read off a weighted quantile.
"""

from __future__ import annotations

import numpy as np

from hedgerow.plan.costs import STOCKOUT_EPS


def _window_mask(tw: int, floor_from: np.ndarray, floor_to: np.ndarray) -> np.ndarray:
    t = np.arange(tw)[None, :]
    return np.asarray((t >= floor_from[:, None]) & (t < floor_to[:, None]))  # [P, Tw]


def min_add_for_floor(
    lost: np.ndarray,
    arrival: np.ndarray,
    floor_from: np.ndarray,
    floor_to: np.ndarray,
    weight: np.ndarray,
    limit: np.ndarray,
) -> np.ndarray:
    """[P] smallest quantity arriving at ``arrival`` [P, S] (period index; ``Tw`` = after the window) that
    brings the stockout probability of each row down to ``limit`` [P] (``inf`` when impossible).

    ``lost`` [P, S, Tw] are the lost units per period without the addition.
    """
    p_rows, n_s, tw = lost.shape
    win = _window_mask(tw, floor_from, floor_to)[:, None, :]  # [P, 1, Tw]
    out_in_win = (lost > STOCKOUT_EPS) & win  # [P, S, Tw]
    t = np.arange(tw)[None, None, :]
    any_out = out_in_win.any(axis=2)
    t_last = np.where(any_out, tw - 1 - np.argmax(out_in_win[:, :, ::-1], axis=2), -1)  # [P, S]
    too_early = (out_in_win & (t < arrival[:, :, None])).any(axis=2)
    cum = np.concatenate([np.zeros((p_rows, n_s, 1)), np.cumsum(lost, axis=2)], axis=2)  # cum[t] = Σ_{τ<t}
    a = np.minimum(arrival, tw)
    take = np.take_along_axis
    need = take(cum, np.maximum(t_last, 0)[:, :, None] + 1, axis=2)[:, :, 0] - take(cum, a[:, :, None], axis=2)[:, :, 0]
    need = np.where(any_out, np.maximum(need, 0.0), 0.0)
    need = np.where(any_out & (too_early | (arrival >= tw)), np.inf, need)
    return _smallest_meeting(need, weight, limit)


def _smallest_meeting(need: np.ndarray, weight: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """[P] smallest q with ``Σ_s weight_s · [need_s > q] <= limit``."""
    order = np.argsort(need, axis=1, kind="stable")
    v = np.take_along_axis(need, order, axis=1)
    above = 1.0 - np.cumsum(weight[order], axis=1)  # mass strictly after position i (ties counted as after)
    ok = above <= limit[:, None] + 1e-12
    first = np.argmax(ok, axis=1)
    q = v[np.arange(v.shape[0]), first]
    return np.asarray(np.where(ok.any(axis=1), q, np.inf))


def max_remove_keeping_floor(
    lost: np.ndarray,
    stock: np.ndarray,
    floor_from: np.ndarray,
    floor_to: np.ndarray,
    weight: np.ndarray,
    limit: np.ndarray,
    start: np.ndarray | None = None,
) -> np.ndarray:
    """[P] largest quantity that may be taken away from period ``start`` [P, S] on (default 0: stock on hand
    now) with the stockout probability still at most ``limit``.

    ``lost`` and ``stock`` [P, S, Tw] are the lost units and ending stock per period before the removal.
    Rows already above their limit get 0.
    """
    p_rows, n_s, tw = lost.shape
    win = _window_mask(tw, floor_from, floor_to)[:, None, :]
    out_now = ((lost > STOCKOUT_EPS) & win).any(axis=2)  # [P, S]
    if start is None:
        start = np.zeros((p_rows, n_s), dtype=np.int64)
    inside = np.arange(tw)[None, None, :] >= start[:, :, None]
    # min stock over the periods from ``start`` to before t (inf up to ``start``)
    run = np.minimum.accumulate(np.where(inside, stock, np.inf), axis=2)
    prev_min = np.concatenate([np.full((p_rows, n_s, 1), np.inf), run[:, :, :-1]], axis=2)
    hurts = win & inside & (lost <= STOCKOUT_EPS) & (prev_min > stock)  # taking more than stock_t breaks t
    cap = np.where(hurts, stock, np.inf).min(axis=2)  # [P, S] largest harmless removal per scenario
    cap = np.where(out_now, np.inf, cap)  # already out: cannot get worse in the count
    p_now = (out_now * weight).sum(axis=1)
    budget = limit - p_now  # extra stockout mass still allowed
    order = np.argsort(cap, axis=1, kind="stable")
    v = np.take_along_axis(cap, order, axis=1)
    mass = np.cumsum(weight[order], axis=1)  # giving up the i smallest caps costs mass[i]
    # the largest q is the cap of the first scenario we can no longer give up
    beyond = mass > budget[:, None] + 1e-12
    first = np.argmax(beyond, axis=1)
    q = v[np.arange(v.shape[0]), first]
    q = np.where(beyond.any(axis=1), q, np.inf)
    return np.asarray(np.where(budget < -1e-12, 0.0, q))
