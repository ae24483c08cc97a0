"""Recommendations of one partition, each with its explanation.

For every action of the plan (a candidate with a positive quantity) the alternatives are evaluated as
variants of the whole plan — the same action left out (doing nothing), halved, or routed another way — on the
same scenarios, for all recommendations of the partition in a few batched simulations. Drivers, break-even,
guardrails, data freshness and the summary follow from those numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.plan import (
    Alternative,
    AlternativeKind,
    BreakEven,
    CostBreakdown,
    CostTerm,
    DataFreshness,
    Driver,
    DriverKind,
    Explanation,
    GuardrailKind,
    GuardrailNote,
    StockProjection,
)
from hedgerow.explain.breakeven import break_even
from hedgerow.explain.context import ExplainContext, Variants
from hedgerow.explain.drivers import action_features, bundle_driver, rank_drivers
from hedgerow.explain.narrative import FREIGHT_TAIL_PROBABILITY, freight_sentence, reason_sentence, summary
from hedgerow.explain.projection import stock_projection
from hedgerow.explain.words import describe_action, period_noun, place
from hedgerow.plan.alternatives import half_quantity, other_route
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.model import PlanModel, floor_to


@dataclass(frozen=True)
class Draft:
    """A recommendation before global ranking and ids."""

    action: Action
    cand: int
    expected_saving: float
    value: float
    capital: float
    stockout_before: float
    stockout_after: float
    guardrail: GuardrailKind | None
    explanation: Explanation

    @property
    def value_per_capital(self) -> float | None:
        """Value per unit of capital (None without capital)."""
        return self.value / self.capital if self.capital > 1e-9 else None


def candidate_action(model: PlanModel, j: int, qty: float) -> Action:
    """The :class:`Action` of ``qty`` units of candidate ``j``."""
    c = model.candidates
    lane = model.lanes.lanes[c.lane[j]]
    kind = CandidateKind(int(c.kind[j])).action_kind
    row = int(c.target[j])
    shipment = model.pipeline.shipment_ids[c.shipment[j]] if c.shipment[j] >= 0 else None
    return Action(
        kind=kind,
        item_id=model.il_items[row],
        location_id=model.il_locations[row],
        qty=float(qty),
        origin_id=lane.origin_id,
        lane_id=lane.lane_id,
        mode=lane.mode,
        shipment_id=shipment,
    )


def _breakdown(values: np.ndarray) -> CostBreakdown:
    return CostBreakdown(tuple((t, float(v)) for t, v in zip(CostTerm, values, strict=True)))


def _alternative(
    kind: AlternativeKind,
    label: str,
    action: Action | None,
    var: Variants | None,
    b: int,
    ctx: ExplainContext,
    row: int,
    capital: float,
) -> Alternative:
    if var is None:  # the plan itself
        g = int(ctx.model.il_item[row])
        base = ctx.base
        return Alternative(
            kind,
            label,
            action,
            float(base.expected[g]),
            float(base.tail[g]),
            float(base.objective[g]),
            float(base.stockout_probability[row]),
            capital,
            _breakdown(base.breakdown[g]),
        )
    return Alternative(
        kind,
        label,
        action,
        float(var.expected[b]),
        float(var.tail[b]),
        float(var.objective[b]),
        var.stockout_of(row, float(ctx.base.stockout_probability[row])),
        capital,
        _breakdown(var.breakdown[b]),
    )


def _projection(ctx: ExplainContext, row: int, without: Variants) -> StockProjection:
    """Stock on hand at ``row`` under the plan and under the variant ``without`` (the plan minus the action)."""
    model = ctx.model
    with_stock = ctx.state.stock[row]
    other = without.stock_of(row)
    return stock_projection(
        with_stock,
        with_stock if other is None else other,
        model.scenario_weight,
        as_of=model.scenarios.as_of,
        period_days=model.scenarios.period_days,
        window=int(model.window[row]),
    )


def _freight(model: PlanModel, j: int) -> str | None:
    """The freight sentence of candidate ``j`` when the scenario set's freight is uncertain (else None)."""
    if model.scenarios.supply.freight_multiplier is None:
        return None
    lane = model.lanes.lanes[model.candidates.lane[j]]
    today = lane.cost_per_unit / model.problem.fx(lane.cost_currency)
    tail = float(np.quantile(model.candidates.cost_parts[0, j], 1.0 - FREIGHT_TAIL_PROBABILITY))
    return freight_sentence(lane.mode.value, today, tail, model.problem.base_currency)


