"""The consistency checker flags each broken invariant, and only those (hand-made recommendations)."""

from __future__ import annotations

from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.enums import Mode
from hedgerow.domain.plan import Alternative, AlternativeKind, CostBreakdown, Explanation, Recommendation
from hedgerow.explain.consistency import recommendation_issues

NO_COST = CostBreakdown(())


def _alt(kind: AlternativeKind, cost: float, cvar: float, p_out: float, capital: float) -> Alternative:
    return Alternative(kind, kind.value, None, cost, cvar, cost, p_out, capital, NO_COST)


def _rec(action: Action, alts: tuple[Alternative, ...], reason: str | None = None) -> Recommendation:
    explanation = Explanation("s", alts, NO_COST, (), None, (), (), 4, 7, reason=reason)
    return Recommendation("rec-1", 1, action, 10.0, 10.0, 100.0, 0.1, 0.2, 0.05, None, explanation)


ORDER = Action(ActionKind.ORDER, "I", "L", 12.0, origin_id="S", lane_id="S-L-ocean", mode=Mode.OCEAN)
GOOD = (
    _alt(AlternativeKind.RECOMMENDED, 90.0, 150.0, 0.05, 100.0),
    _alt(AlternativeKind.DO_NOTHING, 100.0, 300.0, 0.20, 0.0),
)


def test_a_consistent_order_has_no_issue() -> None:
    assert recommendation_issues(_rec(ORDER, GOOD), pack_size=6.0) == []


def test_an_order_of_broken_packs_is_flagged_but_a_buffer_is_not() -> None:
    broken = Action(ActionKind.ORDER, "I", "L", 13.0, origin_id="S", lane_id="S-L-ocean", mode=Mode.OCEAN)
    assert any("whole number of packs" in i for i in recommendation_issues(_rec(broken, GOOD), pack_size=6.0))
    buffer = Action(ActionKind.KEEP_BUFFER, "I", "L", 13.0)
    assert recommendation_issues(_rec(buffer, GOOD), pack_size=6.0) == []


def test_a_dominated_action_is_flagged() -> None:
    alts = (
        _alt(AlternativeKind.RECOMMENDED, 90.0, 150.0, 0.05, 100.0),
        _alt(AlternativeKind.DO_NOTHING, 100.0, 300.0, 0.20, 0.0),
        _alt(AlternativeKind.OTHER_ROUTE, 80.0, 150.0, 0.05, 100.0),
    )
    issues = recommendation_issues(_rec(ORDER, alts), pack_size=1.0)
    assert any("dominated by" in i for i in issues)


def test_costing_more_than_nothing_needs_a_reason() -> None:
    alts = (
        _alt(AlternativeKind.RECOMMENDED, 110.0, 150.0, 0.05, 100.0),
        _alt(AlternativeKind.DO_NOTHING, 100.0, 300.0, 0.20, 0.0),
    )
    assert any("gives no reason" in i for i in recommendation_issues(_rec(ORDER, alts)))
    assert recommendation_issues(_rec(ORDER, alts, reason="it cuts the bad case in half")) == []
