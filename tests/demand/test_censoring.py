"""Censored demand: the conditional-mean identity, and the bias test on data whose true demand is known."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from hedgerow.demand.censoring import expected_demand, unconstrain
from hedgerow.demand.engine import EngineConfig, fit_demand
from hedgerow.demand.models.base import FamilyName
from hedgerow.demand.models.global_gbm import GbmConfig
from hedgerow.demand.series import SeriesPanel, build_panel
from hedgerow.demand.synthetic import synthetic_demand
from hedgerow.demo import DemoSpec, build_demo_network
from hedgerow.domain.enums import TableName

FAST_GBM = GbmConfig(max_rows=40_000, n_estimators=80, num_leaves=15, n_threads=1)


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


def test_demo_network_censoring_bias_is_removed() -> None:
    """On the demo network (true demand known): history and forecasts of the censored-aware fit are unbiased."""
    network = build_demo_network(DemoSpec(as_of=date(2026, 11, 23), n_items=120, weeks=120), np.random.default_rng(1))
    demand = network.tables[TableName.DEMAND]
    truth = demand.drop(columns=["qty", "stockout_fraction"]).merge(
        network.true_demand, on=["item_id", "location_id", "period_start"]
    )
    panel = build_panel(demand, freq="W")
    oracle_panel = build_panel(truth.rename(columns={"true_qty": "qty"}), freq="W")
    true_y = oracle_panel.y
    unc = unconstrain(panel.y, panel.stockout)
    cells = unc.censored
    assert cells.sum() > 500
    sales_error = float(np.mean(panel.y[cells] - true_y[cells]))
    imputed_error = float(np.mean(unc.demand[cells] - true_y[cells]))
    assert sales_error < -10  # censored weeks sold far less than was demanded
    assert abs(imputed_error) < 0.15 * abs(sales_error)

    horizon = 13
    origin = panel.n_periods - horizon
    config = EngineConfig(horizon=horizon, families=(FamilyName.SES,), shift=None)
    actual = true_y[:, origin:]

    def relative_error(fit_panel: SeriesPanel, censoring: bool) -> float:
        fit = fit_demand(fit_panel.truncate(origin), replace(config, censoring=censoring))
        return float(np.nansum(fit.expected() - actual) / np.nansum(actual))

    naive = relative_error(panel, censoring=False)
    aware = relative_error(panel, censoring=True)
    oracle = relative_error(oracle_panel, censoring=False)  # the same model fitted on the true demand
    assert naive - oracle < -0.015
    assert abs(aware - oracle) < 0.25 * abs(naive - oracle)
