"""Demand history of the demo: weekly grid, censoring, promotions, seasonality, intermittency, drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.demo import DemoNetwork
from hedgerow.demo.demand import PROMO_LIFT_RANGE
from hedgerow.domain.enums import TableName

KEY = ["item_id", "location_id"]


@pytest.fixture(scope="module")
def history(standard: DemoNetwork) -> pd.DataFrame:
    """Demand joined with the uncensored demand, the designed parameters and the region."""
    demand = standard.tables[TableName.DEMAND]
    true = standard.true_demand
    assert list(true.columns) == ["item_id", "location_id", "period_start", "true_qty"]
    assert true[["item_id", "location_id", "period_start"]].equals(demand[["item_id", "location_id", "period_start"]])
    out = demand.assign(true_qty=true["true_qty"].to_numpy())
    out = out.merge(standard.series, on=KEY, how="left", validate="many_to_one")
    region = standard.tables[TableName.LOCATIONS].set_index("location_id")["region"]
    return out.assign(region=out["location_id"].map(region))


def test_weekly_grid_without_gaps(standard: DemoNetwork) -> None:
    demand = standard.tables[TableName.DEMAND]
    spec = standard.spec
    starts = demand["period_start"].drop_duplicates().sort_values()
    assert len(starts) == spec.weeks
    assert (starts.dt.weekday == 0).all()
    assert starts.iloc[-1] == pd.Timestamp(spec.as_of) - pd.Timedelta(weeks=1)
    per_series = demand.groupby(KEY).size()
    assert len(per_series) == len(standard.tables[TableName.ITEM_LOCATIONS])
    assert (per_series == spec.weeks).all()


def test_quantities_are_whole_and_non_negative(history: pd.DataFrame) -> None:
    for column in ("qty", "true_qty"):
        values = history[column].to_numpy()
        assert (values >= 0).all()
        assert (values == np.round(values)).all()
    assert history["stockout_fraction"].between(0.0, 1.0).all()


def test_sales_are_censored_only_in_stockout_weeks(history: pd.DataFrame) -> None:
    out = history["stockout_fraction"] > 0
    assert (history.loc[out, "qty"] <= history.loc[out, "true_qty"]).all()
    assert (history.loc[~out, "qty"] == history.loc[~out, "true_qty"]).all()
    assert 0.02 <= out.mean() <= 0.08
    assert (history["qty"] < history["true_qty"]).mean() > 0.01
    full = history["stockout_fraction"] == 1.0
    assert full.any()
    assert (history.loc[full, "qty"] == 0).all()


def test_promotion_lifts_demand_by_design(history: pd.DataFrame) -> None:
    promo = history["promo"] == 1
    assert 0.03 <= promo.mean() <= 0.15
    by_series = history.groupby([*KEY, "promo"])["true_qty"].mean().unstack("promo")
    weeks_on_promo = history[promo].groupby(KEY).size()
    params = history.groupby(KEY)[["promo_lift", "level"]].first()
    usable = (weeks_on_promo.reindex(by_series.index).fillna(0) >= 4) & (params["level"] >= 3)
    ratio = (by_series[1] / by_series[0])[usable]
    assert usable.sum() >= 200
    assert 0.85 <= (ratio / params.loc[usable, "promo_lift"]).median() <= 1.15
    assert PROMO_LIFT_RANGE[0] <= ratio.median() <= PROMO_LIFT_RANGE[1]
    pooled = history.loc[promo, "true_qty"].mean() / history.loc[~promo, "true_qty"].mean()
    assert 1.5 <= pooled <= 3.0


def test_promotion_prices_are_cut(history: pd.DataFrame) -> None:
    list_price = history[history["promo"] == 0].groupby(KEY)["price"].max()
    promo = history[history["promo"] == 1]
    assert (promo["price"].to_numpy() < promo.set_index(KEY).index.map(list_price).to_numpy()).all()
    assert (history["price"] > 0).all()


def _seasonal_ratio(history: pd.DataFrame, months: list[int], base_months: list[int]) -> pd.Series:
    """Mean demand in ``months`` over mean demand in ``base_months`` per region.

    Each series is scaled by its own mean (so that a few large series do not decide) and promotion weeks are
    left out (campaigns are location-wide and would blur the season of a one-warehouse region).
    """
    scaled = history["true_qty"] / history.groupby(KEY)["true_qty"].transform("mean")
    frame = pd.DataFrame({"scaled": scaled, "region": history["region"], "month": history["period_start"].dt.month})
    frame = frame[(history["promo"] == 0).to_numpy()].dropna()

    def mean(ms: list[int]) -> pd.Series:
        return frame[frame["month"].isin(ms)].groupby("region")["scaled"].mean()

    return mean(months) / mean(base_months)


def test_fourth_quarter_peak(history: pd.DataFrame) -> None:
    ratio = _seasonal_ratio(history, [11, 12], [2, 3, 4])
    assert set(ratio.index) == {"Americas", "Europe", "Asia-Pacific"}
    assert (ratio > 1.2).all(), ratio


def test_regional_seasonality_differs(history: pd.DataFrame) -> None:
    summer = _seasonal_ratio(history, [7, 8], [4, 5])
    assert summer["Europe"] < 0.97  # summer holidays
    assert summer["Asia-Pacific"] > 1.0  # summer bonus
    assert summer["Americas"] > 1.0  # mid-July sales event, back to school


def test_a_share_of_series_is_intermittent(history: pd.DataFrame) -> None:
    zero_share = (history["true_qty"] == 0).groupby([history["item_id"], history["location_id"]]).mean()
    assert 0.10 <= (zero_share >= 0.4).mean() <= 0.35
    levels = history.groupby(KEY)["level"].first()
    assert levels.max() / levels.median() > 20  # heterogeneous, log-normal levels


def test_drivers_plan_the_next_weeks(standard: DemoNetwork) -> None:
    drivers = standard.tables[TableName.DRIVERS]
    spec = standard.spec
    starts = drivers["period_start"].drop_duplicates().sort_values()
    assert len(starts) == spec.driver_weeks == 26
    assert starts.iloc[0] == pd.Timestamp(spec.as_of)
    assert (starts.dt.weekday == 0).all()
    series = drivers.groupby(KEY).size()
    assert len(series) == len(standard.tables[TableName.ITEM_LOCATIONS])
    assert (series == 26).all()
    assert set(drivers["promo"]) == {0, 1}
    assert 0.03 <= drivers["promo"].mean() <= 0.15
    now = standard.tables[TableName.ITEM_LOCATIONS].set_index(KEY)["unit_price"]
    regular = drivers[drivers["promo"] == 0]
    assert np.allclose(regular["price"].to_numpy(), regular.set_index(KEY).index.map(now).to_numpy())
