"""Family choice: per-series scores shrunk towards the class, with the strength chosen across windows."""

from __future__ import annotations

import numpy as np

from hedgerow.demand.selection import choose_shrinkage, demand_classes, shrunk_scores


def test_demand_classes_follow_syntetos_boylan() -> None:
    y = np.array(
        [
            [5, 6, 5, 6, 5, 6, 5, 6],  # smooth
            [1, 20, 2, 30, 1, 25, 3, 18],  # erratic
            [0, 0, 5, 0, 0, 6, 0, 5],  # intermittent
            [0, 0, 1, 0, 0, 30, 0, 2],  # lumpy
            [0, 0, 0, 0, 0, 0, 0, 0],  # no demand
        ],
        dtype=float,
    )
    np.testing.assert_array_equal(demand_classes(y), [0, 1, 2, 3, 4])


def test_noise_alone_leads_to_one_family_per_class() -> None:
    rng = np.random.default_rng(0)
    n = 400
    truth = np.array([0.30, 0.32, 0.33])  # family 0 is best for everyone
    scores = truth[None, None, :] + rng.normal(0, 0.08, (2, n, 3))
    classes = np.zeros(n, dtype=np.int64)
    strength = choose_shrinkage(scores, classes)
    assert strength >= 8
    pick = np.argmin(shrunk_scores(scores, classes, strength), axis=1)
    assert (pick == 0).mean() > 0.95


def test_consistent_per_series_differences_are_kept() -> None:
    rng = np.random.default_rng(1)
    n = 400
    prefers_b = rng.random(n) < 0.5
    base = np.where(prefers_b[:, None], [0.40, 0.20], [0.20, 0.40])  # each series has a clear favourite
    scores = base[None, :, :] + rng.normal(0, 0.03, (2, n, 2))
    classes = np.zeros(n, dtype=np.int64)
    strength = choose_shrinkage(scores, classes)
    assert strength <= 1
    pick = np.argmin(shrunk_scores(scores, classes, strength), axis=1)
    assert np.mean(pick == prefers_b.astype(int)) > 0.95
