"""Line search along one candidate: how many units to move before the next unit stops paying.

Under lost sales the marginal cost of the ``u``-th unit moved along a candidate is a step function of ``u``
that only rises (the cost is convex), and its steps sit at quantities read off one simulated path:

* **adding** units available from period ``a``: they are sold at the next stockouts in chronological order
  (see :mod:`hedgerow.plan.floorcalc`); the ``u``-th is sold in the first period ``t >= a`` where the lost
  sales counted from ``a`` reach ``u`` and is carried until then; if none, it is carried to the end and written
  down. Marginal cost ``γ + Σ_{τ=a}^{t-1} h_τ - penalty``, or ``γ + Σ_{τ=a}^{Tw-1} h_τ + writedown``.
* **removing** units from period ``a`` on: the deficit runs until the running minimum of the ending stock
  from ``a`` drops below ``u``; in that period a sale is lost. Before it, the unit would have been carried
  (holding saved). Marginal cost ``penalty - Σ_{τ=a}^{t-1} h_τ``, or ``-Σ_{τ=a}^{Tw-1} h_τ - writedown``
  when the stock never drops below ``u``.

A candidate's move combines such parts (a transfer adds at the destination and removes at the source at period
0; an expedite adds early and removes late). With the scenario weights of the objective fixed at the current
point (exact for the expected cost, first-order for CVaR), the best quantity is the first step at which the
weighted marginal cost turns non-negative — found in one pass over the sorted steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Steps:
    """A step function of marginal cost: ``m0`` for the first unit, then ``jumps`` for units beyond ``ends``.

    Arrays: ``m0`` [B]; ``ends``, ``jumps`` [B, K] (``ends`` inf where unused).
    """

    m0: np.ndarray
    ends: np.ndarray
    jumps: np.ndarray


def _cum_holding(holding: np.ndarray) -> np.ndarray:
    """[B, Tw + 1] Σ_{τ<t} h_τ."""
    return np.concatenate([np.zeros((holding.shape[0], 1)), np.cumsum(holding, axis=1)], axis=1)


def add_steps(
    lost: np.ndarray,
    holding: np.ndarray,
    penalty: np.ndarray,
    writedown: np.ndarray,
    arrival: np.ndarray,
    unit_cost: np.ndarray,
    weight: np.ndarray,
) -> Steps:
    """Marginal cost of units added from ``arrival`` [B, S] (``Tw`` = after the window).

    ``lost`` [B, S, Tw], ``holding`` [B, Tw], ``penalty`` [B, S], ``writedown`` [B], ``unit_cost`` and
    ``weight`` [B, S] (the objective's scenario weights).
    """
    b_rows, n_s, tw = lost.shape
    after = np.arange(tw)[None, None, :] >= arrival[:, :, None]
    lost_a = np.where(after, lost, 0.0)
    cum = np.cumsum(lost_a, axis=2)
    hc = _cum_holding(holding)
    a = np.minimum(arrival, tw)
    h_a = hc[np.arange(b_rows)[:, None], a]  # [B, S]
    sold = unit_cost[:, :, None] + hc[:, None, :tw] - h_a[:, :, None] - penalty[:, :, None]
    unsold = unit_cost + hc[:, tw][:, None] - h_a + writedown[:, None]
    has = lost_a > 0
    seg = np.where(has, sold, np.nan)
    # cost of the segment after each one (next period with lost sales, else unsold)
    nxt = np.empty_like(sold)
    run = unsold.copy()
    for t in range(tw - 1, -1, -1):
        nxt[:, :, t] = run
        run = np.where(has[:, :, t], sold[:, :, t], run)
    first = run  # the first segment's cost (or unsold when there is none)
    m0 = (weight * first).sum(axis=1)
    ends = np.where(has, cum, np.inf).reshape(b_rows, n_s * tw)
    jumps = np.where(has, weight[:, :, None] * (nxt - np.nan_to_num(seg)), 0.0).reshape(b_rows, n_s * tw)
    return Steps(m0, ends, jumps)


def remove_steps(
    stock: np.ndarray,
    holding: np.ndarray,
    penalty: np.ndarray,
    writedown: np.ndarray,
    start: np.ndarray,
    unit_cost: np.ndarray,
    weight: np.ndarray,
) -> Steps:
    """Marginal cost of units taken away from period ``start`` [B, S] on (``Tw`` = after the window).

    ``stock`` [B, S, Tw] is the ending stock per period before the removal; ``unit_cost`` [B, S] is added per
    unit (e.g. minus the freight saved).
    """
    b_rows, n_s, tw = stock.shape
    hc = _cum_holding(holding)
    a = np.minimum(start, tw)
    h_a = hc[np.arange(b_rows)[:, None], a]
    inside = np.arange(tw)[None, None, :] >= start[:, :, None]
    runmin = np.minimum.accumulate(np.where(inside, stock, np.inf), axis=2)  # min of stock over [a, t]
    lose = unit_cost[:, :, None] + penalty[:, :, None] - (hc[:, None, :tw] - h_a[:, :, None])  # sale lost in t
    unsold = unit_cost - (hc[:, tw][:, None] - h_a) - writedown[:, None]
    # units u > runmin[t] are lost in the first period whose running minimum is below u: walking t backwards,
    # crossing runmin[t] moves the loss to period t
    m0 = unsold.copy()
    ends = np.full((b_rows, n_s, tw), np.inf)
    jumps = np.zeros((b_rows, n_s, tw))
    prev = unsold.copy()
    for t in range(tw - 1, -1, -1):
        valid = inside[:, :, t]
        e = runmin[:, :, t]
        j = np.where(valid, lose[:, :, t] - prev, 0.0)
        prev = np.where(valid, lose[:, :, t], prev)
        at_zero = valid & (e <= 1e-12)
        m0 = m0 + np.where(at_zero, j, 0.0)
        ends[:, :, t] = np.where(valid & ~at_zero, e, np.inf)
        jumps[:, :, t] = np.where(valid & ~at_zero, weight * j, 0.0)
    return Steps((weight * m0).sum(axis=1), ends.reshape(b_rows, n_s * tw), jumps.reshape(b_rows, n_s * tw))


#: Whole-unit searches tabulate the marginal cost per unit up to this many units (else they sort the steps).
MAX_TABLE_UNITS = 4096


def best_quantity(parts: list[Steps], cap: np.ndarray, *, whole_units: bool = False) -> np.ndarray:
    """[B] the quantity at which the combined weighted marginal cost turns non-negative (at most ``cap``).

    0 when the first unit already does not pay. With ``whole_units`` the answer is a whole number of units,
    found from a per-unit table of the marginal cost (a histogram of the steps) instead of a sort.
    """
    m0 = np.sum([p.m0 for p in parts], axis=0)
    ends = np.concatenate([p.ends for p in parts], axis=1)
    jumps = np.concatenate([p.jumps for p in parts], axis=1)
    if whole_units:
        finite = np.isfinite(ends)
        top = float(ends[finite].max()) if finite.any() else 0.0
        units = int(np.ceil(top)) + 2
        if units <= MAX_TABLE_UNITS:
            return _best_whole(m0, ends, jumps, cap, units)
    order = np.argsort(ends, axis=1)
    e = np.take_along_axis(ends, order, axis=1)
    m = m0[:, None] + np.cumsum(np.take_along_axis(jumps, order, axis=1), axis=1)
    tol = 1e-9 * (1.0 + np.abs(m0))[:, None]  # a marginal cost that is zero up to rounding does not pay
    turns = (m >= -tol) & np.isfinite(e)
    k = np.argmax(turns, axis=1)
    q = np.where(turns.any(axis=1), e[np.arange(e.shape[0]), k], cap)
    return np.asarray(np.where(m0 >= 0, 0.0, np.minimum(q, cap)))


def _best_whole(m0: np.ndarray, ends: np.ndarray, jumps: np.ndarray, cap: np.ndarray, units: int) -> np.ndarray:
    """Whole-unit search: unit ``u`` (1-based) passes a step at ``e`` when ``u > e``, i.e. from ``floor(e) + 1``."""
    b_rows = ends.shape[0]
    finite = np.isfinite(ends)
    rows = np.broadcast_to(np.arange(b_rows)[:, None], ends.shape)[finite]
    first_unit = np.floor(ends[finite]).astype(np.int64) + 1
    table = np.bincount(rows * (units + 1) + first_unit, weights=jumps[finite], minlength=b_rows * (units + 1))
    marginal = m0[:, None] + np.cumsum(table.reshape(b_rows, units + 1), axis=1)  # [:, u] = cost of unit u
    tol = 1e-9 * (1.0 + np.abs(m0))[:, None]
    stops = marginal[:, 1:] >= -tol
    first_bad = np.where(stops.any(axis=1), np.argmax(stops, axis=1) + 1, units + 1)
    q = (first_bad - 1).astype(np.float64)
    q = np.where(stops.any(axis=1), q, cap)  # never stops paying within the table: only the cap binds
    return np.asarray(np.where(m0 >= 0, 0.0, np.minimum(q, cap)))
