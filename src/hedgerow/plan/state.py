"""The mutable working state of the ladder: a decision, its flows, costs and marginal values.

Internal to :mod:`hedgerow.plan.ladder`. Everything is kept per item-location row so that a rung only
re-simulates the rows it touches (its target, and the source of a transfer), batched over many items at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.plan.costs import expect, flow_cost, marginal_costs, objective, risk_weights, simulate
from hedgerow.plan.model import PlanModel


@dataclass(frozen=True)
class Trial:
    """Moves tried together, simulated but not yet applied; kept or dropped per item."""

    items: np.ndarray  # [B] item rows (unique)
    cands: np.ndarray  # [M] candidate of each move
    qty: np.ndarray  # [M] signed units of each move
    move_item: np.ndarray  # [M] index into ``items`` of each move
    rows: np.ndarray  # [R] item-location rows re-simulated
    inflow: np.ndarray  # [R, S, Tw + 1]
    il_cost: np.ndarray  # [R, S]
    stockout: np.ndarray  # [R, S]
    lost: np.ndarray  # [R, S, Tw]
    stock: np.ndarray  # [R, S, Tw]
    item_cost: np.ndarray  # [B, S]
    objective: np.ndarray  # [B]


class LadderState:
    """Decision ``x`` and everything derived from it, updated rung by rung."""

    def __init__(self, model: PlanModel, x: np.ndarray | None = None) -> None:
        self.model = model
        c = model.candidates
        self.unit_cost = c.unit_cost  # [J, S]
        self.x = np.zeros(c.n) if x is None else np.asarray(x, dtype=np.float64).copy()
        self.s_idx = np.arange(model.n_scenarios)
        self.inflow = model.inflow0.copy()
        rows_all = np.arange(model.n_il)
        for j in np.flatnonzero(self.x > 0):
            self._apply_inflow(self.inflow, rows_all, np.array([j]), np.array([self.x[j]]))
        self.action_cost = np.zeros((model.n_il, model.n_scenarios))
        if c.n:
            np.add.at(self.action_cost, c.target, self.x[:, None] * self.unit_cost)
        flow = simulate(self.inflow, model.demand, model.holding, model.floor_from, model.window, keep_paths=True)
        self.il_cost = flow_cost(flow, model.penalty, model.writedown) + self.action_cost
        self.stockout = flow.stockout
        assert flow.lost is not None
        assert flow.stock is not None
        self.lost, self.stock = flow.lost, flow.stock
        assert flow.lost is not None
        assert flow.stock is not None
        self.add, self.rem = marginal_costs(flow.lost, flow.stock, model.holding, model.penalty, model.writedown)
        self.item_cost = np.zeros((len(model.item_ids), model.n_scenarios))
        np.add.at(self.item_cost, model.il_item, self.il_cost)
        pol = model.problem.policy
        self.level, self.aversion = pol.cvar_level, pol.risk_aversion
        self.objective = objective(self.item_cost, model.scenario_weight, self.level, self.aversion)
        self.weights = risk_weights(self.item_cost, model.scenario_weight, self.level, self.aversion)
        # running totals the item-local limits need
        self.ordered = np.zeros(model.n_il)
        self.moved_out = np.zeros(model.n_il)
        self.expedited = np.zeros(len(model.pipeline.shipment_ids))
        for j in np.flatnonzero(self.x > 0):
            self._count(int(j), float(self.x[j]))

    _MUTABLE = (
        "x",
        "inflow",
        "action_cost",
        "il_cost",
        "stockout",
        "add",
        "rem",
        "item_cost",
        "objective",
        "weights",
        "ordered",
        "moved_out",
        "expedited",
        "lost",
        "stock",
    )

    def snapshot(self) -> dict[str, np.ndarray]:
        """Copies of every mutable array, for :meth:`restore`."""
        return {name: getattr(self, name).copy() for name in self._MUTABLE}

    def restore(self, snap: dict[str, np.ndarray]) -> None:
        """Go back to a :meth:`snapshot`."""
        for name, value in snap.items():
            setattr(self, name, value)

    # ---- bookkeeping -------------------------------------------------------------------------------------
    def _count(self, j: int, q: float) -> None:
        c = self.model.candidates
        if c.kind[j] == 0:
            self.ordered[c.target[j]] += q
        if c.source[j] >= 0:
            self.moved_out[c.source[j]] += q
        if c.shipment[j] >= 0:
            self.expedited[c.shipment[j]] += q

    def stockout_probability(self, rows: np.ndarray | None = None) -> np.ndarray:
        """[rows] probability of a lost sale in the floor window under the current decision."""
        so = self.stockout if rows is None else self.stockout[rows]
        return np.asarray(np.clip(expect(so.astype(np.float64), self.model.scenario_weight), 0.0, 1.0))

    def _apply_inflow(self, inflow: np.ndarray, pos_rows: np.ndarray, cands: np.ndarray, qty: np.ndarray) -> None:
        """Add ``qty[b]`` units of candidate ``cands[b]`` to ``inflow``, whose rows are ``pos_rows``."""
        model = self.model
        c, lanes = model.candidates, model.lanes
        pos = np.full(model.n_il, -1, dtype=np.int64)
        pos[pos_rows] = np.arange(pos_rows.size)
        tp = pos[c.target[cands]]
        li = c.lane[cands]
        s = self.s_idx[None, :]
        distinct = np.unique(tp).size == tp.size  # then (row, scenario) indices never repeat: plain fancy adds
        for k in range(lanes.share.shape[1]):
            share = lanes.share[li, k]
            used = np.flatnonzero(share.any(axis=1))
            if used.size == 0:
                continue
            idx = (tp[used, None], s, lanes.arrival[li[used], k])
            if distinct:
                inflow[idx] += qty[used, None] * share[used]
            else:
                np.add.at(inflow, idx, qty[used, None] * share[used])
        src = c.source[cands]
        has_src = src >= 0
        if has_src.any():
            zero = np.zeros((1, 1), dtype=np.int64)
            np.add.at(inflow, (pos[src[has_src]][:, None], s, zero), -qty[has_src, None])
        ship = c.shipment[cands]
        has_ship = ship >= 0
        if has_ship.any():
            arr = model.pipeline.arrival[ship[has_ship]]
            np.add.at(inflow, (tp[has_ship, None], s, arr), -qty[has_ship, None])

    # ---- marginal values ---------------------------------------------------------------------------------
    def marginal(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] change of the risk-adjusted objective per unit added along each candidate (now)."""
        return np.asarray(
            (self.scenario_marginal(cands) * self.weights[self.model.il_item[self.model.candidates.target[cands]]]).sum(
                axis=1
            )
        )

    def scenario_marginal(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands), S] change of each scenario's cost per unit added along each candidate."""
        model = self.model
        c, lanes = model.candidates, model.lanes
        t = c.target[cands]
        li = c.lane[cands]
        s = self.s_idx[None, :]
        d = self.unit_cost[cands].copy()
        for k in range(lanes.share.shape[1]):
            share = lanes.share[li, k]
            used = np.flatnonzero(share.any(axis=1))
            if used.size == share.shape[0]:
                d += share * self.add[t[:, None], s, lanes.arrival[li, k]]
            elif used.size:
                d[used] += share[used] * self.add[t[used, None], s, lanes.arrival[li[used], k]]
        src = c.source[cands]
        has_src = src >= 0
        if has_src.any():
            d[has_src] += self.rem[src[has_src], :, 0]
        ship = c.shipment[cands]
        has_ship = ship >= 0
        if has_ship.any():
            d[has_ship] += self.rem[t[has_ship, None], s, model.pipeline.arrival[ship[has_ship]]]
        return np.asarray(d)

    def removal_marginal(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] change of the risk-adjusted objective per unit taken back from each candidate."""
        model = self.model
        c, lanes = model.candidates, model.lanes
        t = c.target[cands]
        li = c.lane[cands]
        s = self.s_idx[None, :]
        d = -self.unit_cost[cands]
        for k in range(lanes.share.shape[1]):
            share = lanes.share[li, k]
            used = np.flatnonzero(share.any(axis=1))
            if used.size:
                d[used] += share[used] * self.rem[t[used, None], s, lanes.arrival[li[used], k]]
        src = c.source[cands]
        has_src = src >= 0
        if has_src.any():
            d[has_src] += self.add[src[has_src], :, 0]
        ship = c.shipment[cands]
        has_ship = ship >= 0
        if has_ship.any():
            d[has_ship] += self.add[t[has_ship, None], s, model.pipeline.arrival[ship[has_ship]]]
        return np.asarray((d * self.weights[model.il_item[t]]).sum(axis=1))

    # ---- trying and applying rungs -----------------------------------------------------------------------
    def trial(
        self, items: np.ndarray, cands: np.ndarray, qty: np.ndarray, move_item: np.ndarray | None = None
    ) -> Trial:
        """Simulate moves without applying them.

        ``items`` [B] are distinct items; ``cands``/``qty`` [M] the moves, by default one per item in the same
        order, otherwise mapped to items by ``move_item`` [M] (an item may then move several candidates).
        """
        model = self.model
        c = model.candidates
        move_item = np.arange(items.size) if move_item is None else np.asarray(move_item, dtype=np.int64)
        src = c.source[cands]
        touched = np.concatenate([c.target[cands], src[src >= 0]])
        _, first = np.unique(touched, return_index=True)
        rows = touched[np.sort(first)]
        inflow = self.inflow[rows].copy()
        self._apply_inflow(inflow, rows, cands, qty)
        flow = simulate(
            inflow, model.demand[rows], model.holding[rows], model.floor_from[rows], model.window[rows], keep_paths=True
        )
        pos_row = np.full(model.n_il, -1, dtype=np.int64)
        pos_row[rows] = np.arange(rows.size)
        action = self.action_cost[rows].copy()
        np.add.at(action, pos_row[c.target[cands]], qty[:, None] * self.unit_cost[cands])
        il_cost = flow_cost(flow, model.penalty[rows], model.writedown[rows]) + action
        delta = il_cost - self.il_cost[rows]
        pos = np.full(len(model.item_ids), -1, dtype=np.int64)
        pos[items] = np.arange(items.size)
        item_cost = self.item_cost[items].copy()
        np.add.at(item_cost, pos[model.il_item[rows]], delta)
        obj = objective(item_cost, model.scenario_weight, self.level, self.aversion)
        assert flow.lost is not None
        assert flow.stock is not None
        return Trial(
            items, cands, qty, move_item, rows, inflow, il_cost, flow.stockout, flow.lost, flow.stock, item_cost, obj
        )

    def apply(self, trial: Trial, keep: np.ndarray) -> None:
        """Apply the rungs of ``trial`` flagged in ``keep`` [B]."""
        model = self.model
        c = model.candidates
        if not keep.any():
            return
        items = trial.items[keep]
        moves = keep[trial.move_item]
        cands, qty = trial.cands[moves], trial.qty[moves]
        keep_rows = np.isin(model.il_item[trial.rows], items)
        rows = trial.rows[keep_rows]
        self.inflow[rows] = trial.inflow[keep_rows]
        self.il_cost[rows] = trial.il_cost[keep_rows]
        self.stockout[rows] = trial.stockout[keep_rows]
        for j, q in zip(cands, qty, strict=True):
            self.x[j] += q
            self._count(int(j), float(q))
        np.add.at(self.action_cost, c.target[cands], qty[:, None] * self.unit_cost[cands])
        self.item_cost[items] = trial.item_cost[keep]
        self.objective[items] = trial.objective[keep]
        self.weights[items] = risk_weights(self.item_cost[items], model.scenario_weight, self.level, self.aversion)
        self.lost[rows] = trial.lost[keep_rows]
        self.stock[rows] = trial.stock[keep_rows]
        add, rem = marginal_costs(
            trial.lost[keep_rows],
            trial.stock[keep_rows],
            model.holding[rows],
            model.penalty[rows],
            model.writedown[rows],
        )
        self.add[rows] = add
        self.rem[rows] = rem
