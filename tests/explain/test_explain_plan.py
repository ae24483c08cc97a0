"""Explanations are complete and agree with the cost model; plans are deterministic."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.plan import AlternativeKind, CostTerm
from hedgerow.explain.context import ExplainContext
from hedgerow.explain.narrative import MAX_WORDS, word_count
from hedgerow.explain.recommend import draft_recommendations
from hedgerow.explain.words import money, percent, units
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.planner import MethodChoice, PlannerOptions, plan_partition
from hedgerow.plan.problem import DataSource, PlannerPolicy
from hedgerow.plan.synthetic import random_instance

LADDER = PlannerOptions(method=MethodChoice.LADDER)


@pytest.fixture(scope="module")
def instance() -> Any:
    problem, scen = random_instance(
        21,
        n_items=3,
        n_locations=3,
        n_scenarios=80,
        horizon=8,
        bundles=True,
        policy=PlannerPolicy(risk_aversion=0.3, service_floors={"A": 0.9}, default_service_floor=0.0),
    )
    sources = (
        DataSource("inventory", "a" * 64, latest_record_at=datetime(2026, 1, 2, tzinfo=UTC), stale_after_days=14),
        DataSource("fx_rates", "b" * 64, latest_record_at=datetime(2025, 12, 1, tzinfo=UTC), stale_after_days=7),
    )
    return replace(problem, sources=sources), replace(scen, snapshots={"demand": "c" * 64})


def test_every_recommendation_is_fully_explained(instance: Any) -> None:
    problem, scen = instance
    plan = make_plan(problem, scen, options=LADDER)
    assert plan.recommendations
    for rec in plan.recommendations:
        ex = rec.explanation
        kinds = [a.kind for a in ex.alternatives]
        assert AlternativeKind.RECOMMENDED in kinds
        assert AlternativeKind.DO_NOTHING in kinds
        assert len(ex.alternatives) >= 3  # the action, doing nothing and at least one more option
        for alt in ex.alternatives:
            assert alt.breakdown.total == pytest.approx(alt.expected_cost, rel=1e-9, abs=1e-6)
            assert 0.0 <= alt.stockout_probability <= 1.0
            assert alt.cvar >= alt.expected_cost - 1e-6
        recommended = ex.alternative(AlternativeKind.RECOMMENDED)
        nothing = ex.alternative(AlternativeKind.DO_NOTHING)
        assert recommended is not None
        assert nothing is not None
        assert ex.breakdown == recommended.breakdown
        assert ex.drivers
        assert all(d.label for d in ex.drivers)
        assert {d.table for d in ex.data} >= {"inventory", "fx_rates", "demand"}
        stale = {d.table: d.stale for d in ex.data}
        assert stale["fx_rates"]
        assert not stale["inventory"]
        assert word_count(ex.summary) <= MAX_WORDS
        assert "$" in ex.summary
        assert "unit" in ex.summary
        assert rec.expected_saving == pytest.approx(nothing.expected_cost - recommended.expected_cost)
        assert rec.stockout_after == pytest.approx(recommended.stockout_probability)
    json.dumps(plan.to_dict())  # the whole plan is JSON


def test_alternatives_equal_the_cost_model(instance: Any) -> None:
    problem, scen = instance
    pp = plan_partition(problem, scen, options=LADDER)
    ctx = ExplainContext(pp.model, pp.x)
    drafts = draft_recommendations(ctx, notes=(), data=())
    assert drafts
    c = pp.model.candidates
    for d in drafts:
        g = int(pp.model.il_item[c.target[d.cand]])
        ex = d.explanation
        rec = ex.alternative(AlternativeKind.RECOMMENDED)
        assert rec is not None
        assert rec.expected_cost == pytest.approx(float(pp.final.expected[g]), rel=1e-9)
        x0 = pp.x.copy()
        x0[d.cand] = 0.0
        ev0 = evaluate(pp.model, x0)
        nothing = ex.alternative(AlternativeKind.DO_NOTHING)
        assert nothing is not None
        assert nothing.expected_cost == pytest.approx(float(ev0.expected[g]), rel=1e-9)
        assert nothing.cvar == pytest.approx(float(ev0.tail[g]), rel=1e-9)
        assert nothing.objective == pytest.approx(float(ev0.objective[g]), rel=1e-9)
        np.testing.assert_allclose([v for _, v in nothing.breakdown.terms], ev0.breakdown[g], rtol=1e-9, atol=1e-6)
        row = int(c.target[d.cand])
        assert nothing.stockout_probability == pytest.approx(float(ev0.stockout_probability[row]))
        half = ex.alternative(AlternativeKind.HALF)
        if half is not None and half.action is not None:
            xh = pp.x.copy()
            xh[d.cand] = half.action.qty
            assert half.expected_cost == pytest.approx(float(evaluate(pp.model, xh).expected[g]), rel=1e-9)
        other = ex.alternative(AlternativeKind.OTHER_ROUTE)
        if other is not None and other.action is not None:
            assert other.action.lane_id != d.action.lane_id or other.action.kind != d.action.kind


def test_break_even_is_where_the_value_crosses_zero(instance: Any) -> None:
    from hedgerow.explain.breakeven import tilted
    from hedgerow.explain.drivers import action_features
    from hedgerow.plan.costs import objective

    problem, scen = instance
    pp = plan_partition(problem, scen, options=LADDER)
    ctx = ExplainContext(pp.model, pp.x)
    checked = 0
    p = pp.model.scenario_weight
    for d in draft_recommendations(ctx, notes=(), data=()):
        be = d.explanation.break_even
        if be is None or be.break_even_value is None:
            continue
        f = next(f for f in action_features(pp.model, d.cand) if f.driver.subject == be.subject)
        z = f.values
        zs = (z - p @ z) / np.sqrt(p @ (z - p @ z) ** 2)
        row = int(pp.model.candidates.target[d.cand])
        g = int(pp.model.il_item[row])
        x0 = pp.x.copy()
        x0[d.cand] = 0.0
        costs = np.stack([evaluate(pp.model, x0).item_cost[g], pp.final.item_cost[g]])
        per = 1.0 if f.binary else float(pp.model.window[row])
        target = be.break_even_value * per
        lo, hi = -60.0, 60.0
        for _ in range(100):  # the tilt at which the driver averages the break-even value
            mid = 0.5 * (lo + hi)
            if tilted(p, zs, mid) @ z < target:
                lo = mid
            else:
                hi = mid
        w = tilted(p, zs, 0.5 * (lo + hi))
        obj = objective(costs, w, problem.policy.cvar_level, problem.policy.risk_aversion)
        assert abs(obj[0] - obj[1]) < 0.02 * (abs(d.value) + 1.0)
        checked += 1
    assert checked > 0


def test_same_seed_same_plan(instance: Any) -> None:
    problem, scen = instance
    a = make_plan(problem, scen)
    b = make_plan(problem, scen)
    assert a.to_dict() == b.to_dict()
    assert a.id == b.id
    other = make_plan(problem, replace(scen, seed=scen.seed + 1))
    assert {r.id for r in other.recommendations}.isdisjoint({r.id for r in a.recommendations})


def test_nothing_is_recommended_when_nothing_pays() -> None:
    problem, scen = random_instance(2, n_scenarios=40, horizon=6)
    rich = replace(
        problem,
        item_locations=tuple(replace(il, on_hand=10_000.0) for il in problem.item_locations),
        shipments=(),
    )
    plan = make_plan(rich, scen)
    assert plan.recommendations == ()
    assert plan.totals.objective == pytest.approx(plan.do_nothing.objective)


def test_words() -> None:
    assert money(1840.4, "USD") == "$1,840"
    assert money(-250, "EUR") == "-€250"
    assert money(12, "CHF") == "12 CHF"
    assert percent(0.62) == "62 %"
    assert percent(0.004) == "0.4 %"
    assert units(1) == "1 unit"
    assert units(1200) == "1,200 units"
    assert re.fullmatch(r"[\d.]+ units", units(12.5))


def test_keep_buffer_when_a_floor_holds_stock_back() -> None:
    import sys

    sys.path.insert(0, "tests/plan")
    from plan_cases import PLAIN, poisson, two_locations

    policy = replace(PLAIN, service_floors={"A": 0.9})
    problem, scen = two_locations(
        poisson(10, (300, 4), "kbA"),
        poisson(30, (300, 4), "kbB"),
        on_hand_a=60.0,
        on_hand_b=0.0,
        policy=policy,
        supplier_lead_days=60.0,
    )
    plan = make_plan(problem, scen, options=LADDER)
    keep = [r for r in plan.recommendations if r.action.kind is ActionKind.KEEP_BUFFER]
    assert keep, [r.action for r in plan.recommendations]
    k = keep[0]
    assert k.action.location_id == "A"
    assert k.action.qty > 0
    moved = k.explanation.alternative(AlternativeKind.DO_NOTHING)
    assert moved is not None
    assert moved.stockout_probability > 0.1 + 1e-9  # moving them breaks Los Angeles' own floor
    assert word_count(k.explanation.summary) <= MAX_WORDS
    assert CostTerm.LOST_MARGIN in dict(k.explanation.breakdown.terms)


def test_the_plan_does_not_depend_on_partitions_or_workers() -> None:
    """The planner is a pure function over a partition: splitting the items, or running the partitions in two
    processes, gives the same plan."""
    problem, scen = random_instance(31, n_items=4, n_locations=2, n_scenarios=40, horizon=6)
    whole = make_plan(problem, scen, options=LADDER)
    split = make_plan(problem, scen, options=replace(LADDER, max_partition_item_locations=2))
    forked = make_plan(problem, scen, options=replace(LADDER, max_partition_item_locations=4, workers=2))
    assert whole.recommendations
    assert split.to_dict() == whole.to_dict()
    assert forked.to_dict() == whole.to_dict()
