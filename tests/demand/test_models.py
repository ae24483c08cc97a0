"""Model families: point forecasts against statsforecast, distributions that are complete and sensible."""

from __future__ import annotations

import numpy as np
import pytest
from statsforecast.models import TSB, CrostonSBA

from hedgerow.demand.models.base import FamilyName, ModelInput, grown_dispersion, nb_dispersion
from hedgerow.demand.models.intermittent import croston_sba_family, imapa_family, tsb_components, tsb_family
from hedgerow.demand.models.smoothing import (
    SEASONAL_MIN_CYCLES,
    choose_ses,
    seasonal_index,
    seasonal_naive_family,
    seasonal_ses_family,
    ses_family,
)


def _input(y: np.ndarray, horizon: int = 4, season: int = 4) -> ModelInput:
    n, t = y.shape
    return ModelInput(
        y=y,
        season_length=season,
        drivers=np.zeros((n, t, 0)),
        future_drivers=np.zeros((n, horizon, 0)),
        driver_names=(),
        is_count=np.ones(n, dtype=bool),
    )


INTERMITTENT = np.array(
    [
        [0, 0, 3, 0, 0, 1, 0, 4, 0, 0, 0, 2, 0, 1, 0, 0, 5, 0, 0, 2],
        [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 7, 0, 0, 1, 0, 0, 0, 3, 0, 0],
    ],
    dtype=np.float64,
)


def test_croston_sba_mean_equals_statsforecast() -> None:
    fc = croston_sba_family(_input(INTERMITTENT))
    for row in range(INTERMITTENT.shape[0]):
        expected = CrostonSBA().forecast(y=INTERMITTENT[row], h=4)["mean"]
        np.testing.assert_allclose(fc.marginals.expected()[row], expected, rtol=1e-9)


def test_tsb_filter_equals_statsforecast_for_fixed_constants() -> None:
    prob, size, _, _ = tsb_components(INTERMITTENT, np.array([0.2, 0.2]), np.array([0.1, 0.1]))
    for row in range(INTERMITTENT.shape[0]):
        expected = TSB(alpha_d=0.1, alpha_p=0.2).forecast(y=INTERMITTENT[row], h=1)["mean"][0]
        assert prob[row] * size[row] == pytest.approx(expected, rel=1e-9)


def test_intermittent_families_give_hurdle_distributions_with_zero_mass() -> None:
    for family in (croston_sba_family, tsb_family):
        fc = family(_input(INTERMITTENT))
        m = fc.marginals
        assert np.all(m.size_offset == 1.0)
        assert np.all((m.occur > 0.05) & (m.occur < 0.6))  # demand in about a third of the periods
        assert np.all(fc.ok)


def test_imapa_mean_is_between_extremes_and_positive() -> None:
    fc = imapa_family(_input(INTERMITTENT))
    mean = fc.marginals.expected()[:, 0]
    overall = INTERMITTENT.mean(axis=1)
    assert np.all(mean > 0.3 * overall)
    assert np.all(mean < 3 * overall)


def test_ses_picks_a_fast_alpha_for_a_level_shift_and_a_slow_one_for_noise() -> None:
    rng = np.random.default_rng(0)
    noise = rng.poisson(10, 80).astype(float)
    shifted = np.r_[np.full(40, 5.0), np.full(40, 30.0)] + rng.normal(0, 0.5, 80)
    alpha, level, _ = choose_ses(np.vstack([noise, shifted]))
    assert alpha[0] <= 0.1 < 0.3 <= alpha[1]
    assert level[1] == pytest.approx(30.0, abs=1.5)


def test_seasonal_naive_repeats_last_season() -> None:
    y = np.tile([1.0, 5.0, 9.0, 3.0], 5)[None, :]
    fc = seasonal_naive_family(_input(y, horizon=6))
    np.testing.assert_allclose(fc.marginals.expected()[0], [1, 5, 9, 3, 1, 5])


def _yearly(amplitude: np.ndarray, weeks: int, horizon: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """NB demand (dispersion 4) around 6 units a week swinging ± ``amplitude`` over a 52-week year."""
    t = np.arange(weeks + horizon)
    mean = 6.0 * (1.0 + amplitude[:, None] * np.sin(2 * np.pi * t / 52.0))
    y = np.random.default_rng(seed).negative_binomial(4, 4 / (4 + mean)).astype(np.float64)
    return y[:, :weeks], mean[:, weeks:]


def test_seasonal_ses_follows_a_yearly_swing_that_ses_trails() -> None:
    amplitude = np.r_[np.full(200, 0.3), np.zeros(200)]
    y, truth = _yearly(amplitude, 104, 8, seed=3)
    inp = _input(y, horizon=8, season=52)
    seasonal, plain = seasonal_ses_family(inp), ses_family(inp)
    err_seasonal = np.abs(seasonal.marginals.expected() - truth).mean(axis=1)
    err_plain = np.abs(plain.marginals.expected() - truth).mean(axis=1)
    # on the swinging half the seasonal index halves the error; on the flat half it costs little
    assert err_seasonal[:200].mean() < 0.6 * err_plain[:200].mean()
    assert err_seasonal[200:].mean() < 1.25 * err_plain[200:].mean()
    assert seasonal.ok.all()


def test_seasonal_index_is_shrunk_to_flat_for_noise_and_needs_whole_seasons() -> None:
    y, _ = _yearly(np.zeros(300), 104, 4, seed=4)
    _, future, ok = seasonal_index(_input(y, horizon=4, season=52))
    assert ok.all()
    # a profile no larger than its noise is dropped for a good share of flat series, and small elsewhere
    assert (np.abs(future - 1.0).max(axis=1) == 0.0).mean() > 0.15
    assert np.median(np.abs(future - 1.0)) < 0.1
    short = _input(y[:, : SEASONAL_MIN_CYCLES * 52 - 1], horizon=4, season=52)
    _, future, ok = seasonal_index(short)
    assert not ok.any()
    assert not seasonal_ses_family(short).ok.any()
    np.testing.assert_array_equal(future, 1.0)


def test_unknown_periods_are_skipped_not_zero() -> None:
    y = np.array([[np.nan, 10.0, 10.0, np.nan, np.nan, 10.0, 10.0]])
    fc = ses_family(_input(y))
    assert fc.marginals.expected()[0, 0] == pytest.approx(10.0)


def test_dispersion_is_poisson_for_poisson_data_and_larger_for_gamma_poisson() -> None:
    rng = np.random.default_rng(1)
    poisson = rng.poisson(20, (200, 60)).astype(float)
    mixed = rng.poisson(rng.gamma(2.0, 10.0, (200, 60))).astype(float)  # NB2 with c = 0.5
    flat = np.full_like(poisson, 20.0)
    assert np.median(nb_dispersion(poisson, flat)) < 0.02
    assert np.median(nb_dispersion(mixed, flat)) == pytest.approx(0.5, rel=0.15)


def test_variance_grows_with_horizon_as_local_level_model() -> None:
    mean = np.full((1, 5), 10.0)
    disp = grown_dispersion(mean, np.array([0.2]), np.array([0.5]))
    var = mean + disp * mean**2
    growth = 1 + np.arange(5) * 0.25
    np.testing.assert_allclose(var[0] / var[0, 0], growth)


def test_family_names_cover_the_issue_list() -> None:
    required = {"seasonal_naive", "auto_ets", "theta", "croston_sba", "tsb", "imapa", "global_gbm"}
    assert required <= {f.value for f in FamilyName}
