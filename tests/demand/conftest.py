"""Shared fixtures of the demand tests: one small fitted engine (cheap families) per session."""

from __future__ import annotations

import numpy as np
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
