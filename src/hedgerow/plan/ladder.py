"""The hedge ladder: lots of action ranked by marginal expected value per unit of capital.

For one partition of items, :func:`run_ladder` builds each item's sequence of *rungs* (a lot of one candidate
action, with its exact change of expected cost, CVaR and objective, its capital and its value per unit of
capital), greedily and for all items at once:

1. **Guardrail rungs** come first and are never traded for margin:

   * the bounded order change: when the last period's order is known, orders may not fall below
     ``last - max_change × mean demand`` (nor rise above ``last + max_change × mean demand``);
   * service floors: while an item-location's probability of a lost sale in its floor window exceeds
     ``1 - floor``, the cheapest (in objective) candidate that restores the floor on its own is sized by
     bisection on the scenarios; if none can, the one that lowers the risk most is taken at its limit and the
     floor is reported infeasible with the setting or limit that blocks it.

2. **Value rungs**, in stages of a falling *price of capital* λ: in a stage, every item repeatedly picks the
   candidate with the best gain per unit ``-(∂objective/∂qty) - λ · capital`` (one backward pass prices every
   candidate at once, :func:`hedgerow.plan.costs.marginal_costs`), tries a lot of it and keeps it when the
   exact objective falls by more than λ × its capital; otherwise the lot is halved, down to one unit. λ halves
   from stage to stage down to 0, so capital goes first to the lots with the highest value per unit of capital
   — the hedge ladder — and a budget stops the ladder where its money runs out. Without capital limits there is
   a single stage at λ = 0 (steepest descent).

3. **Polish**: the objective is convex but not smooth, and a greedy that only adds can overshoot (stock moved to a
   location that a later order would have served). The polish phase also takes lots back (both directions are
   priced by the same backward pass) until no single move gains.

Every limit is checked live for every rung: item-local ones (free stock after holds, shipment units, minimum
order quantity, order change) and those shared by items (budgets, lane and warehouse capacity,
:class:`~hedgerow.plan.limits.SharedLimits`). Stock is never moved both ways between two locations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from hedgerow.domain.plan import GuardrailKind
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.costs import cvar, simulate
from hedgerow.plan.floorcalc import max_remove_keeping_floor, min_add_for_floor
from hedgerow.plan.limits import SharedLimits
from hedgerow.plan.linesearch import Steps, add_steps, best_quantity, remove_steps
from hedgerow.plan.model import PlanModel
from hedgerow.plan.state import LadderState, Trial


class RungPhase(IntEnum):
    """Guardrail rungs are funded before value rungs; polish rungs refine (and may take lots back)."""

    GUARDRAIL = 0
    VALUE = 1
    POLISH = 2


@dataclass(frozen=True)
class Rung:
    """One lot of one candidate action.

    Attributes
    ----------
    item:
        Item row in the model.
    cand:
        Candidate row.
    qty:
        Units.
    capital:
        Capital committed (base currency).
    d_expected, d_tail, d_objective:
        Change of the item's expected cost, CVaR and risk-adjusted objective (base currency; negative = gain).
    phase:
        Guardrail or value rung.
    guardrail:
        Which guardrail a guardrail rung serves.
    """

    item: int
    cand: int
    qty: float
    capital: float
    d_expected: float
    d_tail: float
    d_objective: float
    phase: RungPhase = RungPhase.VALUE
    guardrail: GuardrailKind | None = None

    @property
    def value(self) -> float:
        """Expected gain of the rung in the objective (base currency)."""
        return -self.d_objective

    @property
    def ratio(self) -> float:
        """Gain per unit of capital (the ladder's ranking key); capital-free rungs rank by gain."""
        return self.value / max(abs(self.capital), 1e-9)


@dataclass(frozen=True)
class LadderEvent:
    """Something a guardrail or limit did, for the explanations.

    Attributes
    ----------
    kind:
        The guardrail or limit.
    row:
        Item-location row concerned.
    cand:
        Candidate concerned (-1 = none).
    infeasible:
        True when the guardrail could not be met.
    detail:
        Numbers for the message (probabilities, units, money).
    blocked_by:
        For an infeasible floor: the guardrail or limit that blocks it.
    """

    kind: GuardrailKind
    row: int
    cand: int = -1
    infeasible: bool = False
    detail: dict[str, float] = field(default_factory=dict)
    blocked_by: GuardrailKind | None = None


@dataclass(frozen=True)
class LadderOptions:
    """Tuning of the ladder (not policy: the result converges to the same plan, faster or slower).

    Attributes
    ----------
    lot_periods:
        First lot of a candidate, in periods of mean demand of its target.
    min_lot_fraction:
        Smallest lot of items not counted in whole units, as a share of mean demand per period.
    max_rounds:
        Safety bound on the rounds of one stage.
    floor_rounds:
        Rounds of the service-floor phase (each can add one more candidate per item-location).
    polish_rounds:
        Safety bound on polish rounds (0 = no polish).
    rel_tol:
        A move is kept only when it lowers its item's objective by more than this share of the objective
        (plus λ × capital); a larger value stops the search earlier, trading a little optimality for speed.
    swap_pairs_per_item:
        Floor swaps tried per item and pass (the most promising by marginal value).
    swap_passes:
        Passes of floor swaps (0 = none).
    line_search:
        Size each lot by the exact line search of :mod:`hedgerow.plan.linesearch` (else: lots of
        ``lot_periods`` of mean demand, doubled after a success and halved after a failure).
    min_price:
        Smallest positive price of capital (gain per unit of capital) before the last stage at λ = 0.
    """

    lot_periods: float = 0.5
    min_lot_fraction: float = 0.01
    max_rounds: int = 2000
    floor_rounds: int = 4
    polish_rounds: int = 400
    min_price: float = 1e-3
    line_search: bool = True
    rel_tol: float = 1e-9
    swap_pairs_per_item: int = 4
    swap_passes: int = 8


@dataclass(frozen=True)
class LadderResult:
    """The rungs of every item (in order) and the decision they add up to."""

    x: np.ndarray
    rungs: tuple[Rung, ...]
    events: tuple[LadderEvent, ...]
    price_of_capital: float = 0.0


def _floor_kind(model: PlanModel, row: int) -> GuardrailKind:
    item = model.problem.item(model.il_items[row])
    own = model.problem.policy.service_floor(item.item_class)
    return GuardrailKind.BUNDLE_COMPONENT if model.floor[row] > own + 1e-12 else GuardrailKind.SERVICE_FLOOR


class _Ladder:
    """One run of the ladder over a partition (internal)."""

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
        pol = model.problem.policy
        delta = pol.max_change_per_period * model.mean_demand
        known = ~np.isnan(model.last_order) & math.isfinite(pol.max_change_per_period)
        self.order_cap = np.where(known, np.nan_to_num(model.last_order) + delta, np.inf)
        self.order_min = np.where(known, np.maximum(np.nan_to_num(model.last_order) - delta, 0.0), 0.0)
        self.min_lot = np.where(model.is_count, 1.0, np.maximum(options.min_lot_fraction * model.mean_demand, 1e-6))
        base = np.maximum(options.lot_periods * model.mean_demand, self.min_lot)
        self.base_step = (
            np.where(model.is_count, np.maximum(np.floor(base), 1.0), base)[c.target] if c.n else np.zeros(0)
        )
        self.step = self._fresh_steps()
        self.max_step = 32.0 * self.base_step
        self.exhausted = np.zeros(c.n, dtype=bool)
        self.limit = 1.0 - model.floor  # allowed stockout probability per row
        self.reverse = self._reverse_transfers()
        # marginal values per candidate, valid until the candidate's item changes
        self.marg = np.zeros(c.n)
        self.rmarg = np.zeros(c.n)
        self.dirty = np.ones(n_items, dtype=bool)
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
        count = model.is_count[c.target[cands]]
        return np.asarray(np.where(count & np.isfinite(rem), np.floor(rem + 1e-9), rem))

    def removable(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] units each candidate may give back (orders stay above the order-change minimum)."""
        c, st = self.c, self.st
        rem = st.x[cands].copy()
        is_order = c.kind[cands] == CandidateKind.ORDER
        t = c.target[cands]
        rem[is_order] = np.minimum(rem[is_order], st.ordered[t[is_order]] - self.order_min[t[is_order]])
        return np.asarray(np.maximum(rem, 0.0))

    def _round_down(self, cands: np.ndarray, q: np.ndarray) -> np.ndarray:
        count = self.model.is_count[self.c.target[cands]]
        return np.where(count, np.floor(q + 1e-9), q)

    def _round_up(self, cands: np.ndarray, q: np.ndarray) -> np.ndarray:
        count = self.model.is_count[self.c.target[cands]]
        return np.where(count, np.ceil(q - 1e-9), q)

    # ---- rung bookkeeping --------------------------------------------------------------------------------
    def _commit(self, trial: Trial, keep: np.ndarray, phase: RungPhase, kinds: list[GuardrailKind | None]) -> None:
        """Record and apply the rungs of ``trial`` flagged in ``keep``."""
        if not keep.any():
            return
        st, model, c = self.st, self.model, self.c
        items = trial.items[keep]
        moves = keep[trial.move_item]
        cands, qty, move_item = trial.cands[moves], trial.qty[moves], trial.move_item[moves]
        new_pos = np.cumsum(keep) - 1
        p = model.scenario_weight
        level = model.problem.policy.cvar_level
        old_cost, new_cost = st.item_cost[items], trial.item_cost[keep]
        d_exp = (new_cost - old_cost) @ p
        d_tail = cvar(new_cost, p, level) - cvar(old_cost, p, level)
        d_obj = trial.objective[keep] - st.objective[items]
        kept_kinds = [k for k, f in zip(kinds, keep, strict=True) if f]
        first_move: set[int] = set()
        for j, q, mi in zip(cands, qty, move_item, strict=True):
            b = int(new_pos[mi])
            g = int(items[b])
            share = b not in first_move  # the item's change is recorded on its first move
            first_move.add(b)
            if c.kind[j] == CandidateKind.ORDER and st.x[j] == 0 and c.moq[j] > 0 and q <= c.moq[j] + 1e-9:
                self._event(
                    LadderEvent(
                        GuardrailKind.MIN_ORDER_QTY,
                        int(c.target[j]),
                        int(j),
                        detail={"moq": float(c.moq[j]), "qty": float(q)},
                    )
                )
            self.rungs.append(
                Rung(
                    item=g,
                    cand=int(j),
                    qty=float(q),
                    capital=float(q * c.capital[j]),
                    d_expected=float(d_exp[b]) if share else 0.0,
                    d_tail=float(d_tail[b]) if share else 0.0,
                    d_objective=float(d_obj[b]) if share else 0.0,
                    phase=phase,
                    guardrail=kept_kinds[b],
                )
            )
        self.limits.consume(cands, qty)
        st.apply(trial, keep)
        self.dirty[items] = True
        touched = np.zeros(len(model.item_ids), dtype=bool)
        touched[items] = True
        self.exhausted[touched[model.il_item[c.target]]] = False

    def _shared_note(self, row: int, j: int) -> GuardrailKind:
        kind, _ = self.limits.binding(j)
        gk = GuardrailKind(kind)
        detail = {"headroom": float(self.limits.headroom(np.array([j]))[0])}
        self._event(LadderEvent(gk, row, j, detail=detail))
        return gk

    # ---- phase A: bounded order change (lower bound) -----------------------------------------------------
    def order_minimum(self) -> None:
        model, c, st = self.model, self.c, self.st
        for _ in range(model.n_il + 1):
            need = self.order_min - st.ordered
            rows = np.flatnonzero((need > 1e-9) & self.active_item[model.il_item])
            if rows.size == 0:
                return
            rows = _one_per_item(model, rows)
            items, cands, qty = [], [], []
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
                items.append(int(model.il_item[r]))
                cands.append(j)
                qty.append(q)
                self._event(LadderEvent(GuardrailKind.MAX_ORDER_CHANGE, int(r), j, detail=detail))
                if q + 1e-9 < need[r]:
                    self.order_min[r] = st.ordered[r] + q
            if items:
                trial = st.trial(np.array(items), np.array(cands), np.array(qty))
                self._commit(
                    trial,
                    np.ones(len(items), dtype=bool),
                    RungPhase.GUARDRAIL,
                    [GuardrailKind.MAX_ORDER_CHANGE] * len(items),
                )

    # ---- phase B: service floors -------------------------------------------------------------------------
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
        return np.asarray(flow.stockout.astype(np.float64) @ model.scenario_weight)

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
        integer = self.model.is_count[rows]
        tol = np.where(integer, 1.0, self.min_lot[rows])
        if remove:
            ok_hi = self._stockout_after(rows, cands, hi, remove=True) <= limit + 1e-12
            good, bad = np.where(ok_hi, hi, 0.0), np.where(ok_hi, hi + tol, hi)
            for _ in range(64):
                act = bad - good > tol + 1e-12
                if not act.any():
                    break
                mid = np.where(integer, np.floor((good + bad) / 2), (good + bad) / 2)
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
            mid = np.where(integer, np.floor((lo + hi) / 2), (lo + hi) / 2)
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
        return np.asarray(np.where(model.is_count[rows], np.floor(q + 1e-9), q))

    def _huge(self, rows: np.ndarray) -> np.ndarray:
        d = self.model.demand[rows].sum(axis=2).max(axis=1)
        return np.asarray(10.0 * d + 10.0 * self.model.mean_demand[rows] + 10.0)

    def floors(self) -> None:
        model, c, st = self.model, self.c, self.st
        gave_up: set[int] = set()
        for _ in range(self.opt.floor_rounds):
            prob = st.stockout_probability()
            viol = (prob > self.limit + 1e-12) & self.active_item[model.il_item] & (model.floor > 0)
            if gave_up:
                viol[list(gave_up)] = False
            rows = np.flatnonzero(viol)
            if rows.size == 0:
                return
            order = np.argsort(-(prob[rows] - self.limit[rows]), kind="stable")
            rows = _one_per_item(model, rows[order])
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
                continue
            ub = self.remaining(pair_cand)
            is_tr = c.source[pair_cand] >= 0
            if is_tr.any():  # transfers may not push their source below its own floor
                src = c.source[pair_cand[is_tr]]
                src_ok = prob[src] <= self.limit[src] + 1e-12
                keep = self._max_remove(src, ub[is_tr], self.limit[src])
                limited = src_ok & (keep + 1e-9 < ub[is_tr])
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
                ub[is_tr] = np.where(src_ok, np.minimum(ub[is_tr], keep), ub[is_tr])
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
            slots: dict[int, list[int]] = {}
            for k in np.flatnonzero(reach):
                slots.setdefault(int(pair_row[k]), []).append(int(k))
            best_obj: dict[int, float] = {}
            depth = max((len(v) for v in slots.values()), default=0)
            for level in range(depth):
                ks = np.array([v[level] for v in slots.values() if len(v) > level], dtype=np.int64)
                trial = st.trial(model.il_item[pair_row[ks]], pair_cand[ks], q[ks])
                for b, k in enumerate(ks):
                    rk = int(pair_row[k])
                    if rk not in best_obj or trial.objective[b] < best_obj[rk]:
                        best_obj[rk] = float(trial.objective[b])
                        chosen[rk] = (int(pair_cand[k]), float(q[k]))
            for row in rows:
                r = int(row)
                if r in chosen:
                    continue
                ks = np.flatnonzero((pair_row == r) & usable & (p_hi < prob[r] - 1e-12))
                if ks.size == 0:
                    self._floor_infeasible(r, float(prob[r]))
                    gave_up.add(r)
                    continue
                kb = int(ks[np.argmin(p_hi[ks])])
                chosen[r] = (int(pair_cand[kb]), float(hi[kb]))
            if not chosen:
                continue
            rs = np.array(sorted(chosen), dtype=np.int64)
            js = np.array([chosen[r][0] for r in rs], dtype=np.int64)
            qs = np.array([chosen[r][1] for r in rs])
            for rr, j, qq in zip(rs.tolist(), js.tolist(), qs.tolist(), strict=True):
                self._event(
                    LadderEvent(
                        _floor_kind(model, rr),
                        rr,
                        int(j),
                        detail={"floor": float(model.floor[rr]), "before": float(prob[rr]), "qty": float(qq)},
                    )
                )
            trial = st.trial(model.il_item[rs], js, qs)
            self._commit(
                trial, np.ones(rs.size, dtype=bool), RungPhase.GUARDRAIL, [_floor_kind(model, int(r)) for r in rs]
            )
        prob = st.stockout_probability()
        left = np.flatnonzero((prob > self.limit + 1e-12) & self.active_item[model.il_item] & (model.floor > 0))
        for left_row in left.tolist():
            if left_row not in gave_up:
                self._floor_infeasible(left_row, float(prob[left_row]))

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
    def _capital_limited(self) -> bool:
        return math.isfinite(self.limits.total) or bool(np.isfinite(self.limits.region).any())

    def value(self) -> None:
        c, st = self.c, self.st
        if c.n == 0:
            return
        prices = [0.0]
        if self._capital_limited():
            idx = np.flatnonzero(self.active_cand)
            gain = -st.marginal(idx)
            ratio = gain / np.maximum(c.capital[idx], 1e-9)
            top = float(ratio.max()) if ratio.size else 0.0
            prices = []
            lam = top / 2
            while lam > self.opt.min_price:
                prices.append(lam)
                lam /= 2
            prices.append(0.0)
        for lam in prices:
            self.step = self._fresh_steps()
            self.exhausted[:] = False
            before = len(self.rungs)
            self._stage(lam)
            if len(self.rungs) > before:
                self.price = lam
            if self._capital_limited() and not self._affordable():
                break

    def _affordable(self) -> bool:
        """True while some candidate still fits the shared limits by at least one lot."""
        idx = np.flatnonzero(self.active_cand)
        if idx.size == 0:
            return False
        room = self.remaining(idx)
        return bool((room + 1e-9 >= np.maximum(self.min_lot[self.c.target[idx]], self.c.moq[idx])).any())

    def _stage(self, lam: float, *, polish: bool = False) -> None:
        """Rounds of one stage: each item takes its best move while it gains more than λ × capital."""
        model, c, st = self.model, self.c, self.st
        item_of = model.il_item[c.target]
        rounds = self.opt.polish_rounds if polish else self.opt.max_rounds
        for _ in range(rounds):
            idx = np.flatnonzero(self.active_cand & ~self.exhausted)
            if idx.size == 0:
                return
            self._refresh_marginals()
            rem = self.remaining(idx)
            fits = (rem > 1e-9) & ((st.x[idx] > 0) | (rem + 1e-9 >= c.moq[idx]))
            gain = -self.marg[idx] - lam * c.capital[idx]
            tol = self.opt.rel_tol * (1.0 + np.abs(st.objective[item_of[idx]]))
            self._note_blocked(idx, gain > tol, fits)
            moves_j = [idx[fits & (gain > tol)]]
            moves_g = [gain[fits & (gain > tol)]]
            moves_sign = [np.ones(moves_j[0].size)]
            if polish:
                held = idx[st.x[idx] > 0]
                if held.size:
                    can = self.removable(held)
                    rgain = -self.rmarg[held] + lam * c.capital[held]
                    tol_r = self.opt.rel_tol * (1.0 + np.abs(st.objective[item_of[held]]))
                    okr = (can > 1e-9) & (rgain > tol_r)
                    moves_j.append(held[okr])
                    moves_g.append(rgain[okr])
                    moves_sign.append(-np.ones(int(okr.sum())))
            js = np.concatenate(moves_j)
            if js.size == 0:
                return
            g = np.concatenate(moves_g)
            sign = np.concatenate(moves_sign)
            items = item_of[js]
            order = np.lexsort((-g, items))
            first = np.ones(order.size, dtype=bool)
            first[1:] = items[order][1:] != items[order][:-1]
            pick = order[first]
            js, sign, its = js[pick], sign[pick], items[pick]
            q = self._move_qty(js, sign)
            valid = q > 0
            if not valid.all():
                self.exhausted[js[~valid]] = True
                js, sign, its, q = js[valid], sign[valid], its[valid], q[valid]
                if js.size == 0:
                    continue
            trial = st.trial(its, js, sign * q)
            need = lam * q * sign * c.capital[js] + self.opt.rel_tol * (1.0 + np.abs(st.objective[its]))
            good = st.objective[its] - trial.objective > need
            good &= self._floors_kept(trial, js, sign)
            good &= self._fits_shared(js, sign * q, good)
            self._commit(trial, good, RungPhase.POLISH if polish else RungPhase.VALUE, [None] * js.size)
            # a lot that paid may be followed by a bigger one (halved again when it overshoots)
            won = js[good]
            if self.opt.line_search:
                self.step[won] = np.inf
            else:
                self.step[won] = np.minimum(2.0 * self.step[won], self.max_step[won])
            bad = js[~good]
            if bad.size:
                count = model.is_count[c.target[bad]]
                tried = np.abs(q[~good])
                half = np.where(count, np.floor(tried / 2), tried / 2)
                # a smaller lot is pointless below one unit, or below the minimum order quantity of a new order
                too_small = (half < self.min_lot[c.target[bad]] - 1e-12) | (
                    (st.x[bad] <= 0) & (half + 1e-9 < c.moq[bad])
                )
                self.step[bad] = np.where(too_small, self.step[bad], half)
                self.exhausted[bad[too_small]] = True

    def _refresh_marginals(self) -> None:
        """Re-price the candidates of items that changed since they were last priced."""
        c, st = self.c, self.st
        item_of = self.model.il_item[c.target]
        stale = np.flatnonzero(self.active_cand & self.dirty[item_of])
        if stale.size == 0:
            return
        self.marg[stale] = st.marginal(stale)
        held = stale[st.x[stale] > 0]
        if held.size:
            self.rmarg[held] = st.removal_marginal(held)
        self.dirty[item_of[stale]] = False

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
        w = st.weights[model.il_item[t]]
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
            whole = bool(model.is_count[tm].all())
            q = best_quantity(parts, cap[m], whole_units=whole)
            # transfers and expedites also take units away somewhere (or give them back): combine both parts
            two = np.flatnonzero((c.source[js[m]] >= 0) | (ship[m] >= 0))
            if two.size:
                mm = m[two]
                sm = src[mm]
                tr = c.source[js[mm]] >= 0
                rows = np.where(tr, sm, t[mm])
                start = np.where(tr[:, None], at0[mm], ship_arr[mm])
                if sign[m[0]] > 0:
                    other = remove_steps(st.stock[rows], hold[rows], pen[rows], wd[rows], start, zeros[mm], w[mm])
                else:
                    other = add_steps(st.lost[rows], hold[rows], pen[rows], wd[rows], start, zeros[mm], w[mm])
                first = Steps(parts[0].m0[two], parts[0].ends[two], parts[0].jumps[two])
                q[two] = best_quantity([first, other], cap[mm], whole_units=whole)
            out[m] = q
        return out

    def _floor_cap(self, js: np.ndarray, sign: np.ndarray) -> np.ndarray:
        """[len(js)] most units each move may take from a row that meets its floor without breaking it.

        A take-back removes units arriving at its target; a transfer removes units from its source now. Rows
        already short of their floor are not capped (the move cannot make the count of stockouts worse there
        than the guardrail phase could not avoid).
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
        guard = (model.floor[rows] > 0) & (prob <= self.limit[rows] + 1e-12)
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
            self.limit[r],
            start=start[g],
        )
        cap[pick[g]] = np.where(model.is_count[r], np.floor(q + 1e-9), q)
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

    def polish(self) -> None:
        """Take back and add lots until no single move gains. Under binding capital limits the first pass
        trades at the last stage's price of capital (moving money from uses worth less to uses worth more per
        unit of capital) and a last pass at price 0 spends what is left."""
        if self.c.n == 0 or self.opt.polish_rounds <= 0:
            return
        if self._capital_limited():
            self._exchange()
        self.step = self._fresh_steps()
        self.exhausted[:] = False
        self._stage(0.0, polish=True)

    def moq_drops(self) -> None:
        """Try dropping each minimum-quantity lot entirely and re-optimising its item without it.

        Minimum order quantities make the problem non-convex: a lot taken early (when it paid for itself) may
        be beaten later by smaller lots on other lanes, yet no single-unit move can remove it. Items are tried
        in parallel, one such lot each per pass; an item keeps the change only when its objective falls.
        """
        c, st, model = self.c, self.st, self.model
        if c.n == 0 or not (c.moq > 0).any():
            return
        item_of = model.il_item[c.target]
        tried: set[int] = set()
        for _ in range(8):
            js = np.flatnonzero((c.moq > 0) & (st.x > 0) & self.active_cand)
            js = np.array([j for j in js if int(j) not in tried], dtype=np.int64)
            if js.size == 0:
                return
            first = np.unique(item_of[js], return_index=True)[1]
            js = js[first]
            tried.update(int(j) for j in js)
            items = item_of[js]
            before = st.objective[items].copy()
            x_before = st.x.copy()
            snap, lim_snap, n_rungs = st.snapshot(), self.limits.snapshot(), len(self.rungs)
            active, upper = self.active_cand.copy(), self.upper.copy()
            trial = st.trial(items, js, -st.x[js])
            self._commit(trial, np.ones(js.size, dtype=bool), RungPhase.POLISH, [None] * js.size)
            self.upper[js] = 0.0
            self.active_cand = active & np.isin(item_of, items)
            self.step = self._fresh_steps()
            self.exhausted[:] = False
            self._stage(0.0, polish=True)
            after = st.objective[items].copy()
            x_after = st.x.copy()
            self.active_cand, self.upper = active, upper
            st.restore(snap)
            self.limits.restore(lim_snap)
            del self.rungs[n_rungs:]
            self.dirty[:] = True
            better = items[after < before - 1e-9 * (1.0 + np.abs(before))]
            if better.size:
                target = x_before.copy()
                moved = np.isin(item_of, better)
                target[moved] = x_after[moved]
                self._move_to(target)

    def _move_to(self, target: np.ndarray) -> None:
        """Apply the differences ``target - x`` (one candidate per item per step)."""
        c, st = self.c, self.st
        item_of = self.model.il_item[c.target]
        for _ in range(c.n):
            diff = target - st.x
            js = np.flatnonzero(np.abs(diff) > 1e-9)
            if js.size == 0:
                return
            # take-backs first, so that freed headroom is there for the additions
            order = np.lexsort((diff[js] > 0, item_of[js]))
            js = js[order]
            first = np.ones(js.size, dtype=bool)
            first[1:] = item_of[js][1:] != item_of[js][:-1]
            js = js[first]
            trial = st.trial(item_of[js], js, diff[js])
            self._commit(trial, np.ones(js.size, dtype=bool), RungPhase.POLISH, [None] * js.size)

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
        for _ in range(self.opt.swap_passes):
            prob = st.stockout_probability()
            # binding floors only: within one and a half scenarios of the limit
            binding = (model.floor > 0) & (prob > self.limit - 1.5 / n_s) & self.active_item[model.il_item]
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
            # the most promising swaps of each item by first-order gain per unit moved
            first_order = -(self.rmarg[j_out] + self.marg[j_in])
            keep = _top_per_group(model.il_item[pair_row], first_order, 2 * self.opt.swap_pairs_per_item)
            pair_row, j_out, j_in, q_out = (a[keep] for a in (pair_row, j_out, j_in, q_out))
            base = st.inflow[pair_row].copy()
            self._add_pairwise(base, j_out, -q_out)
            hi = self.remaining(j_in)
            hi = np.where(np.isfinite(hi), hi, self._huge(pair_row))
            limit = np.maximum(self.limit[pair_row], prob[pair_row])
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
            # keep the most promising swaps of each item (first-order gain estimate)
            est = -(self.rmarg[j_out] * q_out + self.marg[j_in] * q_in)
            keep_pairs = _top_per_group(model.il_item[pair_row], est, self.opt.swap_pairs_per_item)
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

            swap = _SwapOptions(model.il_item, pair_row, j_out, j_in, q_out, q_in, opt_pair, opt_comp, opt_q)

            # try the options slot by slot (one per item per trial), keep the best improving one per item
            best: dict[int, tuple[float, int]] = {}
            items_of_opt = model.il_item[pair_row[opt_pair]]
            slots: dict[int, list[int]] = {}
            for k, g in enumerate(items_of_opt):
                slots.setdefault(int(g), []).append(k)
            depth = max(len(v) for v in slots.values())
            for level in range(depth):
                ks = np.array([v[level] for v in slots.values() if len(v) > level], dtype=np.int64)
                items, cands, qty, mi = swap.moves(ks)
                trial = st.trial(items, cands, qty, mi)
                kept = self._floors_kept_items(trial)
                gain = st.objective[items] - trial.objective
                for b, k in enumerate(ks):
                    if kept[b] and gain[b] > 1e-9 * (1.0 + abs(st.objective[items[b]])):
                        g = int(items[b])
                        if g not in best or gain[b] > best[g][0]:
                            best[g] = (float(gain[b]), int(k))
            if not best:
                step = np.maximum(
                    np.where(model.is_count[c.target], np.floor(step / 2), step / 2), self.min_lot[c.target]
                )
                if (step <= self.min_lot[c.target] + 1e-12).all():
                    return
                continue
            ks = np.array([k for _, k in best.values()], dtype=np.int64)
            items, cands, qty, mi = swap.moves(ks)
            trial = st.trial(items, cands, qty, mi)
            fits = self._fits_shared(cands, qty, np.ones(cands.size, dtype=bool))
            keep = np.ones(items.size, dtype=bool)
            np.logical_and.at(keep, mi, fits)
            self._commit(trial, keep, RungPhase.POLISH, [None] * items.size)

    def _move_qty_with(self, js: np.ndarray, sign: np.ndarray, step: np.ndarray) -> np.ndarray:
        saved = self.step
        self.step = step
        try:
            return self._move_qty(js, sign, search=False)
        finally:
            self.step = saved

    def _floors_kept_items(self, trial: Trial) -> np.ndarray:
        """[B] False for items of ``trial`` where a row meeting its floor would stop meeting it."""
        model, st = self.model, self.st
        prob_now = st.stockout_probability(trial.rows)
        prob_new = trial.stockout.astype(np.float64) @ model.scenario_weight
        lim = self.limit[trial.rows]
        worse = (prob_new > np.maximum(lim, prob_now) + 1e-12) & (model.floor[trial.rows] > 0)
        keep = np.ones(trial.items.size, dtype=bool)
        pos = np.full(len(model.item_ids), -1, dtype=np.int64)
        pos[trial.items] = np.arange(trial.items.size)
        keep[pos[model.il_item[trial.rows[worse]]]] = False
        return keep

    def _exchange(self, passes: int = 6) -> None:
        """Move capital from uses worth less to uses worth more per unit of capital (budget binding).

        The price λ of each pass lies between the best gain per unit of capital that the budget blocks and the
        smallest loss per unit of capital of taking a lot back; a polish pass at λ trades across items.
        """
        c, st = self.c, self.st
        for _ in range(passes):
            idx = np.flatnonzero(self.active_cand)
            blocked = idx[(self.remaining(idx, shared=False) > 1e-9) & (self.remaining(idx) <= 1e-9)]
            held = idx[st.x[idx] > 0]
            held = held[self.removable(held) > 1e-9]
            if blocked.size == 0 or held.size == 0:
                return
            best_add = float((-st.marginal(blocked) / np.maximum(c.capital[blocked], 1e-9)).max())
            least_loss = float((st.removal_marginal(held) / np.maximum(c.capital[held], 1e-9)).min())
            if not best_add > max(least_loss, 0.0) * (1.0 + 1e-3):
                return
            lam = math.sqrt(best_add * least_loss) if least_loss > 0 else best_add / 2
            before = float(st.objective.sum())
            snap, lim_snap, n_rungs = st.snapshot(), self.limits.snapshot(), len(self.rungs)
            for price in (lam, 0.0):
                self.step = self._fresh_steps()
                self.exhausted[:] = False
                self._stage(price, polish=True)
            if float(st.objective.sum()) >= before - 1e-9 * (1.0 + abs(before)):
                st.restore(snap)
                self.limits.restore(lim_snap)
                del self.rungs[n_rungs:]
                self.dirty[:] = True
                return
            self.price = lam

    def _floors_kept(self, trial: Trial, js: np.ndarray, sign: np.ndarray) -> np.ndarray:
        """[B] False where a move pushes an item-location that meets its floor below it."""
        model, c, st = self.model, self.c, self.st
        ok = np.ones(js.size, dtype=bool)
        risky = (c.kind[js] != CandidateKind.ORDER) | (sign < 0)
        if not risky.any():
            return ok
        prob_now = st.stockout_probability(trial.rows)
        prob_new = trial.stockout.astype(np.float64) @ model.scenario_weight
        lim = self.limit[trial.rows]
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


