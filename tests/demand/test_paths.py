"""Sample paths: whole units, never negative, reproducible whatever the chunking or number of workers."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from hedgerow.demand.bundles import BundleLinks
from hedgerow.demand.distributions import Marginals, Predictive
from hedgerow.demand.engine import EngineConfig, FittedDemand, fit_demand
from hedgerow.demand.paths import copula_correlation, correlated_uniforms, sample_paths
from hedgerow.demand.series import SeriesPanel
from hedgerow.errors import DemandDataError
from tests.demand.conftest import CHEAP


def _draw(fit: FittedDemand, items: tuple[str, ...], locs: tuple[str, ...], seed: int) -> np.ndarray:
    return fit.sample_block(items, locs, n_scenarios=200, horizon=fit.horizon, seed=seed).paths


def _run_chunks(fit: FittedDemand, workers: int, chunk: int) -> np.ndarray:
    ctx = multiprocessing.get_context("spawn")
    starts = range(0, fit.n_series, chunk)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        parts = pool.map(
            _draw,
            [fit] * len(starts),
            [fit.item_ids[s : s + chunk] for s in starts],
            [fit.location_ids[s : s + chunk] for s in starts],
            [17] * len(starts),
        )
        return np.concatenate(list(parts))


def test_paths_are_whole_non_negative_and_identical_for_one_and_two_workers(small_fit: FittedDemand) -> None:
    one = _run_chunks(small_fit, workers=1, chunk=small_fit.n_series)
    two = _run_chunks(small_fit, workers=2, chunk=5)
    np.testing.assert_array_equal(one, two)
    assert one.shape == (small_fit.n_series, 200, small_fit.horizon)
    assert np.all(one >= 0)
    assert np.all(one == np.round(one))


def test_a_series_draws_the_same_paths_alone_or_in_a_chunk(small_fit: FittedDemand) -> None:
    items, locs = small_fit.item_ids, small_fit.location_ids
    block = small_fit.sample_block(items[:6], locs[:6], n_scenarios=50, horizon=8, seed=3)
    alone = small_fit.sample_block(items[4:5], locs[4:5], n_scenarios=50, horizon=8, seed=3)
    np.testing.assert_array_equal(block.paths[4], alone.paths[0])
    shorter = small_fit.sample_block(items[4:5], locs[4:5], n_scenarios=50, horizon=3, seed=3)
    np.testing.assert_array_equal(shorter.paths[0], alone.paths[0, :, :3])
    other_seed = small_fit.sample_block(items[4:5], locs[4:5], n_scenarios=50, horizon=8, seed=4)
    assert not np.array_equal(other_seed.paths, alone.paths)


def test_paths_follow_the_forecast_distribution(small_fit: FittedDemand) -> None:
    block = small_fit.sample_block(small_fit.item_ids, small_fit.location_ids, n_scenarios=4000, horizon=8, seed=9)
    q = small_fit.quantiles((0.5, 0.9))
    # share of draws at or below each forecast quantile is at least its level (discrete) and not far above
    below50 = (block.paths <= q[:, None, :, 0]).mean(axis=1)
    below90 = (block.paths <= q[:, None, :, 1]).mean(axis=1)
    assert np.all(below50 >= 0.5 - 0.04)
    assert np.all(below90 >= 0.9 - 0.03)
    mean = block.paths.mean(axis=1)
    expected = small_fit.expected()
    np.testing.assert_allclose(mean.sum(axis=0), expected.sum(axis=0), rtol=0.05)


def test_paths_are_correlated_over_time_as_the_model_says() -> None:
    marg = Marginals.negative_binomial(np.full((1, 6), 50.0), np.full((1, 6), 0.05))
    paths = sample_paths(
        Predictive.single(marg), np.array([0.6]), np.array([True]), ("A@L",), n_scenarios=20000, seed=1
    )
    corr = np.corrcoef(paths[0, :, 0], paths[0, :, 5])[0, 1]
    target = copula_correlation(0.6, 6)[0, 5]
    assert target > 0.3
    assert corr == pytest.approx(target, abs=0.05)
    independent = sample_paths(
        Predictive.single(marg), np.array([0.0]), np.array([True]), ("A@L",), n_scenarios=20000, seed=1
    )
    assert abs(np.corrcoef(independent[0, :, 0], independent[0, :, 5])[0, 1]) < 0.03


def test_each_period_puts_one_draw_in_each_stratum_and_a_longer_horizon_extends_a_shorter() -> None:
    n = 200
    for alpha in (0.0, 0.3):
        u = correlated_uniforms(np.random.default_rng(5), alpha, n, 6)
        periods = range(6) if alpha == 0.0 else range(1)  # mixing by the copula keeps period 0 as drawn
        for h in periods:
            np.testing.assert_array_equal(np.sort(np.floor(u[:, h] * n)), np.arange(n))
        longer = correlated_uniforms(np.random.default_rng(5), alpha, n, 9)
        np.testing.assert_allclose(longer[:, :6], u)
    # so a 200-scenario sample's 99 % quantile always lies between the true 98.5 % and 99.5 % quantiles
    pred = Predictive.single(Marginals.negative_binomial(np.full((1, 1), 6.0), np.full((1, 1), 0.25)))
    low, high = pred.cdf_table(np.array([True])).quantiles(np.array([0.985, 0.995]))[0, 0]
    for k in range(50):
        paths = sample_paths(pred, np.array([0.1]), np.array([True]), (f"A@L{k}",), n_scenarios=n, seed=3)
        assert low <= np.quantile(paths[0, :, 0], 0.99) <= high


def test_spike_or_shift_mixture_follows_one_future_per_scenario() -> None:
    base = Marginals.negative_binomial(np.full((1, 4), 10.0), np.zeros((1, 4)))
    shifted = base.scaled(np.array([5.0]))
    mixture = Predictive((base, shifted), np.array([[0.7, 0.3]]))
    paths = sample_paths(mixture, np.array([0.0]), np.array([True]), ("A@L",), n_scenarios=5000, seed=2)
    high = paths[0].mean(axis=1) > 30  # a scenario's whole path is either ~10 or ~50
    assert high.mean() == pytest.approx(0.3, abs=0.03)
    assert np.all(paths[0, high].min(axis=1) > 15)


def test_bundles_pull_demand_through_to_components(small_panel: SeriesPanel) -> None:
    bundle, component = small_panel.item_ids[0], small_panel.item_ids[1]
    loc = small_panel.location_ids[0]
    links = BundleLinks.from_frame(
        pd.DataFrame({"bundle_item_id": [bundle], "component_item_id": ["NEW-PART"], "qty_per_bundle": [2.0]})
    )
    fit = fit_demand(small_panel, EngineConfig(horizon=4, families=CHEAP), bundles=links)
    part = fit.sample_block(("NEW-PART",), (loc,), n_scenarios=100, horizon=4, seed=5)
    alone = fit.sample_block((bundle,), (loc,), n_scenarios=100, horizon=4, seed=5)
    own = fit.sample_block((component,), (small_panel.location_ids[1],), n_scenarios=100, horizon=4, seed=5)
    np.testing.assert_array_equal(part.paths[0], 2.0 * alone.paths[0])  # no own history: all pulled through
    assert part.is_count[0]
    assert own.paths.shape == (1, 100, 4)


def test_fitted_demand_is_picklable_and_rejects_bad_requests(small_fit: FittedDemand) -> None:
    clone = pickle.loads(pickle.dumps(small_fit))
    a = clone.sample_block(small_fit.item_ids[:2], small_fit.location_ids[:2], n_scenarios=10, horizon=2, seed=1)
    b = small_fit.sample_block(small_fit.item_ids[:2], small_fit.location_ids[:2], n_scenarios=10, horizon=2, seed=1)
    np.testing.assert_array_equal(a.paths, b.paths)
    with pytest.raises(DemandDataError, match="no item-location 'nope@L'"):
        small_fit.sample_block(("nope",), ("L",), n_scenarios=10, horizon=2, seed=1)
    with pytest.raises(DemandDataError, match="horizon must be between 1 and the fitted 8"):
        small_fit.sample_block(small_fit.item_ids[:1], small_fit.location_ids[:1], n_scenarios=10, horizon=9, seed=1)


def test_blocks_come_in_chunks(small_fit: FittedDemand) -> None:
    blocks = list(small_fit.iter_blocks(chunk_size=10, n_scenarios=5, horizon=3, seed=1))
    assert [len(b.item_ids) for b in blocks] == [10, 10, 4]
