"""Scores: hand-checked pinball losses, the M5 scale, coverage and bias."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.demand.metrics import bias, coverage, interval_levels, m5_scale, pinball, scaled_pinball


def test_pinball_known_values() -> None:
    actual = np.array([[10.0, 4.0]])
    q = np.array([[[8.0, 12.0], [8.0, 12.0]]])  # levels 0.5 and 0.9
    loss = pinball(actual, q, (0.5, 0.9))
    # level 0.5: |10-8|*0.5 = 1, |4-8|*0.5 = 2 -> mean 1.5; level 0.9: 0.1*2=0.2, 0.1*8=0.8 -> 0.5
    np.testing.assert_allclose(loss, [[1.5, 0.5]])


def test_m5_scale_starts_at_first_nonzero_and_skips_unknowns() -> None:
    history = np.array([[0.0, 0.0, 2.0, 4.0, np.nan, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    scale = m5_scale(history)
    # diffs from index 2: |4-2| = 2, (4,nan), (nan,1) skipped, |1-1| = 0 -> mean 1
    assert scale[0] == pytest.approx(1.0)
    assert np.isnan(scale[1])


def test_scaled_pinball_divides_by_scale_and_skips_zero_scale() -> None:
    actual = np.array([[3.0], [3.0]])
    q = np.array([[[1.0]], [[1.0]]])
    spl = scaled_pinball(actual, q, (0.5,), np.array([2.0, 0.0]))
    assert spl[0] == pytest.approx(0.5 * 2.0 / 2.0)
    assert np.isnan(spl[1])


def test_coverage_and_bias() -> None:
    actual = np.array([[1.0, 5.0, np.nan, 9.0]])
    lower = np.array([[0.0, 0.0, 0.0, 0.0]])
    upper = np.array([[2.0, 6.0, 6.0, 6.0]])
    assert coverage(actual, lower, upper)[0] == pytest.approx(2 / 3)
    mean = np.array([[2.0, 5.0, 1.0, 6.0]])
    assert bias(actual, mean)[0] == pytest.approx((1 + 0 - 3) / 3)


def test_interval_levels() -> None:
    assert interval_levels((50, 80, 95)) == (0.25, 0.75, 0.1, 0.9, 0.025, 0.975)
