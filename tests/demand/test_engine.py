"""The whole engine: every family including statsforecast and the global model, awkward series, drivers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from hedgerow.demand.engine import EngineConfig, FittedDemand, fit_demand
from hedgerow.demand.models.base import FamilyName
from hedgerow.demand.models.global_gbm import GbmConfig
from hedgerow.demand.series import IssueKind, SeriesPanel, build_panel
from hedgerow.demand.synthetic import SyntheticDemand
from hedgerow.errors import DemandDataError
from tests.demand.conftest import promoted_plan_panel

FAST_GBM = GbmConfig(max_rows=20_000, n_estimators=60, num_leaves=15, n_threads=1)


def _awkward_panel(base: pd.DataFrame) -> SeriesPanel:
    weeks = pd.to_datetime(sorted(base["period_start"].unique()))
    loc = base["location_id"].iloc[0]

    def rows(item: str, dates: list[pd.Timestamp], qty: list[float]) -> pd.DataFrame:
        return pd.DataFrame(
            {"item_id": item, "location_id": loc, "period_start": dates, "qty": qty, "promo": 0.0, "price": 4.0}
        )

    ancient = [weeks[0] - pd.Timedelta(weeks=520 + k) for k in range(3)]
    extra = pd.concat(
        [
            rows("one-point", [weeks[-1]], [3.0]),
            rows("all-zero", list(weeks[-20:]), [0.0] * 20),
            rows("with-nan", list(weeks[-12:]), [2.0, np.nan, 3.0, np.nan, 1.0, 2.0, 4.0, 2.0, np.nan, 3.0, 2.0, 1.0]),
            rows("negative", list(weeks[-10:]), [5.0, -2.0, 4.0, 6.0, 5.0, -1.0, 5.0, 4.0, 6.0, 5.0]),
            rows("ten-year-gap", [*ancient, *weeks[-8:]], [9.0, 9.0, 9.0, 2.0, 3.0, 2.0, 4.0, 3.0, 2.0, 3.0, 2.0]),
        ]
    )
    return build_panel(pd.concat([base, extra], ignore_index=True), freq="W")


@pytest.fixture(scope="module")
def awkward_fit(small_data: SyntheticDemand) -> tuple[SeriesPanel, FittedDemand]:
    panel = _awkward_panel(small_data.demand)
    config = EngineConfig(horizon=6, gbm=FAST_GBM)
    return panel, fit_demand(panel, config)


def test_awkward_series_get_a_sensible_model_and_never_crash_the_run(
    awkward_fit: tuple[SeriesPanel, FittedDemand],
) -> None:
    panel, fit = awkward_fit
    assert fit.n_series == panel.n_series
    mean = fit.expected()
    q = fit.quantiles((0.5, 0.9, 0.99))
    assert np.isfinite(mean).all()
    assert np.all(mean >= 0)
    assert np.all(np.diff(q, axis=2) >= 0)
    assert np.all(q >= 0)

    def row(item: str) -> int:
        return panel.index_of(item, panel.location_ids[0])

    assert fit.family[row("all-zero")] == FamilyName.ZERO.value
    assert mean[row("all-zero")].max() == 0.0
    assert 1.0 <= mean[row("one-point"), 0] <= 5.0
    assert 1.0 <= mean[row("with-nan"), 0] <= 4.0
    assert mean[row("ten-year-gap"), 0] < 5.0  # the 9s from ten years ago are gone
    kinds = {(i.item_id, i.kind) for i in fit.issues}
    assert ("ten-year-gap", IssueKind.GAP_TRUNCATED) in kinds
    assert ("negative", IssueKind.NEGATIVE_SALES) in kinds
    paths = fit.sample_block(fit.item_ids, fit.location_ids, n_scenarios=30, horizon=6, seed=2).paths
    assert np.all(paths >= 0)
    assert np.all(paths == np.round(paths))


def test_every_family_is_scored_and_the_driver_aware_model_sees_promotions(
    awkward_fit: tuple[SeriesPanel, FittedDemand],
) -> None:
    _, fit = awkward_fit
    scores = fit.selection["family_spl"]
    assert isinstance(scores, dict)
    assert set(scores) == {f.value for f in EngineConfig().families}
    assert all(np.isfinite(v) for v in scores.values())


def test_global_model_lifts_promoted_weeks(small_data: SyntheticDemand) -> None:
    panel = promoted_plan_panel(small_data)
    fit = fit_demand(panel, EngineConfig(horizon=4, families=(FamilyName.GLOBAL_GBM,), gbm=FAST_GBM, shift=None))
    mean = fit.expected()
    lift = mean[:, [1, 3]].sum() / mean[:, [0, 2]].sum()
    assert lift > 1.3  # the synthetic promotions double demand


def test_config_errors_name_the_problem() -> None:
    with pytest.raises(DemandDataError, match="horizon must be at least one period"):
        EngineConfig(horizon=0)
    with pytest.raises(DemandDataError, match="families must name at least one"):
        replace(EngineConfig(), families=())


def test_sentiment_signal_raises_the_shift_probability_of_its_item_location(small_data: SyntheticDemand) -> None:
    frame = small_data.demand.copy()
    item, loc = small_data.item_ids[3], small_data.location_ids[3]
    mine = (frame["item_id"] == item) & (frame["location_id"] == loc)
    last_dates = sorted(frame.loc[mine, "period_start"])[-2:]
    frame.loc[mine, "promo"] = 0.0
    frame.loc[mine & frame["period_start"].isin(last_dates), "qty"] = frame.loc[mine, "qty"].mean() * 6 + 30
    panel = build_panel(frame, freq="W")
    signals = pd.DataFrame(
        {
            "signal_id": ["S1", "S2"],
            "kind": ["sentiment", "sentiment"],
            "scope_type": ["item_location", "item_location"],
            "scope_id": [f"{item}@{loc}", "other@LOC-0"],
            "value": [2.5, 3.0],
            "observed_at": [pd.Timestamp(last_dates[-1]) + pd.Timedelta(days=2)] * 2,
            "source": ["feed", "feed"],
        }
    )
    config = EngineConfig(horizon=4, families=(FamilyName.SES,))
    plain = fit_demand(panel, config)
    boosted = fit_demand(panel, config, signals=signals)
    row = plain.row(item, loc)
    assert 0.0 < plain.shift_probability[row] < boosted.shift_probability[row]
    others = np.arange(plain.n_series) != row
    np.testing.assert_array_equal(plain.shift_probability[others], boosted.shift_probability[others])
    # the forecast hedges: its upper quantiles reach towards the new level
    q = boosted.quantiles((0.5, 0.99))[row, 0]
    assert q[1] > 2 * q[0]


def test_global_model_hurdle_keeps_the_mean_and_puts_zero_mass_on_intermittent_series(
    small_panel: SeriesPanel,
) -> None:
    from hedgerow.demand.distributions import Predictive
    from hedgerow.demand.models.base import ModelInput
    from hedgerow.demand.models.global_gbm import global_gbm_family

    rng = np.random.default_rng(5)
    n, t_len, h = small_panel.n_series, small_panel.n_periods, 4
    y = small_panel.y.copy()
    sparse = np.arange(n) % 2 == 0  # every other series made intermittent: most periods zeroed
    y[sparse] = np.where(rng.random((int(sparse.sum()), t_len)) < 0.75, 0.0, y[sparse])
    inp = ModelInput(
        y=y,
        season_length=small_panel.season_length,
        drivers=small_panel.drivers[:, :t_len],
        future_drivers=small_panel.future_drivers(t_len, h),
        driver_names=small_panel.driver_names,
        is_count=small_panel.is_count,
    )
    plain = global_gbm_family(inp, replace(FAST_GBM, hurdle=False))
    hurdle = global_gbm_family(inp, replace(FAST_GBM, hurdle=True))
    # Same mean model: the hurdle only reshapes the distribution around the mean.
    np.testing.assert_allclose(hurdle.marginals.expected(), plain.marginals.expected(), rtol=1e-9, atol=1e-12)
    intermittent = (np.nansum(y > 0, axis=1) < (~np.isnan(y)).sum(axis=1) / 1.32) & small_panel.is_count
    assert intermittent[sparse].all()
    assert np.all(hurdle.marginals.size_offset[intermittent] == 1.0)
    assert np.all(hurdle.marginals.size_offset[~intermittent] == 0.0)
    assert np.all(hurdle.marginals.occur[~intermittent] == 1.0)
    assert np.all(hurdle.marginals.occur[intermittent] < 1.0)
    zero_mass = Predictive.single(hurdle.marginals).cdf_table(small_panel.is_count).quantiles(np.array([0.3]))
    assert np.all(zero_mass[intermittent] == 0.0)  # a sparse series' 30 % quantile is no demand


@pytest.mark.parametrize("weeks_after", [3, 5, 7, 8, 10])
def test_a_real_step_is_not_counted_twice(weeks_after: int) -> None:
    """Demand steps from 10 to 30 a week. Whatever the sensor's reading, the forecast stays between the old and the
    new level (with noise): once shifted weeks age out of the sensor's window into the model's history, the
    shifted future is the sensor's absolute level, not the model's adapted level scaled up again (that gave 70)."""
    rng = np.random.default_rng(0)
    y = np.r_[rng.poisson(10, 60), rng.poisson(30, 20)[:weeks_after]].astype(float)
    dates = pd.date_range("2024-01-01", periods=len(y), freq="W-MON")
    frame = pd.DataFrame({"item_id": "A", "location_id": "L", "period_start": dates, "qty": y})
    fit = fit_demand(build_panel(frame, freq="W"), EngineConfig(horizon=2, families=(FamilyName.SES, FamilyName.TSB)))
    expected = fit.expected()[0]
    assert np.all(expected > 10.0)
    assert np.all(expected < 30.0 * 1.25)
