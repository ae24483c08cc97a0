"""The working core of the hedge ladder: its state, limits, bookkeeping and floor arithmetic.

Internal to :mod:`hedgerow.plan.ladder`; the phases live in :mod:`hedgerow.plan.ladder_floors` (guardrails and
floor swaps) and :mod:`hedgerow.plan.ladder_search` (value stages, polish, exchanges, MOQ drops), all on
:class:`LadderBase` and :class:`Sizing` (how big a move is).
"""

from __future__ import annotations

import math

import numpy as np

from hedgerow.domain.plan import GuardrailKind
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.costs import expect, simulate
from hedgerow.plan.floorcalc import max_remove_keeping_floor, min_add_for_floor
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.linesearch import Steps, add_steps, best_quantity, remove_steps
from hedgerow.plan.model import UNIT_TOL, PlanModel, ceil_to, floor_to, order_change_bounds, whole_shares
from hedgerow.plan.rungs import LadderEvent, LadderOptions, Rung, RungPhase
from hedgerow.plan.state import LadderState, Trial


def _floor_kind(model: PlanModel, row: int) -> GuardrailKind:
    item = model.problem.item(model.il_items[row])
    own = model.problem.policy.service_floor(item.item_class)
    return GuardrailKind.BUNDLE_COMPONENT if model.floor[row] > own + 1e-12 else GuardrailKind.SERVICE_FLOOR


def disjoint_moves(touched: np.ndarray, priority: np.ndarray, shared: np.ndarray | None = None) -> np.ndarray:
    """Indices of moves that touch pairwise different rows, taken greedily by ``priority`` (highest first).

    ``touched`` [M, 2] holds the rows each move changes (its target and its source, -1 when none). Moves on
    different rows change the objective independently (risk is measured per item-location), so they can be
    tried and kept together in one round; a move that shares a row with a better one waits for the next round.
    Rows flagged in ``shared`` [n] (a distribution centre's stock pool, whose cost no move changes) may be the
    source of several moves. Returned in the order of ``priority``.
    """
    order = np.argsort(-priority, kind="stable")
    if touched.size == 0:
        return order
    if (touched[:, 1] < 0).all() and np.unique(touched[:, 0]).size == touched.shape[0]:
        return order  # no transfers and one move per row: nothing to resolve
    used: set[int] = set()
    sources: set[int] = set()
    out = []
    for k in order.tolist():
        a, b = int(touched[k, 0]), int(touched[k, 1])
        pooled = b >= 0 and shared is not None and bool(shared[b])
        if a in used or a in sources or (b >= 0 and b in used) or (b in sources and not pooled):
            continue
        used.add(a)
        if b >= 0:
            sources.add(b)
            if not pooled:
                used.add(b)
        out.append(k)
    return np.array(out, dtype=np.int64)


