"""Censored demand: the conditional-mean identity, and the bias test on data whose true demand is known."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.demand.censoring import expected_demand, unconstrain
from hedgerow.demand.engine import EngineConfig, fit_demand
from hedgerow.demand.models.base import FamilyName
from hedgerow.demand.series import SeriesPanel, build_panel
from hedgerow.demand.synthetic import synthetic_demand


@pytest.mark.parametrize(
    ("mean", "disp", "share", "sold"), [(8.0, 0.0, 0.3, 5), (8.0, 0.5, 0.3, 5), (20.0, 0.2, 0.6, 6), (5.0, 1.0, 1.0, 0)]
)
def test_expected_demand_matches_simulation_of_the_arrival_model(
    mean: float, disp: float, share: float, sold: int
) -> None:
    rng = np.random.default_rng(5)
    draws = 2_000_000
    rate = np.full(draws, mean) if disp == 0 else rng.gamma(1 / disp, mean * disp, draws)
    in_stock = rng.poisson(rate * (1 - share))
    lost = rng.poisson(rate * share)
    keep = in_stock == sold
    simulated = float(np.mean(in_stock[keep] + lost[keep]))
    got = expected_demand(np.array([sold]), np.array([share]), np.array([mean]), np.array([disp]))[0]
    assert got == pytest.approx(simulated, rel=0.01)


def test_unconstrain_only_touches_censored_periods_and_never_lowers_them() -> None:
    y = np.array([[10.0, 9.0, 11.0, 2.0, 10.0, 0.0, 12.0]])
    stockout = np.array([[0, 0, 0, 0.8, 0, 1.0, 0]])
    out = unconstrain(y, stockout)
    uncensored = stockout == 0
    np.testing.assert_array_equal(out.demand[uncensored], y[uncensored])
    assert out.demand[0, 3] > 5.0  # 2 units sold while empty 80 % of the week: demand was about the level
    assert out.demand[0, 5] > 5.0
    assert np.all(out.demand >= y)


def test_censoring_aware_fit_removes_the_bias_of_a_naive_fit() -> None:
    data = synthetic_demand(
        np.random.default_rng(11), n_series=300, n_periods=79, intermittent_share=0.0, promo_rate=0.0, censor_rate=0.45
    )
    history = data.demand.loc[data.demand["period_start"] < data.demand["period_start"].max()]
    panel = build_panel(history, freq="W")
    oracle_frame = history.assign(qty=data.true_demand[:, :-1].ravel(), stockout_fraction=0.0)
    oracle_panel = build_panel(oracle_frame, freq="W")
    assert (panel.stockout > 0).mean() > 0.2  # a heavily censored history
    truth = data.true_mean[:, -1]

    def mean_error(fitted_panel: SeriesPanel, censoring: bool) -> float:
        config = EngineConfig(horizon=1, families=(FamilyName.SES,), shift=None, censoring=censoring)
        fit = fit_demand(fitted_panel, config)
        return float(np.mean(fit.expected()[:, 0] - truth) / np.mean(truth))

    naive = mean_error(panel, censoring=False)
    aware = mean_error(panel, censoring=True)
    oracle = mean_error(oracle_panel, censoring=False)  # the same model fitted on the true demand
    assert naive - oracle < -0.10  # sales understate demand by more than 10 %
    assert abs(aware - oracle) < 0.15 * abs(naive - oracle)
    assert abs(aware - oracle) < 0.02
