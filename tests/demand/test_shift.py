"""Spike or shift: clear injected cases, the prior for ambiguous ones, promotions, sentiment, calibration."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.demand.shift import ShiftConfig, assess_shifts, explained_periods, sentiment_odds_factor
from hedgerow.demand.shift_calibration import CaseKind, calibrate, inject_cases

BASE = np.array([10, 12, 9, 11, 10, 8, 13, 10, 9, 11, 12, 10, 9, 10, 11, 10, 12, 9, 10, 11], dtype=float)


def _series(tail: list[float]) -> np.ndarray:
    return np.r_[BASE, tail][None, :]


def test_lasting_shift_is_recognised_with_its_size() -> None:
    result = assess_shifts(_series([40, 38, 43, 41]))
    assert result.probability[0] > 0.85
    assert result.ratio[0] == pytest.approx(4.0, rel=0.15)
    assert result.onset[0] == len(BASE)
    assert result.unusual[0, -4:].all()
    assert not result.unusual[0, :-4].any()


def test_spike_that_went_away_is_not_a_shift() -> None:
    result = assess_shifts(_series([45, 10, 11, 9]))
    assert result.onset[0] == len(BASE)
    assert result.probability[0] < 0.05


def test_a_single_unusual_period_gets_the_prior() -> None:
    config = ShiftConfig()
    result = assess_shifts(_series([10, 11, 45]), config=config)
    assert result.probability[0] == pytest.approx(config.prior_probability, abs=0.02)


def test_nothing_unusual_means_no_shift() -> None:
    result = assess_shifts(_series([11, 9, 10, 12]))
    assert result.probability[0] == 0.0
    assert result.onset[0] == -1
    assert result.ratio[0] == 1.0


def test_promotion_explains_the_spike() -> None:
    y = _series([10, 40, 42])
    drivers = np.zeros((1, y.shape[1], 1))
    drivers[0, -2:, 0] = 1.0  # promotion flag on the last two periods
    explained = explained_periods(drivers, np.zeros((1, 1)))
    result = assess_shifts(y, explained)
    assert result.probability[0] == 0.0
    assert result.onset[0] == -1


def test_sentiment_raises_the_prior() -> None:
    y = _series([10, 11, 45])
    plain = assess_shifts(y).probability[0]
    boosted = assess_shifts(y, prior_odds_factor=sentiment_odds_factor(np.array([2.0]))).probability[0]
    assert boosted > plain
    assert boosted / (1 - boosted) == pytest.approx(4.0 * plain / (1 - plain), rel=1e-6)


def test_drops_count_as_unusual_too() -> None:
    result = assess_shifts(_series([0, 1, 0, 0]))
    assert result.probability[0] > 0.7
    assert result.ratio[0] < 0.2


def test_short_or_empty_histories_are_left_alone() -> None:
    y = np.array([[np.nan] * 10, [3.0, 4.0, 50.0, 60.0] + [np.nan] * 6])
    result = assess_shifts(y)
    assert np.all(result.probability == 0.0)


def test_probabilities_are_calibrated_on_injected_cases() -> None:
    cases = inject_cases(np.random.default_rng(7), 4000)
    result = calibrate(cases)
    assert result.expected_calibration_error < 0.06
    assert result.promotion_mean_probability < 0.02
    assert result.flagged_share > 0.5
    # Evidence accumulates: lasting shifts look more and more like shifts, spikes less and less.
    shifts, spikes = result.detection[CaseKind.SHIFT.value], result.detection[CaseKind.SPIKE.value]
    assert shifts[6] > shifts[2] > shifts[1] - 0.02
    assert spikes[6] < spikes[1]