def best_per_row(rows: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Indices of the highest ``score`` of each distinct value of ``rows`` (ties: the first)."""
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-score, rows))
    first = np.ones(order.size, dtype=bool)
    first[1:] = rows[order][1:] != rows[order][:-1]
    return np.asarray(order[first])


def group_moves(item_of_move: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct items, index of each move's item among them) for :meth:`LadderState.trial`."""
    items, move_item = np.unique(item_of_move, return_inverse=True)
    return items, move_item.ravel()


def _top_per_group(groups: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores of each group."""
    order = np.lexsort((-score, groups))
    g = groups[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(g.size) - np.repeat(start, np.diff(np.r_[start, g.size]))
    return np.sort(order[rank < k])


class LadderBase:
    """State, limits and bookkeeping shared by the ladder's phases (internal)."""

    def __init__(
        self,
        model: PlanModel,
        start: np.ndarray | None,
        items: np.ndarray | None,
        upper: np.ndarray | None,
        limits: SharedLimits | None,
        options: LadderOptions,
    ) -> None:
        self.model = model
        self.opt = options
        self.st = LadderState(model, start)
        c = model.candidates
        self.c = c
        n_items = len(model.item_ids)
        self.active_item = np.ones(n_items, dtype=bool) if items is None else np.isin(np.arange(n_items), items)
        self.active_cand = self.active_item[model.il_item[c.target]] if c.n else np.zeros(0, dtype=bool)
        self.upper = c.upper.copy() if upper is None else np.minimum(c.upper, upper)
        self.limits = limits if limits is not None else SharedLimits.from_model(model)
        if start is not None and c.n:
            used = np.flatnonzero(self.st.x > 0)
            self.limits.consume(used, self.st.x[used])
        self.order_min, self.order_cap = order_change_bounds(model)
        if c.n:
            # no scenario can use more than its whole window's demand at the destination: past that an order
            # cannot lower a stockout (the bounded order change may still ask for more), so a floor that no lot
            # can meet (a lane too late in some scenarios) never buys an unbounded lot
            need = model.demand.sum(axis=2).max(axis=1)
            order = c.kind == CandidateKind.ORDER
            self.upper = np.where(
                order,
                np.minimum(self.upper, np.maximum(np.maximum(need[c.target], c.moq), self.order_min[c.target])),
                self.upper,
            )
        self.min_lot = model.grain.copy()  # one pack: no lot is smaller
        base = np.maximum(options.lot_periods * model.mean_demand, self.min_lot)
        self.base_step = np.maximum(floor_to(base, model.grain), model.grain)[c.target] if c.n else np.zeros(0)
        self.step = self._fresh_steps()
        self.max_step = 32.0 * self.base_step
        self.exhausted = np.zeros(c.n, dtype=bool)
        # rows whose cost no move can change (a distribution centre's stock pool while its stores are planned: no
        # demand, no holding, no write-down): several moves of a round may draw on one of them
        self.inert = (
            (model.demand.sum(axis=(1, 2)) == 0) & (np.abs(model.holding).sum(axis=1) == 0) & (model.writedown == 0)
        )
        self.limit = 1.0 - model.floor  # allowed stockout probability per row
        # what later moves may not push a row's stockout probability above: its limit, or — where the floor
        # cannot be met — the best the guardrail phase reached (a best-feasible floor is a guardrail too)
        self.guard = self.limit.copy()
        self.reverse = self._reverse_transfers()
        # marginal values per candidate, valid until the candidate's item changes
        self.marg = np.zeros(c.n)
        self.rmarg = np.zeros(c.n)
        self.dirty = np.ones(model.n_il, dtype=bool)  # rows whose candidates must be re-priced
        self.rungs: list[Rung] = []
        self.events: list[LadderEvent] = []
        self.noted: set[tuple[GuardrailKind, int, int]] = set()
        self.price = 0.0

    def _fresh_steps(self) -> np.ndarray:
        """Lot caps at the start of a stage: none with the line search, else the first lot size."""
        if self.opt.line_search:
            return np.full(self.c.n, np.inf)
        return np.asarray(self.base_step.copy())

    def _reverse_transfers(self) -> np.ndarray:
        c = self.c
        rev = np.full(c.n, -1, dtype=np.int64)
        tr = np.flatnonzero(c.source >= 0)
        pairs = {(int(c.source[j]), int(c.target[j])): int(j) for j in tr}
        for j in tr:
            rev[j] = pairs.get((int(c.target[j]), int(c.source[j])), -1)
        return rev

    def _event(self, event: LadderEvent) -> None:
        key = (event.kind, event.row, event.cand)
        if key not in self.noted:
            self.noted.add(key)
            self.events.append(event)

    # ---- limits ------------------------------------------------------------------------------------------

    def remaining(self, cands: np.ndarray, *, shared: bool = True, order_cap: bool = True) -> np.ndarray:
        """[len(cands)] units each candidate may still add under item-local (and shared) limits."""
        c, st, model = self.c, self.st, self.model
        rem = self.upper[cands] - st.x[cands]
        src = c.source[cands]
        has_src = src >= 0
        rem[has_src] = np.minimum(rem[has_src], model.movable[src[has_src]] - st.moved_out[src[has_src]])
        rev = self.reverse[cands]
        has_rev = rev >= 0
        rem[has_rev] = np.where(st.x[rev[has_rev]] > 0, 0.0, rem[has_rev])
        ship = c.shipment[cands]
        has_ship = ship >= 0
        rem[has_ship] = np.minimum(rem[has_ship], model.pipeline.qty[ship[has_ship]] - st.expedited[ship[has_ship]])
        if order_cap:
            is_order = c.kind[cands] == CandidateKind.ORDER
            t = c.target[cands]
            rem[is_order] = np.minimum(rem[is_order], self.order_cap[t[is_order]] - st.ordered[t[is_order]])
        if shared:
            rem = np.minimum(rem, self.limits.headroom(cands))
        rem = np.maximum(rem, 0.0)
        return floor_to(rem, model.grain[c.target[cands]])

    def removable(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] units each candidate may give back (orders stay above the order-change minimum)."""
        c, st = self.c, self.st
        rem = st.x[cands].copy()
        is_order = c.kind[cands] == CandidateKind.ORDER
        t = c.target[cands]
        rem[is_order] = np.minimum(rem[is_order], st.ordered[t[is_order]] - self.order_min[t[is_order]])
        return np.asarray(np.maximum(rem, 0.0))

    def _share_sources(self, cands: np.ndarray, q: np.ndarray) -> np.ndarray:
        """[len(cands)] ``q`` with moves that draw on one source cut to share what it has left (units): in
        proportion to what each asked for, whole units for counted items (a short DC shared between its stores)."""
        c, st = self.c, self.st
        src = c.source[cands]
        out = q.copy()
        pos = np.flatnonzero((src >= 0) & (q > 0))
        if pos.size < 2:
            return out
        for s_row in np.unique(src[pos]).tolist():
            mine = pos[src[pos] == s_row]
            if mine.size < 2:
                continue
            free = max(float(self.model.movable[s_row] - st.moved_out[s_row]), 0.0)
            asked = float(q[mine].sum())
            if asked <= free + UNIT_TOL:
                continue
            share = q[mine] * free / asked
            out[mine] = whole_shares(share, self.model.grain[c.target[mine]], free)
        return out

    def _round_down(self, cands: np.ndarray, q: np.ndarray) -> np.ndarray:
        return floor_to(q, self.model.grain[self.c.target[cands]])

    def _round_up(self, cands: np.ndarray, q: np.ndarray) -> np.ndarray:
        return ceil_to(q, self.model.grain[self.c.target[cands]])

    # ---- rung bookkeeping --------------------------------------------------------------------------------

    def _commit(self, trial: Trial, keep: np.ndarray, phase: RungPhase, kinds: list[GuardrailKind | None]) -> None:
        """Record and apply the moves of ``trial`` flagged in ``keep`` [M] (``kinds`` [M]: the guardrail each
        serves)."""
        if not keep.any():
            return
        st, model, c = self.st, self.model, self.c
        kept_pos = trial.move_rows[keep[trial.move_rows[:, 0]], 1]
        dropped_pos = trial.move_rows[~keep[trial.move_rows[:, 0]], 1]
        if np.intersect1d(kept_pos, dropped_pos).size:
            # moves sharing a DC's stock where only some are kept: simulate the kept ones again on their own
            kept = np.flatnonzero(keep)
            items, move_item = group_moves(model.il_item[c.target[trial.cands[kept]]])
            trial = st.trial(items, trial.cands[kept], trial.qty[kept], move_item)
            keep = np.ones(kept.size, dtype=bool)
            kinds = [kinds[m] for m in kept.tolist()]
        for m in np.flatnonzero(keep).tolist():
            j, q = int(trial.cands[m]), float(trial.qty[m])
            if c.kind[j] == CandidateKind.ORDER and st.x[j] == 0 and c.moq[j] > 0 and q <= c.moq[j] + 1e-9:
                self._event(
                    LadderEvent(
                        GuardrailKind.MIN_ORDER_QTY,
                        int(c.target[j]),
                        j,
                        detail={"moq": float(c.moq[j]), "qty": q},
                    )
                )
            self.rungs.append(
                Rung(
                    item=int(model.il_item[c.target[j]]),
                    cand=j,
                    qty=q,
                    capital=float(q * c.capital[j]),
                    d_expected=float(trial.d_expected[m]),
                    d_tail=float(trial.d_tail[m]),
                    d_objective=float(trial.d_objective[m]),
                    phase=phase,
                    guardrail=kinds[m],
                )
            )
        cands = trial.cands[keep]
        self.limits.consume(cands, trial.qty[keep])
        st.apply_moves(trial, keep)
        touched = st.touched_rows(cands).ravel()
        changed = np.zeros(model.n_il, dtype=bool)
        changed[touched[touched >= 0]] = True
        self.dirty |= changed
        # candidates on a changed row may pay again
        src = np.maximum(c.source, 0)
        self.exhausted[changed[c.target] | ((c.source >= 0) & changed[src])] = False

    def _shared_note(self, row: int, j: int) -> GuardrailKind:
        kind, _ = self.limits.binding(j)
        gk = GuardrailKind(kind)
        detail = {"headroom": float(self.limits.headroom(np.array([j]))[0])}
        self._event(LadderEvent(gk, row, j, detail=detail))
        return gk

    # ---- phase A: bounded order change (lower bound) -----------------------------------------------------

    def _capital_limited(self) -> bool:
        return math.isfinite(self.limits.total) or bool(np.isfinite(self.limits.region).any())

    def _affordable(self) -> bool:
        """True while some candidate still fits the shared limits by at least one lot."""
        idx = np.flatnonzero(self.active_cand)
        if idx.size == 0:
            return False
        room = self.remaining(idx)
        return bool((room + 1e-9 >= np.maximum(self.min_lot[self.c.target[idx]], self.c.moq[idx])).any())

    def _refresh_marginals(self) -> None:
        """Re-price the candidates whose rows changed since they were last priced."""
        c, st = self.c, self.st
        src = np.maximum(c.source, 0)
        stale_mask = self.active_cand & (self.dirty[c.target] | ((c.source >= 0) & self.dirty[src]))
        stale = np.flatnonzero(stale_mask)
        if stale.size == 0:
            return
        self.marg[stale] = st.marginal(stale)
        held = stale[st.x[stale] > 0]
        if held.size:
            self.rmarg[held] = st.removal_marginal(held)
        rows = st.touched_rows(stale).ravel()
        self.dirty[rows[rows >= 0]] = False

    def _fits_shared(self, js: np.ndarray, signed_qty: np.ndarray, good: np.ndarray) -> np.ndarray:
        """[B] False for rungs that no longer fit the shared headroom once better rungs of the round are in."""
        ok = good.copy()
        if not good.any():
            return ok
        lim = self.limits
        spend_total = 0.0
        region = lim.region.copy()
        lane = lim.lane.copy()
        wh = lim.warehouse.copy()
        order = np.argsort(-np.abs(signed_qty) * 0, kind="stable")
        for b in order:
            if not good[b]:
                continue
            j, q = int(js[b]), float(signed_qty[b])
            spend = q * float(lim.capital[j])
            r, w, li = lim.cand_region[j], lim.cand_warehouse[j], lim.cand_lane[j]
            fits = spend_total + spend <= lim.total + 1e-6 and q <= lane[li] + 1e-9
            fits = fits and (r < 0 or spend <= region[r] + 1e-6) and (w < 0 or q <= wh[w] + 1e-9)
            if q <= 0 or fits:
                spend_total += spend
                lane[li] -= q
                if r >= 0:
                    region[r] -= spend
                if w >= 0:
                    wh[w] -= q
            else:
                ok[b] = False
        return ok

    def _note_blocked(self, idx: np.ndarray, improving: np.ndarray, fits: np.ndarray) -> None:
        """Note limits that stop a candidate that would still pay (order-change cap, shared limits)."""
        c, st = self.c, self.st
        blocked = idx[improving & ~fits]
        for j in blocked[:200]:
            r = int(c.target[j])
            if (
                c.kind[j] == CandidateKind.ORDER
                and np.isfinite(self.order_cap[r])
                and st.ordered[r] >= self.order_cap[r] - 1e-9
            ):
                self._event(
                    LadderEvent(
                        GuardrailKind.MAX_ORDER_CHANGE,
                        r,
                        int(j),
                        detail={"cap": float(self.order_cap[r]), "last_order": float(self.model.last_order[r])},
                    )
                )
            elif self.remaining(np.array([j]), shared=False)[0] > 1e-9:
                self._shared_note(r, int(j))
            elif c.source[j] >= 0 and self.model.held[c.source[j]] > 0:
                self._event(
                    LadderEvent(
                        GuardrailKind.HOLD,
                        int(c.source[j]),
                        int(j),
                        detail={"held": float(self.model.held[c.source[j]])},
                    )
                )

    def _floors_kept(self, trial: Trial, js: np.ndarray, sign: np.ndarray) -> np.ndarray:
        """[B] False where a move pushes an item-location that meets its floor below it."""
        model, c, st = self.model, self.c, self.st
        ok = np.ones(js.size, dtype=bool)
        risky = (c.kind[js] != CandidateKind.ORDER) | (sign < 0)
        if not risky.any():
            return ok
        prob_now = st.stockout_probability(trial.rows)
        prob_new = expect(trial.stockout.astype(np.float64), model.scenario_weight)
        lim = self.guard[trial.rows]
        worse = (prob_now <= lim + 1e-12) & (prob_new > lim + 1e-12) & (model.floor[trial.rows] > 0)
        bad_rows = set(trial.rows[worse].tolist())
        if not bad_rows:
            return ok
        for b, j in enumerate(js):
            if not risky[b]:
                continue
            touched = {int(c.target[j])} | ({int(c.source[j])} if c.source[j] >= 0 else set())
            if touched & bad_rows:
                ok[b] = False
                if c.source[j] >= 0 and int(c.source[j]) in bad_rows and sign[b] > 0:
                    self._event(
                        LadderEvent(
                            GuardrailKind.SOURCE_PROTECTED,
                            int(c.source[j]),
                            int(j),
                            detail={"floor": float(model.floor[c.source[j]])},
                        )
                    )
        return ok

    def _move_to(self, target: np.ndarray) -> None:
        """Apply the differences ``target - x`` (one candidate per row per step, take-backs first)."""
        c, st = self.c, self.st
        for _ in range(c.n):
            diff = target - st.x
            js = np.flatnonzero(np.abs(diff) > 1e-9)
            if js.size == 0:
                return
            # take-backs first, so that freed headroom is there for the additions
            js = js[disjoint_moves(st.touched_rows(js), (diff[js] < 0).astype(np.float64), self.inert)]
            items, move_item = group_moves(self.model.il_item[c.target[js]])
            trial = st.trial(items, js, diff[js], move_item)
            self._commit(trial, np.ones(js.size, dtype=bool), RungPhase.POLISH, [None] * js.size)

    def _stockout_after(
        self, rows: np.ndarray, cands: np.ndarray, qty: np.ndarray, *, remove: bool, base: np.ndarray | None = None
    ) -> np.ndarray:
        """Stockout probability of ``rows`` after adding ``qty`` of ``cands`` there (or, ``remove``, taking
        ``qty`` away at period 0), starting from ``base`` inflow [P, S, Tw + 1] (default: the current)."""
        model, st = self.model, self.st
        inflow = st.inflow[rows].copy() if base is None else base.copy()
        if remove:
            inflow[:, :, 0] -= qty[:, None]
        else:
            self._add_pairwise(inflow, cands, qty)
        flow = simulate(inflow, model.demand[rows], model.holding[rows], model.floor_from[rows], model.window[rows])
        return np.asarray(expect(flow.stockout.astype(np.float64), model.scenario_weight))

    def _add_pairwise(self, inflow: np.ndarray, cands: np.ndarray, qty: np.ndarray) -> None:
        """Add ``qty[p]`` of candidate ``cands[p]`` at its *target* to ``inflow[p]`` (one row per pair)."""
        model, st, c = self.model, self.st, self.c
        lanes = model.lanes
        b = np.arange(cands.size)[:, None]
        s = st.s_idx[None, :]
        li = c.lane[cands]
        for k in range(lanes.share.shape[1]):  # (pair, scenario) indices are distinct: plain fancy adds
            inflow[b, s, lanes.arrival[li, k]] += qty[:, None] * lanes.share[li, k]
        ship = c.shipment[cands]
        has = ship >= 0
        if has.any():
            arr = model.pipeline.arrival[ship[has]]
            inflow[np.flatnonzero(has)[:, None], s, arr] -= qty[has, None]

    def _bisect(
        self,
        rows: np.ndarray,
        cands: np.ndarray,
        hi: np.ndarray,
        limit: np.ndarray,
        *,
        remove: bool,
        base: np.ndarray | None = None,
    ) -> np.ndarray:
        """Smallest quantity meeting ``limit`` when adding (``hi`` must meet it), or the largest quantity up to
        ``hi`` that keeps it when removing."""
        grain = self.model.grain[rows]
        tol = grain
        if remove:
            ok_hi = self._stockout_after(rows, cands, hi, remove=True) <= limit + 1e-12
            good, bad = np.where(ok_hi, hi, 0.0), np.where(ok_hi, hi + tol, hi)
            for _ in range(64):
                act = bad - good > tol + 1e-12
                if not act.any():
                    break
                mid = floor_to((good + bad) / 2, grain)
                ok = self._stockout_after(rows, cands, mid, remove=True) <= limit + 1e-12
                good = np.where(act & ok, mid, good)
                bad = np.where(act & ~ok, mid, bad)
            return good
        lo = np.zeros(rows.size)
        hi = hi.copy()
        for _ in range(64):
            act = hi - lo > tol + 1e-12
            if not act.any():
                break
            mid = floor_to((lo + hi) / 2, grain)
            ok = self._stockout_after(rows, cands, mid, remove=False, base=base) <= limit + 1e-12
            hi = np.where(act & ok, mid, hi)
            lo = np.where(act & ~ok, mid, lo)
        return hi

    def _min_add(
        self, rows: np.ndarray, cands: np.ndarray, hi: np.ndarray, limit: np.ndarray, base: np.ndarray | None = None
    ) -> np.ndarray:
        """Smallest quantity of each candidate that brings its row to ``limit`` (``inf`` if not within ``hi``).

        Closed form (:func:`~hedgerow.plan.floorcalc.min_add_for_floor`) for candidates that arrive in one piece;
        bisection on the scenarios for split arrivals (reduced lane capacity) and expedites.
        """
        model, st, c = self.model, self.st, self.c
        lanes = model.lanes
        li = c.lane[cands]
        whole = (lanes.share[li, 0] >= 1.0 - 1e-12).all(axis=1) & (c.shipment[cands] < 0)
        q = np.full(rows.size, np.inf)
        if whole.any():
            w = np.flatnonzero(whole)
            inflow = st.inflow[rows[w]].copy() if base is None else base[w].copy()
            flow = simulate(
                inflow,
                model.demand[rows[w]],
                model.holding[rows[w]],
                model.floor_from[rows[w]],
                model.window[rows[w]],
                keep_paths=True,
            )
            assert flow.lost is not None
            q[w] = min_add_for_floor(
                flow.lost,
                lanes.arrival[li[w], 0],
                model.floor_from[rows[w]],
                model.window[rows[w]],
                model.scenario_weight,
                limit[w],
            )
            q[w] = self._round_up(cands[w], q[w])
        rest = np.flatnonzero(~whole)
        if rest.size:
            b = None if base is None else base[rest]
            p_hi = self._stockout_after(rows[rest], cands[rest], hi[rest], remove=False, base=b)
            ok = p_hi <= limit[rest] + 1e-12
            if ok.any():
                r_ok = rest[ok]
                q[r_ok] = self._bisect(
                    rows[r_ok],
                    cands[r_ok],
                    hi[r_ok],
                    limit[r_ok],
                    remove=False,
                    base=None if base is None else base[r_ok],
                )
        return np.asarray(np.where(q <= hi + 1e-9, q, np.inf))

    def _max_remove(self, rows: np.ndarray, hi: np.ndarray, limit: np.ndarray) -> np.ndarray:
        """Largest quantity (up to ``hi``) that may leave each row at period 0 with its floor kept."""
        model, st = self.model, self.st
        flow = simulate(
            st.inflow[rows].copy(),
            model.demand[rows],
            model.holding[rows],
            model.floor_from[rows],
            model.window[rows],
            keep_paths=True,
        )
        assert flow.lost is not None
        assert flow.stock is not None
        q = max_remove_keeping_floor(
            flow.lost, flow.stock, model.floor_from[rows], model.window[rows], model.scenario_weight, limit
        )
        q = np.minimum(q, hi)
        return floor_to(q, model.grain[rows])

    def _huge(self, rows: np.ndarray) -> np.ndarray:
        d = self.model.demand[rows].sum(axis=2).max(axis=1)
        return np.asarray(10.0 * d + 10.0 * self.model.mean_demand[rows] + 10.0)


class Sizing(LadderBase):
    """How big each move is: exact line search, capped by limits and by the floors it must keep (internal)."""

    def _line_search(self, js: np.ndarray, sign: np.ndarray, cap: np.ndarray) -> np.ndarray:
        """[len(js)] best quantity along each move (:mod:`hedgerow.plan.linesearch`), at most ``cap``."""
        model, c, st = self.model, self.c, self.st
        lanes, pl = model.lanes, model.pipeline
        t = c.target[js]
        li = c.lane[js]
        n_s = model.n_scenarios
        s = np.arange(n_s)
        dominant = np.argmax(lanes.share[li], axis=1)  # [B, S] departure carrying most of the booking
        arrival = lanes.arrival[li[:, None], dominant, s[None, :]]
        w = st.weights[t]
        gamma = st.unit_cost[js]
        zeros = np.zeros((js.size, n_s))
        at0 = np.zeros((js.size, n_s), dtype=np.int64)
        hold, pen, wd = model.holding, model.penalty, model.writedown
        src = np.maximum(c.source[js], 0)
        ship = c.shipment[js]
        ship_arr = pl.arrival[np.maximum(ship, 0)] if pl.arrival.size else at0
        out = np.zeros(js.size)
        for m in (np.flatnonzero(sign > 0), np.flatnonzero(sign <= 0)):
            if m.size == 0:
                continue
            tm = t[m]
            if sign[m[0]] > 0:
                parts = [add_steps(st.lost[tm], hold[tm], pen[tm], wd[tm], arrival[m], gamma[m], w[m])]
            else:
                parts = [remove_steps(st.stock[tm], hold[tm], pen[tm], wd[tm], arrival[m], -gamma[m], w[m])]
            q = best_quantity(parts, cap[m], whole_units=True)
            # transfers and expedites also take units away somewhere (or give them back): combine both parts
            two = np.flatnonzero((c.source[js[m]] >= 0) | (ship[m] >= 0))
            if two.size:
                mm = m[two]
                sm = src[mm]
                tr = c.source[js[mm]] >= 0
                rows = np.where(tr, sm, t[mm])
                start = np.where(tr[:, None], at0[mm], ship_arr[mm])
                w_other = st.weights[rows]
                if sign[m[0]] > 0:
                    other = remove_steps(st.stock[rows], hold[rows], pen[rows], wd[rows], start, zeros[mm], w_other)
                else:
                    other = add_steps(st.lost[rows], hold[rows], pen[rows], wd[rows], start, zeros[mm], w_other)
                first = Steps(parts[0].m0[two], parts[0].ends[two], parts[0].jumps[two])
                q[two] = best_quantity([first, other], cap[mm], whole_units=True)
            out[m] = floor_to(q, model.grain[tm])
        return out

    def _floor_cap(self, js: np.ndarray, sign: np.ndarray) -> np.ndarray:
        """[len(js)] most units each move may take from a row that meets its floor without breaking it.

        A take-back removes units arriving at its target; a transfer removes units from its source now. A row
        whose floor cannot be met is held at the best the guardrail phase reached (its ``guard``); rows above
        even that are not capped.
        """
        model, c, st = self.model, self.c, self.st
        cap = np.full(js.size, np.inf)
        down = sign < 0
        tr_up = (sign > 0) & (c.source[js] >= 0)
        pick = np.flatnonzero(down | tr_up)
        if pick.size == 0:
            return cap
        jp = js[pick]
        rows = np.where(tr_up[pick], c.source[jp], c.target[jp])
        lanes = model.lanes
        li = c.lane[jp]
        s_idx = np.arange(model.n_scenarios)
        dominant = np.argmax(lanes.share[li], axis=1)
        arrival = lanes.arrival[li[:, None], dominant, s_idx[None, :]]
        start = np.where(tr_up[pick][:, None], 0, arrival)
        prob = st.stockout_probability(rows)
        guard = (model.floor[rows] > 0) & (prob <= self.guard[rows] + 1e-12)
        if not guard.any():
            return cap
        g = np.flatnonzero(guard)
        r = rows[g]
        q = max_remove_keeping_floor(
            st.lost[r],
            st.stock[r],
            model.floor_from[r],
            model.window[r],
            model.scenario_weight,
            self.guard[r],
            start=start[g],
        )
        cap[pick[g]] = floor_to(q, model.grain[r])
        return cap

    def _move_qty(self, js: np.ndarray, sign: np.ndarray, *, search: bool = True) -> np.ndarray:
        c, st = self.c, self.st
        q = self.step[js].copy()
        if search and self.opt.line_search and js.size:
            up_mask = sign > 0
            cap = np.zeros(js.size)
            if up_mask.any():
                cap[up_mask] = self.remaining(js[up_mask])
            if (~up_mask).any():
                cap[~up_mask] = self.removable(js[~up_mask])
            cap = np.minimum(cap, self._floor_cap(js, sign))
            q_ls = self._line_search(js, sign, cap)
            floor_lot = self.min_lot[c.target[js]]
            q = np.minimum(np.where(q_ls > 0, np.maximum(q_ls, floor_lot), floor_lot), q)
        up = sign > 0
        if up.any():
            rem = self.remaining(js[up])
            qu = np.where(st.x[js[up]] <= 0, np.maximum(q[up], c.moq[js[up]]), q[up])
            q[up] = np.minimum(self._round_down(js[up], qu), rem)
            q[up] = np.where(rem >= 1e-9, q[up], 0.0)
            q[up] = np.where((st.x[js[up]] <= 0) & (q[up] + 1e-9 < c.moq[js[up]]), 0.0, q[up])
        down = ~up
        if down.any():
            jd = js[down]
            can = self.removable(jd)
            qd = np.minimum(self._round_down(jd, q[down]), can)
            left = st.x[jd] - qd
            # an order that stays must keep its minimum quantity: otherwise take it all back
            below = (left > 1e-9) & (left + 1e-9 < c.moq[jd])
            whole = (can + 1e-9 >= st.x[jd]) & (self.step[jd] + 1e-9 >= st.x[jd])
            qd = np.where(below & whole, st.x[jd], np.where(below, 0.0, qd))
            q[down] = qd
        return np.asarray(q)

    def _move_qty_with(self, js: np.ndarray, sign: np.ndarray, step: np.ndarray) -> np.ndarray:
        saved = self.step
        self.step = step
        try:
            return self._move_qty(js, sign, search=False)
        finally:
            self.step = saved
