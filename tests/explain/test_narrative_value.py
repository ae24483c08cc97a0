"""The summary relates the expected saving to the value the plan ranks by (issue 20: two figures, one story)."""

from __future__ import annotations

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.plan import Alternative, AlternativeKind, CostBreakdown
from hedgerow.explain.narrative import summary

NO_COST = CostBreakdown(())


def _alt(kind: AlternativeKind, cost: float, objective: float) -> Alternative:
    return Alternative(kind, kind.value, None, cost, objective, objective, 0.1, 0.0, NO_COST)


def _summary(rec: Alternative, nothing: Alternative) -> str:
    return summary(
        headline="Order 12 chargers for Los Angeles DC",
        kind=ActionKind.ORDER,
        currency="USD",
        window_periods=8,
        period_days=7,
        place_name="Los Angeles DC",
        alternatives=[rec, nothing],
        drivers=[],
        break_even=None,
        guardrails=[],
        cvar_level=0.95,
    )


def test_an_action_dearer_on_average_says_what_it_is_worth_with_the_bad_case() -> None:
    text = _summary(
        _alt(AlternativeKind.RECOMMENDED, cost=120.0, objective=150.0),
        _alt(AlternativeKind.DO_NOTHING, cost=100.0, objective=330.0),
    )
    assert "it is expected to cost $20 more than doing nothing." in text
    assert "With the bad case counted (the worst 5 % of scenarios) it is worth $180, its value in the plan." in text


def test_no_value_sentence_when_value_and_expected_saving_agree() -> None:
    text = _summary(
        _alt(AlternativeKind.RECOMMENDED, cost=60.0, objective=60.0),
        _alt(AlternativeKind.DO_NOTHING, cost=100.0, objective=100.0),
    )
    assert "it is expected to save $40 against doing nothing." in text
    assert "bad case" not in text
