"""statsforecast families: AutoETS and Theta, turned into negative-binomial predictive distributions.

statsforecast (Nixtla) fits each series separately; its models give a mean path and Gaussian prediction
intervals. We keep the mean, read the standard deviation of each horizon off the 80 % interval
(``sd = (hi80 - mean) / z_0.9``) and moment-match an NB2 (variance = mean + c mean^2; a Poisson when the
Gaussian variance is below the mean). Unknown periods inside a history are filled with the SES one-step value
(statsforecast needs complete series) and leading unknown periods are dropped.

* AutoETS (Hyndman et al. 2008; statsforecast ``AutoETS``, model ``"ZZZ"`` chosen by AICc);
* Theta (Assimakopoulos & Nikolopoulos 2000; statsforecast ``Theta``, multiplicative seasonal decomposition
  when a seasonality test passes).

A seasonal variant is used only for series with at least two full seasons; otherwise season length 1.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.demand.distributions import Marginals
from hedgerow.demand.models.base import MAX_DISPERSION, FamilyForecast, FamilyName, ModelInput
from hedgerow.demand.models.smoothing import choose_ses

#: Standard-normal 0.9 quantile: the 80 % interval's half-width in standard deviations.
_Z90 = 1.2815515655446004


def _filled_history(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """History with inner NaN filled by SES one-step values; also the SES constants and start index."""
    alpha, _, fitted = choose_ses(y)
    filled = np.where(np.isnan(y), fitted, y)
    known = ~np.isnan(y)
    start = np.where(known.any(axis=1), known.argmax(axis=1), y.shape[1])
    return filled, alpha, start


def _run(models: list[Any], frame: pd.DataFrame, horizon: int, n_jobs: int) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    sf = StatsForecast(models=models, freq=1, n_jobs=n_jobs, fallback_model=Naive())
    with warnings.catch_warnings():
        # statsforecast warns for short series and divides by zero inside ETS on constant series; the
        # fallback model and the checks below handle those series.
        warnings.simplefilter("ignore")
        result = sf.forecast(h=horizon, df=frame, level=[80])
    return pd.DataFrame(result)


def statsforecast_family(
    inp: ModelInput, family: FamilyName, *, min_periods: int = 8, n_jobs: int = 1, seasonal: bool = True
) -> FamilyForecast:
    """Fit ``family`` (AUTO_ETS or THETA) with statsforecast on every series with enough history.

    Parameters
    ----------
    inp:
        The history and horizon.
    family:
        ``FamilyName.AUTO_ETS`` or ``FamilyName.THETA``.
    min_periods:
        Series with fewer known periods are not fitted (``ok`` False).
    n_jobs:
        Processes statsforecast may use.
    seasonal:
        Use the season length for series with two full seasons of history.
    """
    from statsforecast.models import AutoETS, Theta

    n, horizon = inp.n_series, inp.horizon
    filled, alpha, start = _filled_history(inp.y)
    length = inp.n_periods - start
    ok = length >= min_periods
    m = max(1, inp.season_length)
    seasonal_rows = ok & (length >= 2 * m) & (m > 1) if seasonal else np.zeros(n, dtype=bool)
    mean = np.zeros((n, horizon))
    sd = np.zeros((n, horizon))
    for rows, season in ((np.flatnonzero(seasonal_rows), m), (np.flatnonzero(ok & ~seasonal_rows), 1)):
        if rows.size == 0:
            continue
        model: Any = AutoETS(season_length=season) if family is FamilyName.AUTO_ETS else Theta(season_length=season)
        alias = type(model).__name__ if family is FamilyName.THETA else "AutoETS"
        ids = np.concatenate([np.full(length[r], r) for r in rows])
        ds = np.concatenate([np.arange(start[r], inp.n_periods) for r in rows])
        values = np.concatenate([filled[r, start[r] :] for r in rows])
        frame = pd.DataFrame({"unique_id": ids, "ds": ds, "y": values})
        out = _run([model], frame, horizon, n_jobs).sort_values(["unique_id", "ds"])
        uid = out["unique_id"].to_numpy(np.int64).reshape(-1, horizon)[:, 0]
        point = out[alias].to_numpy(np.float64).reshape(-1, horizon)
        hi = out[f"{alias}-hi-80"].to_numpy(np.float64).reshape(-1, horizon)
        mean[uid] = point
        sd[uid] = np.maximum(hi - point, 0.0) / _Z90
    finite = np.isfinite(mean).all(axis=1) & np.isfinite(sd).all(axis=1)
    ok &= finite
    mean = np.maximum(np.nan_to_num(mean, nan=0.0), 0.0)
    var = np.nan_to_num(sd, nan=0.0) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        disp = np.where(mean > 1e-9, (var - mean) / np.maximum(mean, 1e-9) ** 2, 0.0)
    disp = np.clip(disp, 0.0, MAX_DISPERSION)
    return FamilyForecast(family, Marginals.negative_binomial(mean, disp), alpha, ok)


def auto_ets_family(inp: ModelInput) -> FamilyForecast:
    """AutoETS (statsforecast) with NB marginals."""
    return statsforecast_family(inp, FamilyName.AUTO_ETS)


def theta_family(inp: ModelInput) -> FamilyForecast:
    """Theta (statsforecast) with NB marginals."""
    return statsforecast_family(inp, FamilyName.THETA)
