"""Guardrail phases of the hedge ladder: the bounded order change, service floors, and floor swaps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.domain.plan import GuardrailKind
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.ladder_base import Sizing, _floor_kind, _top_per_group, best_per_row, disjoint_moves, group_moves
from hedgerow.plan.rungs import LadderEvent, RungPhase


@dataclass(frozen=True)
class _SwapOptions:
    """Floor-swap options: a pair (take back ``q_out`` of ``j_out``, add ``q_in`` of ``j_in`` at the same row),
    optionally with a compensating take-back ``opt_q`` of ``opt_comp`` at a transfer's source."""

    pair_row: np.ndarray
    j_out: np.ndarray
    j_in: np.ndarray
    q_out: np.ndarray
    q_in: np.ndarray
    opt_pair: np.ndarray
    opt_comp: np.ndarray
    opt_q: np.ndarray

    def moves(self, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(candidates, signed quantities, index into ``ks`` of each move's option) of options ``ks``."""
        pk = self.opt_pair[ks]
        cands = [self.j_out[pk], self.j_in[pk]]
        qty = [-self.q_out[pk], self.q_in[pk]]
        opt = [np.arange(ks.size), np.arange(ks.size)]
        w = np.flatnonzero((self.opt_comp[ks] >= 0) & (self.opt_q[ks] > 0))
        if w.size:
            cands.append(self.opt_comp[ks][w])
            qty.append(-self.opt_q[ks][w])
            opt.append(w)
        return np.concatenate(cands), np.concatenate(qty), np.concatenate(opt)

    def disjoint(self, ks: np.ndarray, touched: np.ndarray, option: np.ndarray, gain: np.ndarray) -> np.ndarray:
        """Positions in ``ks`` of options touching pairwise different rows, best ``gain`` first; ``touched``
        [M, 2] and ``option`` [M] describe the moves of all options (as :meth:`moves` of every option)."""
        rows_of: dict[int, set[int]] = {}
        for m, k in enumerate(option.tolist()):
            rows_of.setdefault(k, set()).update(int(r) for r in touched[m] if r >= 0)
        used: set[int] = set()
        out = []
        for pos in np.argsort(-gain, kind="stable").tolist():
            rows = rows_of.get(int(ks[pos]), set())
            if rows & used:
                continue
            used |= rows
            out.append(pos)
        return np.array(sorted(out), dtype=np.int64)


class FloorPhase(Sizing):
    """The order-change minimum, the service floors and the swaps at binding floors (internal)."""

    def order_minimum(self) -> None:
        model, c, st = self.model, self.c, self.st
        for _ in range(model.n_il + 1):
            need = self.order_min - st.ordered
            rows = np.flatnonzero((need > 1e-9) & self.active_item[model.il_item])
            if rows.size == 0:
                return
            cands, qty = [], []
            for r in rows:
                js = np.flatnonzero((c.target == r) & (c.kind == CandidateKind.ORDER) & self.active_cand)
                rem = self.remaining(js) if js.size else np.zeros(0)
                ok = rem > 1e-9
                detail = {
                    "required": float(need[r]),
                    "last_order": float(model.last_order[r]),
                    "floor_qty": float(self.order_min[r]),
                }
                if not ok.any():
                    blocked = None
                    if js.size and (self.remaining(js, shared=False) > 1e-9).any():
                        blocked = self._shared_note(int(r), int(js[0]))
                    self._event(
                        LadderEvent(
                            GuardrailKind.MAX_ORDER_CHANGE, int(r), infeasible=True, detail=detail, blocked_by=blocked
                        )
                    )
                    self.order_min[r] = st.ordered[r]
                    continue
                js, rem = js[ok], rem[ok]
                k = int(np.argmin(st.marginal(js)))
                j = int(js[k])
                q = need[r] if st.x[j] > 0 else max(need[r], c.moq[j])
                q = float(min(self._round_up(np.array([j]), np.array([q]))[0], rem[k]))
                cands.append(j)
                qty.append(q)
                self._event(LadderEvent(GuardrailKind.MAX_ORDER_CHANGE, int(r), j, detail=detail))
                if q + 1e-9 < need[r]:
                    self.order_min[r] = st.ordered[r] + q
            if cands:
                js = np.array(cands, dtype=np.int64)
                items, move_item = group_moves(model.il_item[c.target[js]])
                trial = st.trial(items, js, np.array(qty), move_item)
                self._commit(
                    trial,
                    np.ones(js.size, dtype=bool),
                    RungPhase.GUARDRAIL,
                    [GuardrailKind.MAX_ORDER_CHANGE] * js.size,
                )

    # ---- phase B: service floors -------------------------------------------------------------------------

    def floors(self) -> None:
        """Bring every item-location short of its service floor up to it, cheapest candidate first.

        Each round, every row short of its floor (at most ``floor_rounds`` times each) gets the candidate that
        restores the floor on its own at the lowest objective, or, when none can, the biggest risk cut. Rows are
        independent: an item sold at many locations has all of them fixed in the same round.
        """
        model, st = self.model, self.st
        gave_up: set[int] = set()
        served = np.zeros(model.n_il, dtype=np.int64)  # floor moves each row received
        for _ in range(self.opt.floor_rounds * (model.n_il + 1)):
            prob = st.stockout_probability()
            viol = (prob > self.limit + 1e-12) & self.active_item[model.il_item] & (model.floor > 0)
            viol &= served < self.opt.floor_rounds
            if gave_up:
                viol[list(gave_up)] = False
            rows = np.flatnonzero(viol)
            if rows.size == 0:
                break
            order = np.argsort(-(prob[rows] - self.limit[rows]), kind="stable")
            rows = rows[order]
            chosen = self._floor_choices(rows, prob, gave_up)
            if not chosen:
                continue
            rs = np.array(list(chosen), dtype=np.int64)  # most violated first
            js = np.array([chosen[r][0] for r in rs], dtype=np.int64)
            qs = np.array([chosen[r][1] for r in rs])
            pick = disjoint_moves(st.touched_rows(js), -np.arange(rs.size, dtype=np.float64), self.inert)
            rs, js, qs = rs[pick], js[pick], self._share_sources(js[pick], qs[pick])
            keep = qs > 0
            rs, js, qs = rs[keep], js[keep], qs[keep]
            if rs.size == 0:
                break
            for rr, j, qq in zip(rs.tolist(), js.tolist(), qs.tolist(), strict=True):
                self._event(
                    LadderEvent(
                        _floor_kind(model, rr),
                        rr,
                        int(j),
                        detail={"floor": float(model.floor[rr]), "before": float(prob[rr]), "qty": float(qq)},
                    )
                )
            served[rs] += 1
            items, move_item = group_moves(model.il_item[rs])
            trial = st.trial(items, js, qs, move_item)
            self._commit(
                trial, np.ones(rs.size, dtype=bool), RungPhase.GUARDRAIL, [_floor_kind(model, int(r)) for r in rs]
            )
        prob = st.stockout_probability()
        left = np.flatnonzero((prob > self.limit + 1e-12) & self.active_item[model.il_item] & (model.floor > 0))
        for left_row in left.tolist():
            if left_row not in gave_up:
                self._floor_infeasible(left_row, float(prob[left_row]))
        self.guard[left] = np.maximum(self.guard[left], prob[left])

    def _floor_choices(self, rows: np.ndarray, prob: np.ndarray, gave_up: set[int]) -> dict[int, tuple[int, float]]:
        """For each row of ``rows`` (in order) short of its floor: (candidate, units) that restores the floor at
        the lowest objective, or the biggest risk cut when no candidate can alone; rows nothing can help are
        reported and added to ``gave_up``."""
        model, c, st = self.model, self.c, self.st
        pr, pc = [], []
        for row_ in rows:
            js = np.flatnonzero((c.target == row_) & self.active_cand)
            pr += [int(row_)] * js.size
            pc += [int(j) for j in js]
        pair_row, pair_cand = np.array(pr, dtype=np.int64), np.array(pc, dtype=np.int64)
        if pair_cand.size == 0:
            for row_ in rows:
                self._floor_infeasible(int(row_), float(prob[row_]))
                gave_up.add(int(row_))
            return {}
        ub = self.remaining(pair_cand)
        is_tr = c.source[pair_cand] >= 0
        if is_tr.any():
            # a transfer may not push its source below its own floor, nor — where the source is short of its floor
            # already — raise its risk further (one row's floor is not bought with another's)
            src = c.source[pair_cand[is_tr]]
            src_lim = np.maximum(self.guard[src], prob[src])
            keep = self._max_remove(src, ub[is_tr], src_lim)
            # a source short of its floor gives only what it has left in every scenario (its risk may be at 100 %
            # already, yet every unit it would sell taken away is a sale lost there)
            short = prob[src] > self.guard[src] + 1e-12
            if short.any():
                surplus = np.maximum(st.stock[src[short]].min(axis=(1, 2)), 0.0)
                keep[short] = np.minimum(keep[short], np.where(model.is_count[src[short]], np.floor(surplus), surplus))
            limited = (model.floor[src] > 0) & (keep + 1e-9 < ub[is_tr])
            for k in np.flatnonzero(limited):
                j = int(pair_cand[is_tr][k])
                self._event(
                    LadderEvent(
                        GuardrailKind.SOURCE_PROTECTED,
                        int(c.source[j]),
                        j,
                        detail={"free_units": float(ub[is_tr][k]), "movable_keeping_floor": float(keep[k])},
                    )
                )
            ub[is_tr] = np.where(model.floor[src] > 0, np.minimum(ub[is_tr], keep), ub[is_tr])
        moq_needed = np.where(st.x[pair_cand] > 0, 0.0, c.moq[pair_cand])
        hi = np.where(np.isfinite(ub), ub, self._huge(pair_row))
        usable = (hi > 1e-9) & (hi + 1e-9 >= moq_needed)
        q_need = np.full(pair_cand.size, np.inf)
        if usable.any():
            u = np.flatnonzero(usable)
            q_need[u] = self._min_add(pair_row[u], pair_cand[u], hi[u], self.limit[pair_row[u]])
        reach = usable & np.isfinite(q_need)
        q = np.zeros(pair_cand.size)
        q[reach] = np.minimum(np.maximum(q_need[reach], moq_needed[reach]), hi[reach])
        # rows no candidate can fix alone: the biggest risk cut at the limit of each candidate
        p_hi = np.full(pair_cand.size, np.inf)
        lone = usable & ~np.isin(pair_row, pair_row[reach])
        if lone.any():
            p_hi[lone] = self._stockout_after(pair_row[lone], pair_cand[lone], hi[lone], remove=False)
        chosen: dict[int, tuple[int, float]] = {}
        ks = np.flatnonzero(reach)
        if ks.size:
            # each way of restoring a floor evaluated on its own: the lowest objective wins
            d_obj = st.options(pair_cand[ks], q[ks], np.arange(ks.size)).d_objective
            best = {int(pair_row[ks[b]]): int(ks[b]) for b in best_per_row(pair_row[ks], -d_obj)}
        else:
            best = {}
        for row in rows.tolist():
            if row in best:
                kbest = best[row]
                chosen[row] = (int(pair_cand[kbest]), float(q[kbest]))
                continue
            kk = np.flatnonzero((pair_row == row) & usable & (p_hi < prob[row] - 1e-12))
            if kk.size == 0:
                self._floor_infeasible(row, float(prob[row]))
                gave_up.add(row)
                continue
            kb = int(kk[np.argmin(p_hi[kk])])
            chosen[row] = (int(pair_cand[kb]), float(hi[kb]))
        return chosen

    def _floor_infeasible(self, row: int, prob: float) -> None:
        """Record a floor that cannot be met, with the limit that blocks it (tested by lifting limits)."""
        model, c = self.model, self.c
        js = np.flatnonzero((c.target == row) & self.active_cand)
        blocked_by = GuardrailKind.LEAD_TIME
        if js.size:
            rows = np.full(js.size, row)
            # 1. with the shared limits lifted (budgets, capacities)
            local = self.remaining(js, shared=False)
            p_local = np.full(js.size, np.inf)
            fin = local > 1e-9
            if fin.any():
                p_local[fin] = self._stockout_after(
                    rows[fin],
                    js[fin],
                    np.where(np.isfinite(local[fin]), local[fin], self._huge(rows[fin])),
                    remove=False,
                )
            # 2. with every quantity limit lifted (only lead times and physics remain)
            free = np.where(
                c.kind[js] == CandidateKind.TRANSFER, self.model.on_hand[np.maximum(c.source[js], 0)], self._huge(rows)
            )
            p_free = self._stockout_after(rows, js, free, remove=False)
            if (p_local <= self.limit[row] + 1e-12).any():
                k = int(js[np.argmin(p_local)])
                blocked_by = GuardrailKind(self.limits.binding(k)[0])
            elif (p_free <= self.limit[row] + 1e-12).any():
                k = int(js[np.argmin(p_free)])
                if c.kind[k] == CandidateKind.ORDER:
                    blocked_by = (
                        GuardrailKind.MAX_ORDER_CHANGE
                        if np.isfinite(self.order_cap[row])
                        else GuardrailKind.LANE_CAPACITY
                    )
                elif c.kind[k] == CandidateKind.TRANSFER:
                    src = int(c.source[k])
                    blocked_by = GuardrailKind.HOLD if model.held[src] > 0 else GuardrailKind.SOURCE_PROTECTED
                else:
                    blocked_by = GuardrailKind.LANE_CAPACITY
        self._event(
            LadderEvent(
                _floor_kind(model, row),
                row,
                infeasible=True,
                detail={"floor": float(model.floor[row]), "best": prob},
                blocked_by=blocked_by,
            )
        )

    # ---- phase C: value stages ---------------------------------------------------------------------------

    def floor_swaps(self) -> None:
        """Trade between candidates of an item-location whose service floor binds.

        At a binding floor no single move pays: taking units back breaks the floor and adding more costs more
        than it saves. A swap takes a lot back from one candidate and adds on another the least quantity that
        keeps the floor (bisection on the scenarios), e.g. less air and more ocean, or a transfer instead of an
        order. Swaps are tried for many item-locations at once and kept when the objective falls.
        """
        model, c, st = self.model, self.c, self.st
        if c.n == 0 or not (model.floor > 0).any():
            return
        step = self.base_step.copy()
        n_s = model.n_scenarios
        last = float(st.objective.sum())
        for k in range(self.opt.swap_passes):
            now = float(st.objective.sum())
            if k > 1 and last - now < self.opt.stall_tol * abs(now):
                return
            last = now
            prob = st.stockout_probability()
            # binding floors only: within one and a half scenarios of the limit
            binding = (model.floor > 0) & (prob > self.guard - 1.5 / n_s) & self.active_item[model.il_item]
            rows_all = np.flatnonzero(binding)
            self._refresh_marginals()
            pr, po, pi = [], [], []
            by_row: dict[int, list[int]] = {}
            for j in np.flatnonzero(binding[c.target] & self.active_cand):
                by_row.setdefault(int(c.target[j]), []).append(int(j))
            for r in rows_all.tolist():
                js_r = np.array(by_row.get(r, []), dtype=np.int64)
                if js_r.size < 2:
                    continue
                out_js = js_r[(st.x[js_r] > 0)]
                out_js = out_js[self.removable(out_js) > 1e-9]
                out_js = out_js[np.argsort(-st.x[out_js], kind="stable")][:3]
                in_js = js_r[self.remaining(js_r) > 1e-9]
                if out_js.size == 0 or in_js.size == 0:
                    continue
                for o in out_js.tolist():
                    for i in in_js[in_js != o].tolist():
                        pr.append(r)
                        po.append(o)
                        pi.append(i)
            if not pr:
                return
            pair_row, j_out, j_in = np.array(pr), np.array(po), np.array(pi)
            q_out = self._move_qty_with(j_out, -np.ones(j_out.size), step)
            ok = q_out > 0
            pair_row, j_out, j_in, q_out = pair_row[ok], j_out[ok], j_in[ok], q_out[ok]
            if pair_row.size == 0:
                return
            # the most promising swaps of each item-location by first-order gain per unit moved
            first_order = -(self.rmarg[j_out] + self.marg[j_in])
            keep = _top_per_group(pair_row, first_order, 2 * self.opt.swap_pairs_per_row)
            pair_row, j_out, j_in, q_out = (a[keep] for a in (pair_row, j_out, j_in, q_out))
            base = st.inflow[pair_row].copy()
            self._add_pairwise(base, j_out, -q_out)
            hi = self.remaining(j_in)
            hi = np.where(np.isfinite(hi), hi, self._huge(pair_row))
            limit = np.maximum(self.guard[pair_row], prob[pair_row])
            q_in = self._min_add(pair_row, j_in, hi, limit, base=base)
            reach = np.isfinite(q_in)
            if not reach.any():
                step = np.maximum(
                    np.where(model.is_count[c.target], np.floor(step / 2), step / 2), self.min_lot[c.target]
                )
                continue
            pair_row, j_out, j_in, q_out, hi, base, limit, q_in = (
                a[reach] for a in (pair_row, j_out, j_in, q_out, hi, base, limit, q_in)
            )
            q_in = np.where(st.x[j_in] > 0, q_in, np.maximum(q_in, c.moq[j_in]))
            q_in = np.minimum(q_in, hi)
            # keep the most promising swaps of each item-location (first-order gain estimate)
            est = -(self.rmarg[j_out] * q_out + self.marg[j_in] * q_in)
            keep_pairs = _top_per_group(pair_row, est, self.opt.swap_pairs_per_row)
            pair_row, j_out, j_in, q_out, q_in = (a[keep_pairs] for a in (pair_row, j_out, j_in, q_out, q_in))
            # a swap that takes back a transfer hands the units back to its source: also try taking the same
            # quantity back from the source's largest order there (the stock was routed through it)
            comp_j = np.full(pair_row.size, -1, dtype=np.int64)
            is_tr = c.source[j_out] >= 0
            for k in np.flatnonzero(is_tr).tolist():
                src = int(c.source[j_out[k]])
                orders = np.flatnonzero((c.target == src) & (c.source < 0) & (st.x > 0) & self.active_cand)
                if orders.size:
                    comp_j[k] = int(orders[np.argmax(st.x[orders])])
            opt_pair = np.concatenate([np.arange(pair_row.size), np.flatnonzero(comp_j >= 0)])
            opt_comp = np.concatenate([np.full(pair_row.size, -1, dtype=np.int64), comp_j[comp_j >= 0]])
            opt_q = np.zeros(opt_pair.size)
            has = opt_comp >= 0
            opt_q[has] = np.minimum(q_out[opt_pair[has]], self.removable(opt_comp[has]))
            if model.is_count.any():
                opt_q = np.floor(opt_q + 1e-9)

            swap = _SwapOptions(pair_row, j_out, j_in, q_out, q_in, opt_pair, opt_comp, opt_q)

            # every option evaluated on its own; the best improving one per item-location that keeps the floors
            cands, qty, option = swap.moves(np.arange(opt_pair.size))
            ev = st.options(cands, qty, option)
            prob_now = st.stockout_probability(ev.pair_row)
            worse = (ev.stockout > np.maximum(self.guard[ev.pair_row], prob_now) + 1e-12) & (
                model.floor[ev.pair_row] > 0
            )
            broken = np.zeros(opt_pair.size, dtype=bool)
            broken[ev.pair_option[worse]] = True
            rows_opt = pair_row[opt_pair]
            gain = -ev.d_objective
            ok = ~broken & (gain > 1e-9 * (1.0 + np.abs(st.row_objective[rows_opt])))
            if not ok.any():
                step = np.maximum(
                    np.where(model.is_count[c.target], np.floor(step / 2), step / 2), self.min_lot[c.target]
                )
                if (step <= self.min_lot[c.target] + 1e-12).all():
                    return
                continue
            ks = np.flatnonzero(ok)[best_per_row(rows_opt[ok], gain[ok])]
            ks = ks[swap.disjoint(ks, st.touched_rows(cands), option, gain[ks])]
            cands, qty, option = swap.moves(ks)
            items, move_item = group_moves(model.il_item[c.target[cands]])
            trial = st.trial(items, cands, qty, move_item)
            fits = self._fits_shared(cands, qty, np.ones(cands.size, dtype=bool))
            keep = np.ones(ks.size, dtype=bool)
            np.logical_and.at(keep, option, fits)
            self._commit(trial, keep[option], RungPhase.POLISH, [None] * cands.size)
