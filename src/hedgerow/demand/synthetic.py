"""Synthetic demand with known truth, for tests, calibration studies and throughput benchmarks.

Each series has a base level (log-normal across series), a mild yearly season, promotions that multiply demand
(with a lower price), negative-binomial noise, and for a share of the series intermittent occurrence. Optional
stockouts censor sales: the stock of a period is a random fraction of its expected demand, customers arrive
as a Poisson process through the period, and when the ``stock``-th customer of ``D > stock`` arrives the shelf
is empty for the rest of the period: ``stockout_fraction = 1 - tau`` with ``tau ~ Beta(stock, D - stock + 1)``
(the arrival time of that customer), and sales stop at the stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SyntheticDemand:
    """A generated demand table and the truth behind it.

    Attributes
    ----------
    demand:
        Contract-layout demand table: item_id, location_id, period_start, qty, stockout_fraction, promo, price.
    true_demand:
        [series, period] demand before censoring, in units.
    true_mean:
        [series, period] expected demand, in units.
    item_ids, location_ids:
        Series identifiers (axis 0 of the arrays).
    dates:
        Period start dates (axis 1).
    """

    demand: pd.DataFrame
    true_demand: np.ndarray
    true_mean: np.ndarray
    item_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    dates: tuple[date, ...]


def synthetic_demand(
    rng: np.random.Generator,
    *,
    n_series: int,
    n_periods: int,
    start: date = date(2023, 1, 2),
    period_days: int = 7,
    season_length: int = 52,
    intermittent_share: float = 0.3,
    promo_rate: float = 0.08,
    promo_lift: float = 2.0,
    censor_rate: float = 0.0,
    dispersion: float = 0.1,
    locations: int = 3,
) -> SyntheticDemand:
    """Generate demand for ``n_series`` item-locations over ``n_periods`` periods (see module doc).

    Parameters
    ----------
    rng:
        Source of randomness.
    n_series, n_periods:
        Size of the panel.
    start, period_days:
        First period start and period length in days.
    season_length:
        Periods per yearly cycle (amplitude 15 %).
    intermittent_share:
        Share of series whose demand occurs only in 10–60 % of periods.
    promo_rate, promo_lift:
        Chance a period is promoted and the demand multiplier of a promotion (price 20 % lower).
    censor_rate:
        Chance a period's stock is short (a random 30–100 % of the expected demand).
    dispersion:
        NB2 dispersion of the demand noise.
    locations:
        Number of locations the series are spread over.
    """
    n, t_len = n_series, n_periods
    level = np.exp(rng.normal(np.log(8.0), 1.0, n))
    phase = rng.uniform(0, 2 * np.pi, n)
    season = 1.0 + 0.15 * np.sin(2 * np.pi * np.arange(t_len)[None, :] / max(season_length, 1) + phase[:, None])
    promo = rng.random((n, t_len)) < promo_rate
    occur_p = np.where(rng.random(n) < intermittent_share, rng.uniform(0.1, 0.6, n), 1.0)
    mean_when = level[:, None] * season * np.where(promo, promo_lift, 1.0)
    occurs = rng.random((n, t_len)) < occur_p[:, None]
    r = 1.0 / dispersion
    lam = rng.gamma(r, mean_when / r)
    size = rng.poisson(lam)
    intermittent = occur_p < 1.0
    size = np.where(intermittent[:, None], np.maximum(size, 1), size)
    true = np.where(occurs, size, 0).astype(np.float64)
    true_mean = occur_p[:, None] * np.where(intermittent[:, None], np.maximum(mean_when, 1.0), mean_when)
    short = rng.random((n, t_len)) < censor_rate
    stock = np.floor(true_mean * rng.uniform(0.3, 1.0, (n, t_len)))
    sales = np.where(short, np.minimum(true, stock), true)
    out = short & (true > stock)
    empty_at = np.zeros((n, t_len))
    a, b = stock[out], true[out] - stock[out] + 1.0
    empty_at[out] = np.where(a > 0, rng.beta(np.maximum(a, 1.0), b), 0.0)
    frac = np.where(out, 1.0 - empty_at, 0.0)
    price = np.round(np.where(promo, 0.8, 1.0) * np.exp(rng.normal(np.log(4.0), 0.4, n))[:, None], 2)
    items = tuple(f"SKU-{i:05d}" for i in range(n))
    locs = tuple(f"LOC-{i % max(locations, 1)}" for i in range(n))
    dates = tuple((pd.Timestamp(start) + pd.Timedelta(days=period_days * t)).date() for t in range(t_len))
    frame = pd.DataFrame(
        {
            "item_id": np.repeat(items, t_len),
            "location_id": np.repeat(locs, t_len),
            "period_start": np.tile(pd.to_datetime(list(dates)).to_numpy(), n),
            "qty": sales.ravel(),
            "stockout_fraction": np.round(frac.ravel(), 4),
            "promo": promo.ravel().astype(np.float64),
            "price": price.ravel(),
        }
    )
    return SyntheticDemand(frame, true, true_mean, items, locs, dates)
