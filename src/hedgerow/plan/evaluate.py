"""Evaluate a decision (a quantity per candidate) on the scenarios: costs, breakdown, risk, service.

This is *the* cost model: the ladder, the exact model's read-back check and every explanation use
:func:`evaluate`, so the figures a manager reads are the figures the plan was chosen on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.domain.plan import CostTerm
from hedgerow.plan.costs import cvar, expect, flow_cost, per_item, simulate
from hedgerow.plan.model import PlanModel


def add_to_inflow(model: PlanModel, inflow: np.ndarray, pos: np.ndarray, j: int, qty: float) -> None:
    """Add ``qty`` units of candidate ``j`` to ``inflow`` [rows, S, Tw + 1] in place.

    ``pos`` maps item-location rows of the model to rows of ``inflow`` (-1 = not present; the candidate must
    only touch present rows).
    """
    c, lanes = model.candidates, model.lanes
    s_idx = np.arange(model.n_scenarios)
    t = pos[c.target[j]]
    li = c.lane[j]
    for k in range(lanes.share.shape[1]):
        np.add.at(inflow[t], (s_idx, lanes.arrival[li, k]), qty * lanes.share[li, k])
    if c.source[j] >= 0:
        inflow[pos[c.source[j]], :, 0] -= qty
    if c.shipment[j] >= 0:
        np.add.at(inflow[t], (s_idx, model.pipeline.arrival[c.shipment[j]]), -qty)


def inflow_for(model: PlanModel, x: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """[rows, S, Tw + 1] inflow of the item-locations ``rows`` (default all) under decision ``x`` [J]."""
    rows = np.arange(model.n_il) if rows is None else np.asarray(rows)
    pos = np.full(model.n_il, -1, dtype=np.int64)
    pos[rows] = np.arange(rows.size)
    inflow = model.inflow0[rows].copy()
    c = model.candidates
    for j in np.flatnonzero(x > 0):
        touched = [c.target[j]] + ([c.source[j]] if c.source[j] >= 0 else [])
        if all(pos[r] >= 0 for r in touched):
            add_to_inflow(model, inflow, pos, int(j), float(x[j]))
    return inflow


def action_cost(model: PlanModel, x: np.ndarray) -> np.ndarray:
    """[n, S] per-scenario cost of the actions of ``x``, charged to their target item-location."""
    c = model.candidates
    out = np.zeros((model.n_il, model.n_scenarios))
    if c.n:
        np.add.at(out, c.target, x[:, None] * c.unit_cost)
    return out


@dataclass(frozen=True)
class Evaluation:
    """A decision evaluated on the scenarios.

    Attributes
    ----------
    x:
        [J] units per candidate.
    il_cost:
        [n, S] cost per item-location and scenario (base currency).
    item_cost:
        [G, S] cost per item and scenario.
    expected, tail, objective:
        [G] expected cost, the sum of its item-locations' CVaR_α and ``(1 - w) E + w CVaR`` per item (risk is
        measured per item-location, :mod:`hedgerow.plan.costs`).
    il_tail:
        [n] CVaR_α of each item-location's cost.
    breakdown:
        [G, len(CostTerm)] expected cost per term, summing to ``expected``.
    stockout_probability:
        [n] probability of a lost sale in the floor window.
    expected_lost_units, expected_end_stock:
        [n] units.
    capital:
        [J] capital committed per candidate (base currency).
    """

    x: np.ndarray
    il_cost: np.ndarray
    item_cost: np.ndarray
    expected: np.ndarray
    tail: np.ndarray
    objective: np.ndarray
    il_tail: np.ndarray
    breakdown: np.ndarray
    stockout_probability: np.ndarray
    expected_lost_units: np.ndarray
    expected_end_stock: np.ndarray
    capital: np.ndarray

    @property
    def total_objective(self) -> float:
        """Sum over items of the risk-adjusted objective."""
        return float(self.objective.sum())

    @property
    def total_expected(self) -> float:
        """Sum over items of the expected cost."""
        return float(self.expected.sum())


def flow_terms(
    model: PlanModel, rows: np.ndarray, lost_units: np.ndarray, holding_cost: np.ndarray, end_stock: np.ndarray
) -> np.ndarray:
    """[len(CostTerm), R, S] flow cost terms of item-location ``rows`` (the action terms are zero)."""
    order = list(CostTerm)
    out = np.zeros((len(order), rows.size, model.n_scenarios))
    out[order.index(CostTerm.HOLDING)] = holding_cost
    out[order.index(CostTerm.LOST_MARGIN)] = lost_units * model.penalty_parts[0][rows]
    out[order.index(CostTerm.GOODWILL)] = lost_units * model.penalty_parts[1][rows]
    out[order.index(CostTerm.LOST_BUNDLE_MARGIN)] = lost_units * model.penalty_parts[2][rows]
    out[order.index(CostTerm.LEFTOVER_WRITEDOWN)] = end_stock * model.writedown[rows, None]
    return out


def action_terms(model: PlanModel, cands: np.ndarray, qty: np.ndarray) -> np.ndarray:
    """[len(CostTerm), len(cands), S] action cost terms of ``qty`` units of each candidate."""
    order = list(CostTerm)
    c = model.candidates
    out = np.zeros((len(order), cands.size, model.n_scenarios))
    for k, term in enumerate((CostTerm.TRANSPORT, CostTerm.PURCHASE_FX, CostTerm.CAPITAL_IN_TRANSIT)):
        out[order.index(term)] = qty[:, None] * c.cost_parts[k][cands]
    return out


def evaluate(model: PlanModel, x: np.ndarray | None = None, weight: np.ndarray | None = None) -> Evaluation:
    """Evaluate decision ``x`` (units per candidate; None = do nothing) on every scenario.

    Parameters
    ----------
    model:
        The partition's arrays.
    x:
        [J] units per candidate.
    weight:
        [S] scenario probabilities (default: the model's, uniform); explanations reweight scenarios to find
        break-even probabilities.
    """
    c = model.candidates
    x = np.zeros(c.n) if x is None else np.asarray(x, dtype=np.float64)
    p = model.scenario_weight if weight is None else np.asarray(weight, dtype=np.float64)
    policy = model.problem.policy
    flow = simulate(inflow_for(model, x), model.demand, model.holding, model.floor_from, model.window)
    acts = action_cost(model, x)
    il_cost = flow_cost(flow, model.penalty, model.writedown) + acts
    n_items = len(model.item_ids)
    item_cost = per_item(il_cost, model.il_item, n_items)
    expected = expect(item_cost, p)
    il_tail = cvar(il_cost, p, policy.cvar_level)
    tail = per_item(il_tail, model.il_item, n_items)
    obj = (1.0 - policy.risk_aversion) * expected + policy.risk_aversion * tail

    rows = np.arange(model.n_il)
    terms = flow_terms(model, rows, flow.lost_units, flow.holding_cost, flow.end_stock)
    if c.n:
        acts_terms = action_terms(model, np.arange(c.n), x)  # [T, J, S]
        for k in range(terms.shape[0]):
            np.add.at(terms[k], c.target, acts_terms[k])
    il_terms = expect(terms, p)  # [terms, n]
    breakdown = np.zeros((n_items, len(CostTerm)))
    np.add.at(breakdown, model.il_item, il_terms.T)
    return Evaluation(
        x=x,
        il_cost=il_cost,
        item_cost=item_cost,
        expected=expected,
        tail=tail,
        objective=obj,
        il_tail=il_tail,
        breakdown=breakdown,
        stockout_probability=np.clip(expect(flow.stockout.astype(np.float64), p), 0.0, 1.0),
        expected_lost_units=expect(flow.lost_units, p),
        expected_end_stock=expect(flow.end_stock, p),
        capital=x * c.capital,
    )


def lost_revenue_by_item_location(model: PlanModel, x: np.ndarray) -> np.ndarray:
    """[item-location] expected revenue lost to stockouts over the window with decision ``x``, base currency:
    lost units at each item-location's list price converted at today's rate (the field-story benchmark's measure).
    """
    flow = simulate(inflow_for(model, x), model.demand, model.holding, model.floor_from, model.window)
    problem = model.problem
    price = {
        (il.item_id, il.location_id): il.unit_price / problem.fx(il.price_currency) for il in problem.item_locations
    }
    unit = np.array([price[key] for key in zip(model.il_items, model.il_locations, strict=True)])
    return np.asarray((flow.lost_units @ model.scenario_weight) * unit)


def expected_lost_revenue(model: PlanModel, x: np.ndarray) -> float:
    """Total of :func:`lost_revenue_by_item_location` (base currency)."""
    return float(lost_revenue_by_item_location(model, x).sum())
