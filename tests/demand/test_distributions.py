"""Predictive distributions: CDF tables against scipy, quantile invariants, CRPS, inverse-CDF sampling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hedgerow.demand.distributions import Marginals, Predictive


def _nb(mean: float, disp: float, horizon: int = 1) -> Marginals:
    return Marginals.negative_binomial(np.full((1, horizon), mean), np.full((1, horizon), disp))


@pytest.mark.parametrize(("mean", "disp"), [(0.3, 0.0), (4.0, 0.0), (7.5, 0.4), (30.0, 1.5), (2.0, 10.0)])
def test_nb_table_matches_scipy(mean: float, disp: float) -> None:
    table = Predictive.single(_nb(mean, disp)).cdf_table(np.array([True]))
    k = table.values[0, :-1]
    if disp == 0.0:
        expected = stats.poisson.cdf(k, mean)
    else:
        r = 1.0 / disp
        expected = stats.nbinom.cdf(k, r, r / (r + mean))
    np.testing.assert_allclose(table.cdf[0, 0, :-1], expected, atol=1e-9)
    assert float(table.step[0]).is_integer()


def test_hurdle_table_is_bernoulli_times_shifted_nb() -> None:
    marg = Marginals(np.full((1, 1), 0.3), np.array([1.0]), np.full((1, 1), 2.0), np.full((1, 1), 0.5))
    table = Predictive.single(marg).cdf_table(np.array([True]))
    r = 2.0
    size_cdf = stats.nbinom.cdf(np.arange(-1, 10), r, r / (r + 2.0))  # P(1 + N <= k) = P(N <= k - 1)
    np.testing.assert_allclose(table.cdf[0, 0, :11], 0.7 + 0.3 * size_cdf, atol=1e-9)
    assert marg.expected()[0, 0] == pytest.approx(0.3 * 3.0)


def test_wide_range_uses_coarser_grid_with_right_moments() -> None:
    table = Predictive.single(_nb(5000.0, 0.05)).cdf_table(np.array([True]))
    assert table.step[0] > 1
    assert float(table.step[0]).is_integer()
    assert table.mean()[0, 0] == pytest.approx(5000.0, rel=0.02)
    q = table.quantiles(np.array([0.5]))[0, 0, 0]
    assert q == pytest.approx(5000.0, rel=0.05)


def test_mixture_weights_combine_cdfs() -> None:
    low, high = _nb(2.0, 0.0), _nb(20.0, 0.0)
    mix = Predictive((low, high), np.array([[0.75, 0.25]]))
    table = mix.cdf_table(np.array([True]))
    k = np.arange(table.cdf.shape[2] - 1)
    expected = 0.75 * stats.poisson.cdf(k, 2.0) + 0.25 * stats.poisson.cdf(k, 20.0)
    np.testing.assert_allclose(table.cdf[0, 0, :-1], expected, atol=1e-9)
    assert mix.expected()[0, 0] == pytest.approx(0.75 * 2 + 0.25 * 20)


def test_crps_of_poisson_matches_numeric_integral() -> None:
    table = Predictive.single(_nb(3.0, 0.0)).cdf_table(np.array([True]))
    y = 5.0
    k = np.arange(200)
    expected = np.sum((stats.poisson.cdf(k, 3.0) - (y <= k)) ** 2)
    assert table.crps(np.array([[y]]))[0, 0] == pytest.approx(expected, rel=1e-6)
    assert np.isnan(table.crps(np.array([[np.nan]]))[0, 0])


def test_sampling_reproduces_the_distribution() -> None:
    table = Predictive.single(_nb(6.0, 0.3, horizon=2)).cdf_table(np.array([True]))
    u = np.random.default_rng(3).random((1, 40_000, 2))
    draws = table.sample(u)
    assert np.all(draws == np.round(draws))
    assert draws.min() >= 0
    r = 1 / 0.3
    for k in (2, 6, 12):
        assert np.mean(draws[0, :, 1] <= k) == pytest.approx(stats.nbinom.cdf(k, r, r / (r + 6.0)), abs=0.01)


def test_scaled_marginals_scale_the_mean_of_hurdles() -> None:
    marg = Marginals(np.full((2, 3), 0.4), np.array([1.0, 1.0]), np.full((2, 3), 1.5), np.zeros((2, 3)))
    scaled = marg.scaled(np.array([2.0, 0.2]))
    np.testing.assert_allclose(scaled.expected(), marg.expected() * np.array([[2.0], [0.2]]))


@settings(max_examples=60, deadline=None)
@given(
    mean=st.floats(0.0, 400.0),
    disp=st.floats(0.0, 8.0),
    occur=st.floats(0.0, 1.0),
    hurdle=st.booleans(),
    count=st.booleans(),
)
def test_quantiles_are_monotone_and_non_negative(
    mean: float, disp: float, occur: float, hurdle: bool, count: bool
) -> None:
    marg = Marginals(
        np.full((1, 2), occur), np.array([1.0 if hurdle else 0.0]), np.full((1, 2), mean), np.full((1, 2), disp)
    )
    table = Predictive.single(marg).cdf_table(np.array([count]))
    levels = np.array([0.01, 0.1, 0.25, 0.5, 0.8, 0.9, 0.95, 0.99])
    q = table.quantiles(levels)
    assert np.all(q >= 0)
    assert np.all(np.diff(q, axis=2) >= 0)
    assert np.all(np.diff(table.cdf, axis=2) >= -1e-12)
    if count:
        assert np.all(q == np.round(q))


def test_randomized_pit_is_uniform_for_draws_from_the_forecast() -> None:
    marg = Marginals(np.full((1, 1), 0.3), np.array([1.0]), np.full((1, 1), 1.5), np.full((1, 1), 0.4))
    table = Predictive.single(marg).cdf_table(np.array([True]))
    rng = np.random.default_rng(4)
    draws = table.sample(rng.random((1, 20000, 1)))[:, :, 0].T  # [20000 "series", 1]
    wide = type(table)(np.repeat(table.step, 20000), np.repeat(table.cdf, 20000, axis=0))
    pit = wide.pit(draws, rng.random(draws.shape))[:, 0]
    counts = np.histogram(pit, bins=10, range=(0, 1))[0] / pit.size
    np.testing.assert_allclose(counts, 0.1, atol=0.012)
    closed = np.mean(draws[:, 0] <= table.quantiles(np.array([0.9]))[0, 0, 0])
    assert closed > 0.93  # the literal 90 % quantile of a count covers more than 90 %