def _explanation(
    ctx: ExplainContext,
    j: int,
    row: int,
    action: Action,
    headline: str,
    alts: list[Alternative],
    drivers: tuple[Driver, ...],
    be: BreakEven | None,
    mine: tuple[GuardrailNote, ...],
    data: tuple[DataFreshness, ...],
    without: Variants,
) -> Explanation:
    """The explanation of ``action`` at ``row``: plain summary, numbers, data, and the stock fan against ``without``."""
    model = ctx.model
    problem = model.problem
    window = int(model.window[row])
    period_days = model.scenarios.period_days
    freight = None if action.kind is ActionKind.KEEP_BUFFER else _freight(model, j)
    text = summary(
        headline=headline,
        kind=action.kind,
        currency=problem.base_currency,
        window_periods=window,
        period_days=period_days,
        place_name=place(problem, action.location_id),
        alternatives=alts,
        drivers=drivers,
        break_even=be,
        guardrails=mine,
        cvar_level=problem.policy.cvar_level,
        freight=freight,
    )
    return Explanation(
        summary=text,
        alternatives=tuple(alts),
        breakdown=alts[0].breakdown,
        drivers=drivers,
        break_even=be,
        guardrails=mine,
        data=data,
        window_periods=window,
        period_days=period_days,
        projection=_projection(ctx, row, without),
        reason=reason_sentence(alts, mine, problem.base_currency),
        freight=freight,
    )


def _slots(ctx: ExplainContext, cands: Sequence[int]) -> list[list[int]]:
    """Candidates grouped so that each group holds at most one per item."""
    per_item: dict[int, list[int]] = {}
    for j in cands:
        per_item.setdefault(ctx.item_of(j), []).append(j)
    depth = max((len(v) for v in per_item.values()), default=0)
    return [[v[k] for v in per_item.values() if len(v) > k] for k in range(depth)]


