"""The recommendation state machine: every allowed and every forbidden transition."""

from __future__ import annotations

import pytest

from hedgerow.decide.lifecycle import FINAL_STATUSES, TRANSITIONS, DecisionKind, allowed_decisions, next_status
from hedgerow.domain.actions import RecommendationStatus as S
from hedgerow.errors import InvalidTransition

EXPECTED = {
    (S.PROPOSED, DecisionKind.APPROVE): S.APPROVED,
    (S.PROPOSED, DecisionKind.REJECT): S.REJECTED,
    (S.PROPOSED, DecisionKind.MODIFY): S.MODIFIED,
    (S.PROPOSED, DecisionKind.SUPERSEDE): S.SUPERSEDED,
    (S.APPROVED, DecisionKind.EXPORT): S.EXPORTED,
    (S.MODIFIED, DecisionKind.EXPORT): S.EXPORTED,
    (S.EXPORTED, DecisionKind.CLOSE): S.CLOSED,
}

ALL_PAIRS = [(s, d) for s in S for d in DecisionKind]


@pytest.mark.parametrize(("status", "decision"), ALL_PAIRS, ids=[f"{s.value}-{d.value}" for s, d in ALL_PAIRS])
def test_every_transition(status: S, decision: DecisionKind) -> None:
    if (status, decision) in EXPECTED:
        assert next_status(status, decision) is EXPECTED[(status, decision)]
    else:
        with pytest.raises(InvalidTransition, match=f"cannot {decision.value} a recommendation that is {status.value}"):
            next_status(status, decision)


def test_table_is_exactly_the_documented_one() -> None:
    assert TRANSITIONS == EXPECTED
    assert (len(ALL_PAIRS), len(EXPECTED)) == (42, 7)  # 35 forbidden pairs exercised above


def test_final_statuses_have_no_way_out() -> None:
    for status in FINAL_STATUSES:
        assert allowed_decisions(status) == ()
    with pytest.raises(InvalidTransition, match="none \\(it is final\\)"):
        next_status(S.REJECTED, DecisionKind.APPROVE)


def test_error_names_what_is_allowed() -> None:
    with pytest.raises(InvalidTransition, match="allowed from approved: export"):
        next_status(S.APPROVED, DecisionKind.REJECT)