@dataclass(frozen=True)
class _SwapOptions:
    """Floor-swap options: a pair (take back ``q_out`` of ``j_out``, add ``q_in`` of ``j_in`` at the same row),
    optionally with a compensating take-back ``opt_q`` of ``opt_comp`` at a transfer's source."""

    il_item: np.ndarray
    pair_row: np.ndarray
    j_out: np.ndarray
    j_in: np.ndarray
    q_out: np.ndarray
    q_in: np.ndarray
    opt_pair: np.ndarray
    opt_comp: np.ndarray
    opt_q: np.ndarray

    def moves(self, ks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(items, candidates, signed quantities, move → item index) of options ``ks`` (one per item)."""
        pk = self.opt_pair[ks]
        items = self.il_item[self.pair_row[pk]]
        cands = [self.j_out[pk], self.j_in[pk]]
        qty = [-self.q_out[pk], self.q_in[pk]]
        mi = [np.arange(ks.size), np.arange(ks.size)]
        w = np.flatnonzero((self.opt_comp[ks] >= 0) & (self.opt_q[ks] > 0))
        if w.size:
            cands.append(self.opt_comp[ks][w])
            qty.append(-self.opt_q[ks][w])
            mi.append(w)
        return items, np.concatenate(cands), np.concatenate(qty), np.concatenate(mi)


def _top_per_group(groups: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores of each group."""
    order = np.lexsort((-score, groups))
    g = groups[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(g.size) - np.repeat(start, np.diff(np.r_[start, g.size]))
    return np.sort(order[rank < k])


def _one_per_item(model: PlanModel, rows: np.ndarray) -> np.ndarray:
    """The first row of each item in ``rows`` (order kept)."""
    seen: set[int] = set()
    out = []
    for r in rows:
        g = int(model.il_item[r])
        if g not in seen:
            seen.add(g)
            out.append(int(r))
    return np.array(out, dtype=np.int64)


def run_ladder(
    model: PlanModel,
    *,
    start: np.ndarray | None = None,
    items: np.ndarray | None = None,
    upper: np.ndarray | None = None,
    limits: SharedLimits | None = None,
    options: LadderOptions | None = None,
) -> LadderResult:
    """Build the hedge ladder of a partition.

    Parameters
    ----------
    model:
        The partition's arrays.
    start:
        [J] decision to start from (default: nothing); rungs are added on top.
    items:
        Item rows to work on (default: all).
    upper:
        [J] extra upper bounds on each candidate's total quantity (units).
    limits:
        Headroom under the shared limits (default: the policy's budgets and the network's capacities for this
        partition alone). A coordinator running several partitions passes each its share; it is consumed in
        place.
    options:
        Ladder tuning.

    Returns
    -------
    LadderResult
        The decision, the rungs in the order they were found, the guardrail events and the price of capital
        (gain per unit of capital) of the last stage.
    """
    lad = _Ladder(model, start, items, upper, limits, options or LadderOptions())
    lad.order_minimum()
    if lad._capital_limited():
        # scarce capital goes to the guardrails first, then by value per unit of capital
        lad.floors()
        lad.value()
        lad.polish()
    else:
        # capital is not scarce: find the economic plan, then top it up to the floors at the least cost
        lad.value()
        lad.floors()
    lad.moq_drops()
    lad.floor_swaps()
    lad.polish()
    return LadderResult(x=lad.st.x.copy(), rungs=tuple(lad.rungs), events=tuple(lad.events), price_of_capital=lad.price)