def draft_recommendations(
    ctx: ExplainContext,
    *,
    notes: Sequence[GuardrailNote],
    data: tuple[DataFreshness, ...],
) -> list[Draft]:
    """Recommendations (with explanations) for every action of the partition's plan."""
    model = ctx.model
    c = model.candidates
    problem = model.problem
    pol = problem.policy
    p = model.scenario_weight
    period_days = model.scenarios.period_days
    acts = [int(j) for j in np.flatnonzero(ctx.x > 1e-9)]
    drafts: list[Draft] = []
    by_place: dict[tuple[str | None, str | None], list[GuardrailNote]] = {}
    for n in notes:
        by_place.setdefault((n.item_id, n.location_id), []).append(n)
    for slot in _slots(ctx, acts):
        js = np.array(slot, dtype=np.int64)
        items = np.array([ctx.item_of(j) for j in js], dtype=np.int64)
        idx = np.arange(js.size)
        none = ctx.variants(items, js, -ctx.x[js], idx)
        half_q = np.array([half_quantity(model, int(j), float(ctx.x[j])) for j in js])
        half = ctx.variants(items, js, -(ctx.x[js] - half_q), idx) if (half_q > 0).any() else None
        routes = [other_route(model, ctx.state, ctx.limits, int(j)) for j in js]
        with_route = [b for b, r in enumerate(routes) if r is not None]
        route_var = None
        if with_route:
            rb = np.array(with_route)
            jo = np.array([routes[b][0] for b in with_route], dtype=np.int64)  # type: ignore[index]
            qo = np.array([routes[b][1] for b in with_route])  # type: ignore[index]
            route_var = ctx.variants(
                items[rb],
                np.concatenate([js[rb], jo]),
                np.concatenate([-ctx.x[js[rb]], qo]),
                np.concatenate([np.arange(rb.size), np.arange(rb.size)]),
            )
        for b, j in enumerate(js.tolist()):
            row = int(c.target[j])
            g = int(items[b])
            action = candidate_action(model, j, float(ctx.x[j]))
            headline = describe_action(problem, action)
            alts = [
                _alternative(
                    AlternativeKind.RECOMMENDED, headline, action, None, b, ctx, row, float(ctx.x[j] * c.capital[j])
                ),
                _alternative(AlternativeKind.DO_NOTHING, "Do nothing (skip this action)", None, none, b, ctx, row, 0.0),
            ]
            if route_var is not None and b in with_route:
                k = with_route.index(b)
                jo_k, qo_k = routes[b]  # type: ignore[misc]
                other = candidate_action(model, jo_k, qo_k)
                alts.append(
                    _alternative(
                        AlternativeKind.OTHER_ROUTE,
                        describe_action(problem, other),
                        other,
                        route_var,
                        k,
                        ctx,
                        row,
                        float(qo_k * c.capital[jo_k]),
                    )
                )
            if half is not None and half_q[b] > 0:
                h_action = candidate_action(model, j, float(half_q[b]))
                alts.append(
                    _alternative(
                        AlternativeKind.HALF,
                        describe_action(problem, h_action),
                        h_action,
                        half,
                        b,
                        ctx,
                        row,
                        float(half_q[b] * c.capital[j]),
                    )
                )
            value_s = none.item_cost[b] - ctx.base.item_cost[g]
            saved_bundle = float(
                none.breakdown[b][list(CostTerm).index(CostTerm.LOST_BUNDLE_MARGIN)]
                - ctx.base.breakdown[g][list(CostTerm).index(CostTerm.LOST_BUNDLE_MARGIN)]
            )
            extra = [d for d in [bundle_driver(model, row, saved_bundle)] if d is not None]
            drivers, feats = rank_drivers(model, action_features(model, j), value_s, extra)
            be = None
            if feats:
                f = feats[0]
                w = int(model.window[row])
                if f.binary:
                    subject = f"the chance of {f.driver.label.split(' adds ')[0].split(' arrives ')[0]}"
                    per = 1.0
                else:
                    src_row = int(c.source[j]) if f.driver.kind is DriverKind.SOURCE_DEMAND else row
                    what = "demand" if f.driver.kind is not DriverKind.FX else f.driver.subject
                    subject = f"average {what} per {period_noun(period_days)} at {place(problem, model.il_locations[src_row])}"
                    if f.driver.kind is DriverKind.FX:
                        subject = f"the average {f.driver.subject} rate"
                    per = float(w) if f.driver.kind is not DriverKind.FX else 1.0
                touched = np.unique([r for r in (row, int(c.source[j])) if r >= 0])
                be = break_even(
                    f,
                    ctx.state.il_cost[touched],
                    none.costs_of(touched, ctx.state.il_cost),
                    p,
                    pol.cvar_level,
                    pol.risk_aversion,
                    subject=subject,
                    per_period=per,
                )
            mine = tuple(by_place.get((action.item_id, action.location_id), []))
            if action.origin_id != action.location_id:
                mine += tuple(by_place.get((action.item_id, action.origin_id), []))
            so_after = float(ctx.base.stockout_probability[row])
            so_before = none.stockout_of(row, so_after)
            guard = _guardrail_of(model, row, so_before, so_after, mine)
            expl = _explanation(ctx, j, row, action, headline, alts, drivers, be, mine, data, none)
            drafts.append(
                Draft(
                    action=action,
                    cand=j,
                    expected_saving=alts[1].expected_cost - alts[0].expected_cost,
                    value=alts[1].objective - alts[0].objective,
                    capital=alts[0].capital,
                    stockout_before=so_before,
                    stockout_after=so_after,
                    guardrail=guard,
                    explanation=expl,
                )
            )
    return drafts


