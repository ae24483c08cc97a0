"""The calibrated constants of disruptions.py are reproduced from the public series in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hedgerow.supply import disruptions as d
from hedgerow.supply.calibration import calibrate_gscpi, calibrate_port_congestion, regime_from_flags

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
if not DATA.is_dir():
    DATA = Path("/work/shared/data")


def test_regime_from_flags_known_answer() -> None:
    r = regime_from_flags(pd.Series([0, 1, 1, 1, 0, 0, 1, 1, 0, 0], dtype=bool).to_numpy())
    assert r.base_rate == pytest.approx(0.5)
    assert r.stay_per_step == pytest.approx(3 / 5)  # 5 disrupted steps with a successor, 3 stayed
    assert r.mean_duration_steps == pytest.approx(2.5)


@pytest.mark.realdata
def test_gscpi_constants() -> None:
    g = pd.read_csv(DATA / "gscpi" / "gscpi_monthly.csv", parse_dates=["date"])
    cal = calibrate_gscpi(g)
    assert cal.base_rate == pytest.approx(d.GSCPI_BASE_RATE, abs=0.001)
    assert cal.mean_duration_steps * 30.4 == pytest.approx(d.GSCPI_MEAN_DURATION_DAYS, rel=0.01)


@pytest.mark.realdata
def test_port_congestion_constants() -> None:
    b = pd.read_csv(DATA / "port_congestion_bts" / "us_port_congestion_weekly.csv", parse_dates=["date"])
    cal = calibrate_port_congestion(b)
    assert cal.logistic.intercept == pytest.approx(d.PORT_LOGIT_INTERCEPT, abs=0.01)
    assert cal.logistic.slope == pytest.approx(d.PORT_LOGIT_SLOPE, abs=0.01)
    assert cal.regime.mean_duration_steps * 7 == pytest.approx(d.PORT_MEAN_DURATION_DAYS, rel=0.01)
    assert cal.median_baseline_vessels == d.PORT_DEFAULT_BASELINE_VESSELS
