"""Shared fixtures of the demand tests: one small fitted engine (cheap families) per session."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hedgerow.demand.engine import EngineConfig, FittedDemand, fit_demand
from hedgerow.demand.models.base import FamilyName
from hedgerow.demand.series import SeriesPanel, build_panel
from hedgerow.demand.synthetic import SyntheticDemand, synthetic_demand

CHEAP = (FamilyName.SEASONAL_NAIVE, FamilyName.SES, FamilyName.CROSTON_SBA, FamilyName.TSB, FamilyName.IMAPA)


@pytest.fixture(scope="session")
def small_data() -> SyntheticDemand:
    return synthetic_demand(np.random.default_rng(42), n_series=24, n_periods=70, censor_rate=0.05)


@pytest.fixture(scope="session")
def small_panel(small_data: SyntheticDemand) -> SeriesPanel:
    return build_panel(small_data.demand, freq="W")


@pytest.fixture(scope="session")
def small_fit(small_panel: SeriesPanel) -> FittedDemand:
    return fit_demand(small_panel, EngineConfig(horizon=8, families=CHEAP))


def promoted_plan_panel(data: SyntheticDemand, weeks: int = 4) -> SeriesPanel:
    """The synthetic history without its last ``weeks`` weeks, with those weeks planned: promotions in the second
    and fourth (at the synthetic promotion's 20 % price cut), none in the others."""
    frame = data.demand
    last = frame["period_start"].max()
    cut = last - pd.Timedelta(weeks=weeks - 1)
    history = frame.loc[frame["period_start"] < cut]
    plan = frame.loc[frame["period_start"] >= cut, ["item_id", "location_id", "period_start", "promo", "price"]]
    plan = plan.assign(promo=np.tile([0.0, 1.0], len(plan) // 2))
    usual = history.groupby(["item_id", "location_id"])["price"].max()
    regular = plan.set_index(["item_id", "location_id"]).index.map(usual).to_numpy()
    plan["price"] = np.where(plan["promo"] == 1.0, 0.8, 1.0) * regular
    return build_panel(history, freq="W", drivers=plan)
