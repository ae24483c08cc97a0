"""Plain words for numbers: two different shares never read the same."""

from __future__ import annotations

from hedgerow.explain.words import percents_apart


def test_two_different_shares_never_print_the_same() -> None:
    assert percents_apart(0.024, 0.02) == ("2.4 %", "2.0 %")
    assert percents_apart(0.0201, 0.02) == ("2.01 %", "2.00 %")
    assert percents_apart(0.3, 0.05) == ("30 %", "5 %")  # already apart: as percent() prints them
    assert percents_apart(0.05, 0.05) == ("5 %", "5 %")
