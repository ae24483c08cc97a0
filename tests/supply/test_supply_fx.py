"""FX scenarios: bootstrap mechanics, base currency, and statistics against history (volatility, fat tails)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hedgerow.errors import SupplyInputError
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.supply.fx import FxHistory, FxSettings, sample_fx_paths, stationary_bootstrap_indices

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data beside the repository
if not DATA.is_dir():
    DATA = Path("/work/shared/data")


def _synthetic_history(n: int = 3000) -> pd.DataFrame:
    """Business-daily JPY and EUR rates with Student-t(3) returns (fat tails), correlated 0.6."""
    rng = stream_rng(123, Stream.SIMULATION, "fx-test")
    z = rng.standard_t(3, size=(n, 2)) * 0.004
    z[:, 1] = 0.6 * z[:, 0] + 0.8 * z[:, 1]
    dates = pd.bdate_range("2014-01-01", periods=n + 1)
    jpy = 110 * np.exp(np.concatenate([[0], np.cumsum(z[:, 0])]))
    eur = 0.9 * np.exp(np.concatenate([[0], np.cumsum(z[:, 1])]))
    rows = pd.concat(
        [
            pd.DataFrame({"date": dates, "currency": "JPY", "units_per_base": jpy}),
            pd.DataFrame({"date": dates, "currency": "EUR", "units_per_base": eur}),
        ]
    )
    rows["currency"] = rows["currency"].astype("string")
    return rows


def test_bootstrap_indices_continue_blocks_and_wrap() -> None:
    rng = np.random.default_rng(0)
    idx = stationary_bootstrap_indices(rng, 50, 200, 400, mean_block=10.0)
    assert idx.min() >= 0
    assert idx.max() < 50
    step = (idx[:, 1:] - idx[:, :-1]) % 50
    continued = (step == 1).mean()
    assert continued == pytest.approx(0.9, abs=0.02)  # blocks continue with prob 1 - 1/10


def test_base_currency_is_one_and_spot_starts_paths() -> None:
    hist = FxHistory.from_frame(_synthetic_history())
    paths = sample_fx_paths(hist, ("EUR", "JPY", "USD"), "USD", seed=1, n_scenarios=400, horizon=4, period_days=7)
    assert paths.shape == (3, 400, 4)
    assert (paths[2] == 1.0).all()
    # one week ahead the median rate stays near the spot (returns are de-meaned)
    assert np.median(paths[1, :, 0]) == pytest.approx(hist.spot("JPY"), rel=0.01)
    assert hist.steps_per_period(7) == 5


def test_missing_currency_is_a_clear_error() -> None:
    hist = FxHistory.from_frame(_synthetic_history())
    with pytest.raises(SupplyInputError, match="no history for currency GBP"):
        sample_fx_paths(hist, ("GBP",), "USD", seed=1, n_scenarios=10, horizon=2, period_days=7)
    with pytest.raises(SupplyInputError, match="no fx_rates imported"):
        sample_fx_paths(None, ("GBP",), "USD", seed=1, n_scenarios=10, horizon=2, period_days=7)


def _weekly_stats(paths: np.ndarray, spot: float) -> tuple[float, float]:
    r = np.diff(np.log(np.concatenate([np.full((paths.shape[0], 1), spot), paths], axis=1)), axis=1).ravel()
    return float(r.std()), float(stats.kurtosis(r))


def test_bootstrap_keeps_volatility_fat_tails_and_correlation_synthetic() -> None:
    raw = _synthetic_history()
    hist = FxHistory.from_frame(raw)
    paths = sample_fx_paths(hist, ("EUR", "JPY"), "USD", seed=5, n_scenarios=4000, horizon=8, period_days=1)
    daily = hist.log_returns(("EUR", "JPY"), 2520)
    sim_sd, sim_kurt = _weekly_stats(paths[1], hist.spot("JPY"))
    assert sim_sd == pytest.approx(daily[:, 1].std(), rel=0.05)
    assert sim_kurt > 2.0  # Student-t(3) history: heavy tails survive the bootstrap
    r_eur = np.diff(np.log(paths[0]), axis=1).ravel()
    r_jpy = np.diff(np.log(paths[1]), axis=1).ravel()
    assert np.corrcoef(r_eur, r_jpy)[0, 1] == pytest.approx(np.corrcoef(daily.T)[0, 1], abs=0.05)


@pytest.mark.realdata
def test_weekly_statistics_match_ecb_history() -> None:
    ecb = pd.read_csv(DATA / "ecb_fx_rates" / "eurofxref-hist.csv.gz", na_values="N/A")
    ecb = ecb.loc[:, ~ecb.columns.str.startswith("Unnamed")].rename(columns={"Date": "date"})
    ecb["date"] = pd.to_datetime(ecb["date"])
    ecb["EUR"] = 1.0
    # USD base: units of c per USD = (c per EUR) / (USD per EUR)
    per_usd = ecb[["EUR", "JPY", "GBP", "CNY"]].div(ecb["USD"], axis=0)
    per_usd["date"] = ecb["date"]
    long = per_usd.melt(id_vars="date", var_name="currency", value_name="units_per_base").dropna()
    hist = FxHistory.from_frame(long)
    settings = FxSettings()
    ccys = ("EUR", "JPY", "GBP", "CNY")
    paths = sample_fx_paths(hist, ccys, "USD", seed=11, n_scenarios=3000, horizon=26, period_days=7, settings=settings)
    daily = hist.log_returns(ccys, settings.lookback_observations)
    n_weeks = daily.shape[0] // 5
    weekly_hist = daily[: n_weeks * 5].reshape(n_weeks, 5, len(ccys)).sum(axis=1)
    for j, c in enumerate(ccys):
        sim_sd, sim_kurt = _weekly_stats(paths[j], hist.spot(c))
        hist_sd = float(weekly_hist[:, j].std())
        hist_kurt = float(stats.kurtosis(weekly_hist[:, j]))
        assert sim_sd == pytest.approx(hist_sd, rel=0.12), c
        assert hist_kurt > 0.5, c  # the history itself is fat-tailed ...
        assert sim_kurt > 0.5 * hist_kurt, c  # ... and so are the scenarios
    # 26-week spread: roughly sqrt(26) weekly vols (a bootstrap with volatility clusters keeps it near)
    jpy_26 = np.log(paths[1, :, -1] / hist.spot("JPY"))
    assert jpy_26.std() == pytest.approx(float(weekly_hist[:, 1].std()) * np.sqrt(26), rel=0.25)
