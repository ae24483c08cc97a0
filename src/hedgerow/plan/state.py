"""The mutable working state of the ladder: a decision, its flows, costs and marginal values.

Internal to :mod:`hedgerow.plan.ladder`. Everything is kept per item-location row so that a rung only
re-simulates the rows it touches (its target, and the source of a transfer), batched over many items at once.
Risk is measured per item-location (:mod:`hedgerow.plan.costs`), so the objective is a sum over rows and moves
that touch different rows change it independently: the ladder moves many item-locations of one item per round.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.plan.costs import (
    Flow,
    cvar,
    expect,
    flow_cost,
    marginal_costs,
    objective,
    per_item,
    risk_weights,
    simulate,
)
from hedgerow.plan.model import PlanModel


def _first_touch(move_rows: np.ndarray) -> np.ndarray:
    """[P] for each (move, row-position) pair of ``move_rows`` [P, 2] (move index, position), True on the first
    pair that names its position (a row touched by several moves is credited to the first of them)."""
    if move_rows.size == 0:
        return np.zeros(0, dtype=bool)
    _, first = np.unique(move_rows[:, 1], return_index=True)
    out = np.zeros(move_rows.shape[0], dtype=bool)
    out[first] = True
    return out


@dataclass(frozen=True)
class Trial:
    """Moves tried together, simulated but not yet applied; kept or dropped per move.

    Moves of one trial should touch different rows (the ladder picks them so); a row touched by several moves is
    credited to the first of them in the per-move figures, and such moves must be kept or dropped together.
    """

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
    row_objective: np.ndarray  # [R] risk-adjusted objective of each re-simulated row
    item_cost: np.ndarray  # [B, S]
    objective: np.ndarray  # [B] the item's objective (sum over its rows)
    expected: np.ndarray  # [B] the item's expected cost
    tail: np.ndarray  # [B] the sum of the item's rows' CVaR
    d_objective: np.ndarray  # [M] change of the objective credited to each move
    d_expected: np.ndarray  # [M] change of the expected cost credited to each move
    d_tail: np.ndarray  # [M] change of the summed CVaR credited to each move
    move_rows: np.ndarray  # [P, 2] (move, position in ``rows``) of every row each move touches


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
        self.add, self.rem = marginal_costs(flow.lost, flow.stock, model.holding, model.penalty, model.writedown)
        pol = model.problem.policy
        self.level, self.aversion = pol.cvar_level, pol.risk_aversion
        p = model.scenario_weight
        self.n_items = len(model.item_ids)
        self.row_objective = objective(self.il_cost, p, self.level, self.aversion)  # [n]
        self.row_tail = cvar(self.il_cost, p, self.level)  # [n]
        # the objective's scenario weights per row: its (super)gradient with respect to the row's scenario costs
        self.weights = risk_weights(self.il_cost, p, self.level, self.aversion)  # [n, S]
        self.item_cost = per_item(self.il_cost, model.il_item, self.n_items)
        self.objective = per_item(self.row_objective, model.il_item, self.n_items)
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
        "row_objective",
        "row_tail",
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

    def touched_rows(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands), 2] the rows each candidate changes: its target, and its source (-1 when none)."""
        c = self.model.candidates
        return np.stack([c.target[cands], c.source[cands]], axis=1)

    def _apply_inflow(self, inflow: np.ndarray, pos_rows: np.ndarray, cands: np.ndarray, qty: np.ndarray) -> None:
        """Add ``qty[b]`` units of candidate ``cands[b]`` to ``inflow``, whose rows are ``pos_rows``."""
        model = self.model
        c = model.candidates
        pos = np.full(model.n_il, -1, dtype=np.int64)
        pos[pos_rows] = np.arange(pos_rows.size)
        src = c.source[cands]
        self._add_at(inflow, pos[c.target[cands]], np.where(src >= 0, pos[np.maximum(src, 0)], -1), cands, qty)

    def _add_at(
        self, inflow: np.ndarray, tpos: np.ndarray, spos: np.ndarray, cands: np.ndarray, qty: np.ndarray
    ) -> None:
        """Add ``qty[b]`` units of ``cands[b]`` to ``inflow`` with its target at row ``tpos[b]`` and its source
        (if any) at row ``spos[b]`` of ``inflow``."""
        model = self.model
        c, lanes = model.candidates, model.lanes
        li = c.lane[cands]
        s = self.s_idx[None, :]
        distinct = np.unique(tpos).size == tpos.size  # then (row, scenario) indices never repeat: plain fancy adds
        for k in range(lanes.share.shape[1]):
            share = lanes.share[li, k]
            used = np.flatnonzero(share.any(axis=1))
            if used.size == 0:
                continue
            idx = (tpos[used, None], s, lanes.arrival[li[used], k])
            if distinct:
                inflow[idx] += qty[used, None] * share[used]
            else:
                np.add.at(inflow, idx, qty[used, None] * share[used])
        has_src = c.source[cands] >= 0
        if has_src.any():
            zero = np.zeros((1, 1), dtype=np.int64)
            np.add.at(inflow, (spos[has_src][:, None], s, zero), -qty[has_src, None])
        ship = c.shipment[cands]
        has_ship = ship >= 0
        if has_ship.any():
            arr = model.pipeline.arrival[ship[has_ship]]
            np.add.at(inflow, (tpos[has_ship, None], s, arr), -qty[has_ship, None])

    # ---- marginal values ---------------------------------------------------------------------------------
    def marginal(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] change of the risk-adjusted objective per unit added along each candidate (now)."""
        at_target, at_source = self._add_parts(cands)
        return self._weigh(cands, at_target, at_source)

    def scenario_marginal(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands), S] change of each scenario's cost (all rows) per unit added along each candidate."""
        at_target, at_source = self._add_parts(cands)
        return np.asarray(at_target + at_source)

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
        at_source = np.zeros_like(d)
        src = c.source[cands]
        has_src = src >= 0
        if has_src.any():
            at_source[has_src] = self.add[src[has_src], :, 0]
        ship = c.shipment[cands]
        has_ship = ship >= 0
        if has_ship.any():
            d[has_ship] += self.add[t[has_ship, None], s, model.pipeline.arrival[ship[has_ship]]]
        return self._weigh(cands, d, at_source)

    def _add_parts(self, cands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[len(cands), S] ×2: per unit added, the change of the target row's scenario cost (the action's own
        cost included) and of the source row's (zero without a source)."""
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
        at_source = np.zeros_like(d)
        src = c.source[cands]
        has_src = src >= 0
        if has_src.any():
            at_source[has_src] = self.rem[src[has_src], :, 0]
        ship = c.shipment[cands]
        has_ship = ship >= 0
        if has_ship.any():
            d[has_ship] += self.rem[t[has_ship, None], s, model.pipeline.arrival[ship[has_ship]]]
        return d, at_source

    def _weigh(self, cands: np.ndarray, at_target: np.ndarray, at_source: np.ndarray) -> np.ndarray:
        """[len(cands)] the objective's change: each row's scenario changes under that row's risk weights."""
        c = self.model.candidates
        out = (at_target * self.weights[c.target[cands]]).sum(axis=1)
        src = c.source[cands]
        has_src = src >= 0
        if has_src.any():
            out[has_src] += (at_source[has_src] * self.weights[src[has_src]]).sum(axis=1)
        return np.asarray(out)

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
        touched = self.touched_rows(cands)
        flat = touched.ravel()
        owner = np.repeat(np.arange(cands.size), 2)
        present = flat >= 0
        flat, owner = flat[present], owner[present]
        _, first = np.unique(flat, return_index=True)
        rows = flat[np.sort(first)]
        pos_row = np.full(model.n_il, -1, dtype=np.int64)
        pos_row[rows] = np.arange(rows.size)
        inflow = self.inflow[rows].copy()
        self._apply_inflow(inflow, rows, cands, qty)
        flow = simulate(
            inflow, model.demand[rows], model.holding[rows], model.floor_from[rows], model.window[rows], keep_paths=True
        )
        action = self.action_cost[rows].copy()
        np.add.at(action, pos_row[c.target[cands]], qty[:, None] * self.unit_cost[cands])
        il_cost = flow_cost(flow, model.penalty[rows], model.writedown[rows]) + action
        move_rows = np.stack([owner, pos_row[flat]], axis=1)
        return self._trial_from(items, cands, qty, move_item, rows, inflow, il_cost, flow, move_rows)

    def _trial_from(
        self,
        items: np.ndarray,
        cands: np.ndarray,
        qty: np.ndarray,
        move_item: np.ndarray,
        rows: np.ndarray,
        inflow: np.ndarray,
        il_cost: np.ndarray,
        flow: Flow,
        move_rows: np.ndarray,
    ) -> Trial:
        model = self.model
        p = model.scenario_weight
        row_obj = objective(il_cost, p, self.level, self.aversion)
        d_obj_row = row_obj - self.row_objective[rows]
        d_exp_row = expect(il_cost - self.il_cost[rows], p)
        d_tail_row = cvar(il_cost, p, self.level) - self.row_tail[rows]
        pos = np.full(len(model.item_ids), -1, dtype=np.int64)
        pos[items] = np.arange(items.size)
        row_pos = pos[model.il_item[rows]]
        item_cost = self.item_cost[items].copy()
        np.add.at(item_cost, row_pos, il_cost - self.il_cost[rows])
        obj = self.objective[items].copy()
        np.add.at(obj, row_pos, d_obj_row)
        tail = per_item(self.row_tail, model.il_item, self.n_items)[items]
        np.add.at(tail, row_pos, d_tail_row)
        credit = _first_touch(move_rows)
        d_obj = np.zeros(cands.size)
        d_exp = np.zeros(cands.size)
        d_tail = np.zeros(cands.size)
        mv, rp = move_rows[credit, 0], move_rows[credit, 1]
        np.add.at(d_obj, mv, d_obj_row[rp])
        np.add.at(d_exp, mv, d_exp_row[rp])
        np.add.at(d_tail, mv, d_tail_row[rp])
        assert flow.lost is not None
        assert flow.stock is not None
        return Trial(
            items=items,
            cands=cands,
            qty=qty,
            move_item=move_item,
            rows=rows,
            inflow=inflow,
            il_cost=il_cost,
            stockout=flow.stockout,
            lost=flow.lost,
            stock=flow.stock,
            row_objective=row_obj,
            item_cost=item_cost,
            objective=obj,
            expected=expect(item_cost, p),
            tail=tail,
            d_objective=d_obj,
            d_expected=d_exp,
            d_tail=d_tail,
            move_rows=move_rows,
        )

    def options(self, cands: np.ndarray, qty: np.ndarray, option: np.ndarray) -> Options:
        """Evaluate groups of moves each on its own, against the current state (none is applied).

        ``cands``/``qty`` [M] are moves and ``option`` [M] the group each belongs to (0 .. O-1): every group is
        simulated as if it were the only change, so groups may touch the same rows (several ways of fixing one
        item-location, say). Returns per group its change of the objective and the stockout probability of every
        row it touches.
        """
        model = self.model
        n_opt = int(option.max()) + 1 if option.size else 0
        touched = self.touched_rows(cands)
        pairs = np.concatenate([np.stack([option, touched[:, 0]], 1), np.stack([option, touched[:, 1]], 1)])
        pairs = pairs[pairs[:, 1] >= 0]
        uniq = np.unique(pairs, axis=0).reshape(-1, 2)
        rows = uniq[:, 1]
        key = {(int(o), int(r)): k for k, (o, r) in enumerate(uniq)}
        tpos = np.array([key[(int(o), int(r))] for o, r in zip(option, touched[:, 0], strict=True)], dtype=np.int64)
        spos = np.array(
            [key[(int(o), int(r))] if r >= 0 else -1 for o, r in zip(option, touched[:, 1], strict=True)],
            dtype=np.int64,
        )
        inflow = self.inflow[rows].copy()
        self._add_at(inflow, tpos, spos, cands, qty)
        flow = simulate(inflow, model.demand[rows], model.holding[rows], model.floor_from[rows], model.window[rows])
        action = self.action_cost[rows].copy()
        np.add.at(action, tpos, qty[:, None] * self.unit_cost[cands])
        il_cost = flow_cost(flow, model.penalty[rows], model.writedown[rows]) + action
        p = model.scenario_weight
        d_row = objective(il_cost, p, self.level, self.aversion) - self.row_objective[rows]
        d_obj = np.zeros(n_opt)
        np.add.at(d_obj, uniq[:, 0], d_row)
        stockout = np.clip(expect(flow.stockout.astype(np.float64), p), 0.0, 1.0)
        return Options(d_objective=d_obj, pair_option=uniq[:, 0], pair_row=rows, stockout=stockout)

    def apply(self, trial: Trial, keep: np.ndarray) -> None:
        """Apply the moves of the items of ``trial`` flagged in ``keep`` [B]."""
        self.apply_moves(trial, keep[trial.move_item])

    def apply_moves(self, trial: Trial, keep: np.ndarray) -> None:
        """Apply the moves of ``trial`` flagged in ``keep`` [M], with every row they touch.

        A row touched by a kept move must not be touched by a dropped one (the ladder keeps the moves of a round
        on different rows, or keeps or drops an item's moves together).
        """
        model = self.model
        c = model.candidates
        if not keep.any():
            return
        kept_pos = np.unique(trial.move_rows[keep[trial.move_rows[:, 0]], 1])
        dropped_pos = trial.move_rows[~keep[trial.move_rows[:, 0]], 1]
        if np.intersect1d(kept_pos, dropped_pos).size:
            raise ValueError("a row touched by a kept move is also touched by a dropped one")
        rows = trial.rows[kept_pos]
        cands, qty = trial.cands[keep], trial.qty[keep]
        p = model.scenario_weight
        old_cost = self.il_cost[rows].copy()
        self.inflow[rows] = trial.inflow[kept_pos]
        self.il_cost[rows] = trial.il_cost[kept_pos]
        self.stockout[rows] = trial.stockout[kept_pos]
        for j, q in zip(cands, qty, strict=True):
            self.x[j] += q
            self._count(int(j), float(q))
        np.add.at(self.action_cost, c.target[cands], qty[:, None] * self.unit_cost[cands])
        items = model.il_item[rows]
        np.add.at(self.item_cost, items, self.il_cost[rows] - old_cost)
        new_obj = trial.row_objective[kept_pos]
        np.add.at(self.objective, items, new_obj - self.row_objective[rows])
        self.row_objective[rows] = new_obj
        self.row_tail[rows] = cvar(self.il_cost[rows], p, self.level)
        self.weights[rows] = risk_weights(self.il_cost[rows], p, self.level, self.aversion)
        self.lost[rows] = trial.lost[kept_pos]
        self.stock[rows] = trial.stock[kept_pos]
        add, rem = marginal_costs(
            trial.lost[kept_pos],
            trial.stock[kept_pos],
            model.holding[rows],
            model.penalty[rows],
            model.writedown[rows],
        )
        self.add[rows] = add
        self.rem[rows] = rem


@dataclass(frozen=True)
class Options:
    """Groups of moves evaluated each on its own (:meth:`LadderState.options`).

    Attributes
    ----------
    d_objective:
        [O] change of the objective if the group alone were applied (negative = gain).
    pair_option, pair_row, stockout:
        [P] every (group, row) the groups touch, with the row's stockout probability under the group.
    """

    d_objective: np.ndarray
    pair_option: np.ndarray
    pair_row: np.ndarray
    stockout: np.ndarray