def _guardrail_of(
    model: PlanModel, row: int, before: float, after: float, notes: Sequence[GuardrailNote]
) -> GuardrailKind | None:
    """The guardrail an action is needed for: the floor it restores, else the order-change minimum it fills."""
    limit = 1.0 - float(model.floor[row])
    if model.floor[row] > 0 and before > limit + 1e-12 and after <= limit + 1e-12:
        item = model.problem.item(model.il_items[row])
        own = model.problem.policy.service_floor(item.item_class)
        return GuardrailKind.BUNDLE_COMPONENT if model.floor[row] > own + 1e-12 else GuardrailKind.SERVICE_FLOOR
    for n in notes:
        if n.kind is GuardrailKind.MAX_ORDER_CHANGE and n.binding and "at least" in n.message:
            return GuardrailKind.MAX_ORDER_CHANGE
    return None


def keep_buffer_drafts(
    ctx: ExplainContext,
    buffers: Mapping[int, tuple[int, float]],
    *,
    notes: Sequence[GuardrailNote],
    data: tuple[DataFreshness, ...],
) -> list[Draft]:
    """KEEP_BUFFER recommendations: units a service floor keeps at a location although a transfer would take
    them. ``buffers`` maps a source row to (the transfer candidate that wanted them, units to keep)."""
    model = ctx.model
    problem = model.problem
    c = model.candidates
    pol = problem.policy
    out: list[Draft] = []
    for row, (j, qty) in sorted(buffers.items()):
        g = int(model.il_item[row])
        moved = ctx.variants(np.array([g]), np.array([j]), np.array([qty]), np.array([0]))
        half_q = float(floor_to(np.array(qty / 2), model.grain[row]))
        half = ctx.variants(np.array([g]), np.array([j]), np.array([qty - half_q]), np.array([0]))
        action = Action(ActionKind.KEEP_BUFFER, model.il_items[row], model.il_locations[row], float(qty))
        move = candidate_action(model, j, qty)
        headline = describe_action(problem, action)
        alts = [
            _alternative(AlternativeKind.RECOMMENDED, headline, action, None, 0, ctx, row, 0.0),
            _alternative(
                AlternativeKind.DO_NOTHING,
                "Do not hold them back: " + describe_action(problem, move),
                move,
                moved,
                0,
                ctx,
                row,
                float(qty * c.capital[j]),
            ),
            _alternative(
                AlternativeKind.HALF,
                f"Keep {half_q:g} units",
                None,
                half,
                0,
                ctx,
                row,
                float((qty - half_q) * c.capital[j]),
            ),
        ]
        value_s = moved.item_cost[0] - ctx.base.item_cost[g]
        drivers, feats = rank_drivers(model, action_features(model, j), value_s, [])
        mine = tuple(n for n in notes if n.item_id == action.item_id and n.location_id == action.location_id)
        be = None
        if feats and not feats[0].binary:
            touched = np.unique([r for r in (row, int(c.target[j])) if r >= 0])
            be = break_even(
                feats[0],
                ctx.state.il_cost[touched],
                moved.costs_of(touched, ctx.state.il_cost),
                model.scenario_weight,
                pol.cvar_level,
                pol.risk_aversion,
                subject=f"average demand per {period_noun(model.scenarios.period_days)} at "
                f"{place(problem, model.il_locations[int(c.target[j])])}",
                per_period=float(model.window[int(c.target[j])]),
            )
        so = float(ctx.base.stockout_probability[row])
        so_moved = moved.stockout_of(row, so)
        expl = _explanation(ctx, j, row, action, headline, alts, drivers, be, mine, data, moved)
        out.append(
            Draft(
                action=action,
                cand=-1,
                expected_saving=alts[1].expected_cost - alts[0].expected_cost,
                value=alts[1].objective - alts[0].objective,
                capital=0.0,
                stockout_before=so_moved,
                stockout_after=so,
                guardrail=GuardrailKind.SOURCE_PROTECTED,
                explanation=expl,
            )
        )
    return out
