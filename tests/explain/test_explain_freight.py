"""The freight sentence: the recommended lane's rate today and in 1 in 10 scenarios, when freight is uncertain."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
from rich.console import Console

from hedgerow.cli.plan_render import render_explanation
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import Mode
from hedgerow.domain.network import Item, Lane, Location, OriginKind
from hedgerow.domain.plan import (
    Alternative,
    AlternativeKind,
    CostBreakdown,
    Explanation,
    GuardrailKind,
    GuardrailNote,
)
from hedgerow.explain.narrative import MAX_WORDS, freight_sentence, summary, word_count
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.problem import ItemLocationSpec, PlannerPolicy, PlanningProblem
from hedgerow.plan.synthetic import scenario_set
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.web.explain_view import view_of

S = 200


def test_the_sentence_quotes_today_and_the_one_in_ten_rate() -> None:
    assert (
        freight_sentence("air", 4.1, 5.8, "USD")
        == "Air freight costs $4.10 a unit today, $5.80 or more in 1 in 10 scenarios."
    )
    assert freight_sentence("ocean", 0.85, 1.2, "EUR") == (
        "Ocean freight costs €0.85 a unit today, €1.20 or more in 1 in 10 scenarios."
    )
    # not worth a sentence: the tail is at (or within 1 % of) today's rate, or there is no rate
    assert freight_sentence("air", 4.1, 4.1, "USD") is None
    assert freight_sentence("air", 4.1, 4.14, "USD") is None
    assert freight_sentence("air", 0.0, 1.0, "USD") is None


def _alt(kind: AlternativeKind, cost: float) -> Alternative:
    return Alternative(kind, "x", None, cost, cost, cost, 0.1, 0.0, CostBreakdown(()))


def test_the_sentence_follows_the_options_and_goes_when_the_summary_is_long() -> None:
    alts = [_alt(AlternativeKind.RECOMMENDED, 10.0), _alt(AlternativeKind.DO_NOTHING, 50.0)]
    freight = freight_sentence("air", 4.1, 5.8, "USD")
    args = {
        "kind": ActionKind.ORDER,
        "currency": "USD",
        "window_periods": 4,
        "period_days": 7,
        "place_name": "Tokyo",
        "alternatives": alts,
        "drivers": (),
        "break_even": None,
        "guardrails": (),
        "cvar_level": 0.95,
        "freight": freight,
    }
    short = summary(headline="Order 40 units", **args)  # type: ignore[arg-type]
    assert freight is not None
    assert short.endswith(freight)
    # before the other route and a guardrail (which the explanation also lists apart), so a long summary drops
    # them first
    note = GuardrailNote(GuardrailKind.SERVICE_FLOOR, "The service floor of class A binds here", binding=True)
    other = replace(_alt(AlternativeKind.OTHER_ROUTE, 12.0), label="Order 40 units by ocean")
    guarded = summary(
        headline="Order 40 units",
        **{**args, "guardrails": (note,), "alternatives": [*alts, other]},  # type: ignore[arg-type]
    )
    assert f"{freight} Ordering 40 units by ocean instead would cost $2 more on average" in guarded
    assert guarded.endswith("The service floor of class A binds here.")
    long = summary(headline="Order " + "very " * 90 + "many units", **args)  # type: ignore[arg-type]
    assert freight not in long
    assert word_count(long) <= MAX_WORDS


def test_a_plan_on_uncertain_freight_tells_the_recommended_lane_s_tail() -> None:
    problem = PlanningProblem(
        base_currency="USD",
        items=(Item("SKU", "Widget", "A", 10.0, "USD"),),
        locations=(Location("LOC", "Store", "NA", "USD", 0.0),),
        item_locations=(ItemLocationSpec("SKU", "LOC", 20.0, "USD"),),
        lanes=(Lane("AIR", "SUP", OriginKind.SUPPLIER, "LOC", Mode.AIR, 1.2, "USD"),),
        policy=PlannerPolicy(risk_aversion=0.0, service_floors={}, default_service_floor=0.0),
    )
    demand = stream_rng(5, Stream.DEMAND, "freight").poisson(20.0, (1, S, 2)).astype(float)
    mult = np.ones((S, 2))
    mult[:, 0] = np.linspace(0.8, 1.8, S)
    args = {"item_ids": ["SKU"], "location_ids": ["LOC"], "demand": demand, "lanes": {"AIR": 0.0}}
    plan = make_plan(problem, scenario_set(**args, freight={"AIR": mult}))  # type: ignore[arg-type]
    (rec,) = plan.recommendations
    assert rec.action.kind is ActionKind.ORDER
    tail = float(np.quantile(1.2 * mult[:, 0], 0.9))  # 1.2 × (0.8 + 0.9 × 1.0) = 2.04
    expected = freight_sentence("air", 1.2, tail, "USD")
    assert expected == "Air freight costs $1.20 a unit today, $2.04 or more in 1 in 10 scenarios."
    # after the main reasons, before the break-even sentence
    text = rec.explanation.summary
    assert f"in 8 of 10 scenarios. {expected} It pays off" in text
    # its own field too, so a summary cut at its word limit never loses it; stored and shown
    assert rec.explanation.freight == expected
    assert Explanation.from_dict(rec.explanation.to_dict()).freight == expected
    out = io.StringIO()
    render_explanation(rec.id, rec.explanation, Console(file=out, width=300, color_system=None), currency="USD")
    assert f"Freight: {expected}" in out.getvalue()
    assert view_of(rec.explanation).freight == expected
    # at today's rate in every scenario there is nothing to tell
    still = make_plan(problem, scenario_set(**args))  # type: ignore[arg-type]
    assert "freight costs" not in still.recommendations[0].explanation.summary
    assert still.recommendations[0].explanation.freight is None
    # nor with a multiplier that never moves
    flat = make_plan(problem, scenario_set(**args, freight={"AIR": 1.0}))  # type: ignore[arg-type]
    assert "freight costs" not in flat.recommendations[0].explanation.summary
    assert replace(flat, id=still.id) == still  # a multiplier of 1 is today's rate: the same plan
