"""The vectorised inventory-flow kernel, the risk measure and the marginal value of one more unit.

Everything here works on arrays ``[item-location, scenario, period]`` at once; the only Python loop runs over
the (few) periods of the evaluation window.

Flow (lost sales, no backorders), for every item-location and scenario, period ``t = 0 .. Tw-1``::

    available_t = stock_{t-1} + inflow_t          (inflow_0 includes the stock on hand now)
    sales_t     = min(available_t, demand_t)
    lost_t      = demand_t - sales_t
    stock_t     = available_t - sales_t

Cost of being wrong in one scenario (base currency; docs/planner.md derives it from the profit identity, the
margin of demand that could have been served and the book value of the starting stock being constants)::

    cost = Σ_t holding_t · stock_t + penalty · Σ_t lost_t + writedown · (stock_{Tw-1} + inflow_Tw)
           + Σ_actions qty · unit_cost(scenario)

Risk: the planner minimises, per item-location, ``(1 - w) E[cost] + w CVaR_α[cost]`` (Rockafellar & Uryasev
2000, "Optimization of conditional value-at-risk", J. Risk 2(3)), summed over item-locations. CVaR is taken per
item-location — a stockout is a local event: a shopper in Tokyo is not served by stock in Rotterdam — so the
objective, and every decision, depends neither on how items are split into partitions nor on how many other
locations sell the same item (a CVaR of the item's total would let a store lean on the diversification of its
item's other stores and order less the more stores there are).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: A period counts as a stockout when more than this many units are lost (guards against rounding noise).
STOCKOUT_EPS = 1e-6


@dataclass(frozen=True)
class Flow:
    """Result of :func:`simulate` for a batch of item-locations.

    Attributes
    ----------
    lost_units:
        [m, S] units lost over the window.
    holding_cost:
        [m, S] holding cost over the window (base currency).
    end_stock:
        [m, S] units on hand at the end of the window plus units arriving after it.
    stockout:
        [m, S] True where some demand is lost in the floor window ``[floor_from, floor_to)``.
    lost, stock:
        [m, S, Tw] per-period lost units and ending stock, when ``keep_paths``.
    """

    lost_units: np.ndarray
    holding_cost: np.ndarray
    end_stock: np.ndarray
    stockout: np.ndarray
    lost: np.ndarray | None = None
    stock: np.ndarray | None = None


#: Rows simulated together: a block of rows × scenarios stays in the processor's cache across the periods,
#: which is two to three times faster than sweeping whole arrays period by period.
BLOCK_CELLS = 8192


def simulate(
    inflow: np.ndarray,
    demand: np.ndarray,
    holding: np.ndarray,
    floor_from: np.ndarray,
    floor_to: np.ndarray,
    *,
    keep_paths: bool = False,
) -> Flow:
    """Run the lost-sales inventory flow over the window.

    Parameters
    ----------
    inflow:
        [m, S, Tw + 1] units becoming available per period (period 0 includes on-hand stock; slot Tw = after
        the window).
    demand:
        [m, S, Tw] units demanded per period.
    holding:
        [m, Tw] cost per unit in stock at the end of a period (base currency).
    floor_from, floor_to:
        [m] periods bounding the service-floor window.
    keep_paths:
        Keep per-period lost units and ending stock (needed by :func:`marginal_costs`).
    """
    m, n_s, tw = demand.shape
    dtype = np.result_type(demand.dtype, inflow.dtype)
    lost_units = np.empty((m, n_s), dtype=dtype)
    holding_cost = np.empty((m, n_s), dtype=dtype)
    end_stock = np.empty((m, n_s), dtype=dtype)
    stockout = np.zeros((m, n_s), dtype=bool)
    lost_all = np.empty((m, n_s, tw), dtype=dtype) if keep_paths else None
    stock_all = np.empty((m, n_s, tw), dtype=dtype) if keep_paths else None
    block = max(1, BLOCK_CELLS // max(n_s, 1))
    for b0 in range(0, m, block):
        b1 = min(m, b0 + block)
        rows = b1 - b0
        d_t = np.ascontiguousarray(np.moveaxis(demand[b0:b1], 2, 0))  # [Tw, rows, S]
        in_t = np.ascontiguousarray(np.moveaxis(inflow[b0:b1, :, :tw], 2, 0))
        stock = np.zeros((rows, n_s), dtype=dtype)
        lost_sum = np.zeros((rows, n_s), dtype=dtype)
        hold_sum = np.zeros((rows, n_s), dtype=dtype)
        sales = np.empty((rows, n_s), dtype=dtype)
        lost = np.empty((rows, n_s), dtype=dtype)
        tmp = np.empty((rows, n_s), dtype=dtype)
        out = np.zeros((rows, n_s), dtype=bool)
        lb = np.empty((tw, rows, n_s), dtype=dtype) if keep_paths else None
        sb = np.empty((tw, rows, n_s), dtype=dtype) if keep_paths else None
        f0, f1 = floor_from[b0:b1], floor_to[b0:b1]
        for t in range(tw):
            d = d_t[t]
            stock += in_t[t]
            np.minimum(stock, d, out=sales)
            np.subtract(d, sales, out=lost)
            stock -= sales
            lost_sum += lost
            np.multiply(stock, holding[b0:b1, t, None], out=tmp)
            hold_sum += tmp
            in_floor = (f0 <= t) & (t < f1)
            if in_floor.any():
                out |= (lost > STOCKOUT_EPS) & in_floor[:, None]
            if lb is not None and sb is not None:
                lb[t] = lost
                sb[t] = stock
        lost_units[b0:b1] = lost_sum
        holding_cost[b0:b1] = hold_sum
        end_stock[b0:b1] = stock + inflow[b0:b1, :, tw]
        stockout[b0:b1] = out
        if lost_all is not None and stock_all is not None and lb is not None and sb is not None:
            lost_all[b0:b1] = np.moveaxis(lb, 0, 2)
            stock_all[b0:b1] = np.moveaxis(sb, 0, 2)
    return Flow(lost_units, holding_cost, end_stock, stockout, lost_all, stock_all)


def flow_cost(flow: Flow, penalty: np.ndarray, writedown: np.ndarray) -> np.ndarray:
    """[m, S] cost of the flow (without the actions' own costs): holding + lost-sale penalty + write-down."""
    return np.asarray(flow.holding_cost + flow.lost_units * penalty + flow.end_stock * writedown[:, None])


def expect(values: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Probability-weighted sum over the last axis (scenarios).

    A row-wise reduction, not a BLAS matrix-vector product: its rounding depends only on each row, so results
    are identical however items are split into partitions (a plan does not depend on the chunking).
    """
    return np.asarray((values * weight).sum(axis=-1))


def tail_weights(cost: np.ndarray, weight: np.ndarray, level: float) -> np.ndarray:
    """[G, S] weights ``θ_s p_s / (1 - α)`` whose dot product with ``cost`` is CVaR_α (per row).

    The worst scenarios are filled up to probability ``1 - α``; the scenario at the boundary gets the
    remaining fraction, so CVaR is exact for discrete scenarios.
    """
    beta = 1.0 - level
    order = np.argsort(-cost, axis=1, kind="stable")
    p_sorted = weight[order]
    cum_before = np.cumsum(p_sorted, axis=1) - p_sorted
    take = np.clip(beta - cum_before, 0.0, p_sorted)
    out = np.empty_like(cost, dtype=np.float64)
    np.put_along_axis(out, order, take / beta, axis=1)
    return out


def cvar(cost: np.ndarray, weight: np.ndarray, level: float) -> np.ndarray:
    """[G] CVaR_α of each row of ``cost`` [G, S] under scenario probabilities ``weight`` [S]."""
    return np.asarray((tail_weights(cost, weight, level) * cost).sum(axis=1))


def risk_weights(cost: np.ndarray, weight: np.ndarray, level: float, aversion: float) -> np.ndarray:
    """[G, S] weights ``ω`` with ``ω · cost = (1 - w) E[cost] + w CVaR_α[cost]`` per row.

    Also the (super)gradient of the objective with respect to scenario costs, used to price marginal changes.
    """
    out = np.broadcast_to((1.0 - aversion) * weight, cost.shape).astype(np.float64)
    if aversion > 0:
        out = out + aversion * tail_weights(cost, weight, level)
    return out


def objective(cost: np.ndarray, weight: np.ndarray, level: float, aversion: float) -> np.ndarray:
    """[G] ``(1 - w) E[cost] + w CVaR_α[cost]`` of each row of ``cost`` [G, S]."""
    return np.asarray((risk_weights(cost, weight, level, aversion) * cost).sum(axis=1))


def per_item(values: np.ndarray, il_item: np.ndarray, n_items: int) -> np.ndarray:
    """Sum of per-item-location ``values`` [n, ...] over the item-locations of each item: [n_items, ...]."""
    out = np.zeros((n_items, *values.shape[1:]), dtype=np.float64)
    np.add.at(out, il_item, values)
    return out


def marginal_costs(
    lost: np.ndarray, stock: np.ndarray, holding: np.ndarray, penalty: np.ndarray, writedown: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Change of scenario cost from one more / one fewer unit available at the start of each period.

    One backward pass gives the marginal value of every candidate at once (the unit is sold at the next
    stockout, or carried and charged holding until then, or left at the end and written down).

    Parameters
    ----------
    lost, stock:
        [m, S, Tw] per-period lost units and ending stock of a :class:`Flow` simulated with ``keep_paths``.
    holding, penalty, writedown:
        As in :func:`simulate` and :func:`flow_cost`.

    Returns
    -------
    (add, remove):
        [m, S, Tw + 1] ``add[t]``: cost change of one more unit available from period ``t`` (right
        derivative); ``remove[t]``: cost change of one fewer (left derivative). Slot ``Tw`` = after the window.
    """
    m, n_s, tw = lost.shape
    add = np.empty((m, n_s, tw + 1))
    rem = np.empty((m, n_s, tw + 1))
    block = max(1, BLOCK_CELLS // max(n_s, 1))
    for b0 in range(0, m, block):
        b1 = min(m, b0 + block)
        lost_t = np.ascontiguousarray(np.moveaxis(lost[b0:b1], 2, 0)) > 0
        carried = np.ascontiguousarray(np.moveaxis(stock[b0:b1], 2, 0)) > 0
        pen = penalty[b0:b1]
        a = np.empty((tw + 1, b1 - b0, n_s))
        r = np.empty((tw + 1, b1 - b0, n_s))
        a[tw] = writedown[b0:b1, None]
        r[tw] = -writedown[b0:b1, None]
        for t in range(tw - 1, -1, -1):
            h = holding[b0:b1, t, None]
            a[t] = np.where(lost_t[t], -pen, h + a[t + 1])
            r[t] = np.where(carried[t], r[t + 1] - h, pen)
        add[b0:b1] = np.moveaxis(a, 0, 2)
        rem[b0:b1] = np.moveaxis(r, 0, 2)
    return add, rem
