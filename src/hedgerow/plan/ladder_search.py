"""Value phases of the hedge ladder: stages at a falling price of capital, polish, exchanges and MOQ drops."""

from __future__ import annotations

import math

import numpy as np

from hedgerow.plan.ladder_base import Sizing, best_per_row, disjoint_moves, group_moves
from hedgerow.plan.rungs import RungPhase


class Search(Sizing):
    """Value stages, polish, capital exchanges and dropping minimum-quantity lots (internal)."""

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

    def _tolerance(self, cands: np.ndarray) -> np.ndarray:
        """[len(cands)] the least gain a move must bring to be kept: ``rel_tol`` of the objective of the rows it
        touches (never of its item's other locations, so a store's bar does not rise with the number of stores
        selling the same item)."""
        c, st = self.c, self.st
        scale = 1.0 + np.abs(st.row_objective[c.target[cands]])
        src = c.source[cands]
        has = src >= 0
        scale[has] += np.abs(st.row_objective[src[has]])
        return np.asarray(self.opt.rel_tol * scale)

    def _stage(self, lam: float, *, polish: bool = False) -> None:
        """Rounds of one stage: every item-location takes its best move while it gains more than λ × capital.

        Moves of one round touch different rows (:func:`disjoint_moves`), so each is judged on its own change of
        the objective; an item sold at many locations moves all of them in the same round.
        """
        model, c, st = self.model, self.c, self.st
        rounds = self.opt.polish_rounds if polish else self.opt.max_rounds
        history: list[np.ndarray] = []
        stalled = np.zeros(model.n_il, dtype=bool)
        for _ in range(rounds):
            idx = np.flatnonzero(self.active_cand & ~self.exhausted & ~stalled[c.target])
            if idx.size == 0:
                return
            history.append(st.row_objective.copy())
            if len(history) > 10:
                old = history.pop(0)
                # a row whose last 10 rounds gained almost nothing is done for this stage
                now = st.row_objective
                stalled |= old - now < self.opt.stall_tol * (1.0 + np.abs(now))
            self._refresh_marginals()
            rem = self.remaining(idx)
            fits = (rem > 1e-9) & ((st.x[idx] > 0) | (rem + 1e-9 >= c.moq[idx]))
            gain = -self.marg[idx] - lam * c.capital[idx]
            tol = self._tolerance(idx)
            self._note_blocked(idx, gain > tol, fits)
            moves_j = [idx[fits & (gain > tol)]]
            moves_g = [gain[fits & (gain > tol)]]
            moves_sign = [np.ones(moves_j[0].size)]
            if polish:
                held = idx[st.x[idx] > 0]
                if held.size:
                    can = self.removable(held)
                    rgain = -self.rmarg[held] + lam * c.capital[held]
                    okr = (can > 1e-9) & (rgain > self._tolerance(held))
                    moves_j.append(held[okr])
                    moves_g.append(rgain[okr])
                    moves_sign.append(-np.ones(int(okr.sum())))
            js = np.concatenate(moves_j)
            if js.size == 0:
                return
            g = np.concatenate(moves_g)
            sign = np.concatenate(moves_sign)
            pick = best_per_row(c.target[js], g)
            js, g, sign = js[pick], g[pick], sign[pick]
            pick = disjoint_moves(st.touched_rows(js), g, self.inert)
            js, sign = js[pick], sign[pick]
            q = self._move_qty(js, sign)
            q = np.where(sign > 0, self._share_sources(js, q), q)
            valid = q > 0
            if not valid.all():
                self.exhausted[js[~valid]] = True
                js, sign, q = js[valid], sign[valid], q[valid]
                if js.size == 0:
                    continue
            items, move_item = group_moves(model.il_item[c.target[js]])
            trial = st.trial(items, js, sign * q, move_item)
            need = lam * q * sign * c.capital[js] + self._tolerance(js)
            good = -trial.d_objective > need
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

    def moq_drops(self) -> None:
        """Try dropping each minimum-quantity lot entirely and re-optimising its item-location without it.

        Minimum order quantities make the problem non-convex: a lot taken early (when it paid for itself) may
        be beaten later by smaller lots on other lanes, yet no single-unit move can remove it. Item-locations
        are tried in parallel, one such lot each per pass, re-optimised on the candidates into them; one keeps
        the change only when the objective of the rows it touched falls.
        """
        c, st, model = self.c, self.st, self.model
        if c.n == 0 or not (c.moq > 0).any():
            return
        tried: set[int] = set()
        for _ in range(8):
            js = np.flatnonzero((c.moq > 0) & (st.x > 0) & self.active_cand)
            js = np.array([j for j in js if int(j) not in tried], dtype=np.int64)
            if js.size == 0:
                return
            js = js[best_per_row(c.target[js], np.zeros(js.size))]
            # the rows a re-optimisation may change: the target and the sources of transfers into it
            affected = [
                {int(c.target[j])} | set(c.source[(c.target == c.target[j]) & (c.source >= 0)].tolist()) for j in js
            ]
            keep: list[int] = []
            used: set[int] = set()
            for k, rows in enumerate(affected):
                if not rows & used:
                    keep.append(k)
                    used |= rows
            js = js[keep]
            affected = [affected[k] for k in keep]
            tried.update(int(j) for j in js)
            before = np.array([st.row_objective[list(r)].sum() for r in affected])
            prob_before = [st.stockout_probability(np.array(sorted(r))) for r in affected]
            x_before = st.x.copy()
            snap, lim_snap, n_rungs = st.snapshot(), self.limits.snapshot(), len(self.rungs)
            active, upper = self.active_cand.copy(), self.upper.copy()
            items, move_item = group_moves(model.il_item[c.target[js]])
            trial = st.trial(items, js, -st.x[js], move_item)
            self._commit(trial, np.ones(js.size, dtype=bool), RungPhase.POLISH, [None] * js.size)
            self.upper[js] = 0.0
            self.active_cand = active & np.isin(c.target, c.target[js])
            self.step = self._fresh_steps()
            self.exhausted[:] = False
            self._stage(0.0, polish=True)
            after = np.array([st.row_objective[list(r)].sum() for r in affected])
            # guardrails stay kept: no row's stockout risk above its guard (or where it was), orders above the
            # bounded order change's minimum
            kept = np.array(
                [
                    bool(
                        (
                            st.stockout_probability(np.array(sorted(r)))
                            <= np.maximum(self.guard[sorted(r)], pb) + 1e-12
                        ).all()
                    )
                    and st.ordered[int(c.target[j])] + 1e-9 >= self.order_min[int(c.target[j])]
                    for r, pb, j in zip(affected, prob_before, js, strict=True)
                ]
            )
            x_after = st.x.copy()
            self.active_cand, self.upper = active, upper
            st.restore(snap)
            self.limits.restore(lim_snap)
            del self.rungs[n_rungs:]
            self.dirty[:] = True
            better = c.target[js][kept & (after < before - 1e-9 * (1.0 + np.abs(before)))]
            if better.size:
                target = x_before.copy()
                moved = np.isin(c.target, better)
                target[moved] = x_after[moved]
                self._move_to(target)
