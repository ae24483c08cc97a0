"""Weekly demand of every item-location: what customers wanted, what was sold, and the planned drivers.

The model, per item-location ``s`` and week ``t`` (all arrays are [series, week], no loop over either)::

    mean[s, t]  = level[s] · season[region(s), t]^(amplitude) · exp(trend[s] · years[t])
                  · (list_price[s, t] / price_now[s])^(−elasticity) · (lift[s] if promo[s, t] else 1)
    true[s, t]  ~ NegativeBinomial(mean[s, t], shape[s])          (a gamma–Poisson mixture)
    sales[s, t] = min(true[s, t], floor(mean[s, t] · (1 − stockout_fraction[s, t])))

* ``level`` is log-normal (item popularity × market size × local affinity); slow movers have levels below
  one unit a week and a small negative-binomial shape, so their series are intermittent and lumpy.
* Seasonality is regional: Black Friday and the holidays in the Americas, Christmas in Europe, year-end and
  summer bonuses, 11.11 and the Lunar New Year in Asia-Pacific.
* Promotions come from location-wide campaigns (one to two weeks, about nine a year) that each item joins with
  its own probability; a promotion cuts the price by 5–35 % and lifts demand 1.5–3× (deeper cuts lift more).
  List prices are revised now and then; demand answers with a price elasticity.
* Stock-outs arrive as episodes of one to a few weeks, more often when demand runs above its usual level.
  Sales in a stock-out week are censored: a lower bound of demand (:data:`stockout_fraction` > 0).

References: Syntetos & Boylan (2005) for the intermittent / lumpy classes, Hilbe (2011) *Negative Binomial
Regression* for the gamma–Poisson mixture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from hedgerow.demo.catalog import Catalog, nice_price
from hedgerow.demo.network import Region, Warehouse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

WEEKS_PER_YEAR = 365.25 / 7
#: Range of the demand multiplier of a promotion week.
PROMO_LIFT_RANGE = (1.5, 3.0)
#: Location-wide promotion campaigns per year, and the chance one lasts two weeks.
CAMPAIGNS_PER_YEAR, TWO_WEEK_CAMPAIGN_SHARE = 9.0, 0.4
#: Range of the probability that an item joins a campaign.
CAMPAIGN_PARTICIPATION = (0.25, 0.60)
#: Price elasticity of demand to list-price revisions.
PRICE_ELASTICITY = 1.2
#: Weekly probability of a list-price revision, and mean and spread of its log change.
PRICE_REVISION_RATE, PRICE_REVISION_MEAN, PRICE_REVISION_SD = 1 / 60, 0.015, 0.035
#: Weekly probability that a stock-out starts when demand is at its usual level, and of an episode ending.
STOCKOUT_HAZARD_PER_WEEK, STOCKOUT_END_PROBABILITY = 0.022, 0.55
#: Series whose level is below this (units per week) are slow movers with lumpy noise.
SLOW_LEVEL = 1.5


@dataclass(frozen=True)
class SeasonalPeak:
    """One bump of a regional seasonal profile: centre (day of year), width (days, one s.d.) and height."""

    day_of_year: float
    width_days: float
    height: float


SEASONAL_PEAKS: dict[Region, tuple[SeasonalPeak, ...]] = {
    Region.AMERICAS: (
        SeasonalPeak(330, 5, 0.55),  # Black Friday, Cyber Monday
        SeasonalPeak(352, 9, 0.45),  # holidays
        SeasonalPeak(320, 30, 0.20),  # fourth quarter
        SeasonalPeak(228, 14, 0.15),  # back to school
        SeasonalPeak(193, 4, 0.15),  # mid-July sales event
        SeasonalPeak(20, 14, -0.15),  # January lull
    ),
    Region.EUROPE: (
        SeasonalPeak(331, 5, 0.35),
        SeasonalPeak(352, 10, 0.50),
        SeasonalPeak(320, 30, 0.20),
        SeasonalPeak(215, 20, -0.18),  # summer holidays
    ),
    Region.ASIA_PACIFIC: (
        SeasonalPeak(352, 12, 0.40),  # year-end bonus and holidays
        SeasonalPeak(190, 12, 0.20),  # summer bonus
        SeasonalPeak(315, 4, 0.35),  # 11.11
        SeasonalPeak(346, 4, 0.20),  # 12.12
        SeasonalPeak(35, 10, 0.18),  # Lunar New Year
        SeasonalPeak(320, 30, 0.12),
    ),
}


def season_index(region: Region, day_of_year: npt.ArrayLike) -> FloatArray:
    """Seasonal demand multiplier of a region on the given days of year, averaging 1 over a year."""

    def raw(doy: FloatArray) -> FloatArray:
        out = np.ones_like(doy, dtype=np.float64)
        for p in SEASONAL_PEAKS[region]:
            d = (doy - p.day_of_year + 182.625) % 365.25 - 182.625
            out += p.height * np.exp(-0.5 * (d / p.width_days) ** 2)
        return out

    norm = raw(np.arange(1.0, 366.0)).mean()
    return np.asarray(raw(np.asarray(day_of_year, dtype=np.float64)) / norm, dtype=np.float64)


@dataclass(frozen=True)
class Assortment:
    """The item-locations (series) of the network, ordered by item then location."""

    item: IntArray
    location: IntArray

    def __len__(self) -> int:
        return len(self.item)


def choose_assortment(catalog: Catalog, sites: tuple[Warehouse, ...], rng: np.random.Generator) -> Assortment:
    """Which items each warehouse sells.

    Each warehouse sells each item with its ``assortment_share``; bundles are sold in the Americas and, half
    of them, in Europe; a warehouse selling a bundle stocks its components; every item is sold somewhere.
    """
    n_items, n_sites = len(catalog.item_id), len(sites)
    share = np.array([s.assortment_share for s in sites])
    sold = rng.random((n_items, n_sites)) < share
    region = np.array([s.region.value for s in sites])
    in_europe = rng.random(n_items) < 0.5
    bundle_sites = (region == Region.AMERICAS.value) | ((region == Region.EUROPE.value) & in_europe[:, None])
    sold = np.where(catalog.is_bundle[:, None], bundle_sites, sold)
    sold[~sold.any(axis=1), 0] = True
    sold[catalog.bundle_component] |= sold[catalog.bundle_parent]
    item, location = np.nonzero(sold)
    return Assortment(item=item.astype(np.int64), location=location.astype(np.int64))


@dataclass(frozen=True)
class SeriesParams:
    """Designed parameters of each series (kept as the truth the tests and model evaluations compare with).

    Attributes
    ----------
    level:
        Demand now, before season, promotion and price effects (units per week).
    nb_shape:
        Negative-binomial shape (variance = mean + mean² / shape).
    trend_per_year:
        Log growth of demand per year.
    season_amplitude:
        Multiplier of the regional seasonal swing.
    promo_lift:
        Demand multiplier in a promotion week.
    promo_discount:
        Price cut in a promotion week (fraction of the list price).
    campaign_participation:
        Probability of joining a location's campaign.
    slow_mover:
        Level below :data:`SLOW_LEVEL` (intermittent, lumpy demand).
    """

    level: FloatArray
    nb_shape: FloatArray
    trend_per_year: FloatArray
    season_amplitude: FloatArray
    promo_lift: FloatArray
    promo_discount: FloatArray
    campaign_participation: FloatArray
    slow_mover: BoolArray


def draw_series_params(
    catalog: Catalog, assortment: Assortment, sites: tuple[Warehouse, ...], rng: np.random.Generator
) -> SeriesParams:
    """Draw the designed parameters of every series from its item and warehouse."""
    n = len(assortment)
    item, loc = assortment.item, assortment.location
    size = np.array([s.market_size for s in sites])[loc]
    level = catalog.units_per_week[item] * size * rng.lognormal(0.0, 0.35, n)
    slow = level < SLOW_LEVEL
    lift_u = rng.random(n)
    lift = PROMO_LIFT_RANGE[0] + (PROMO_LIFT_RANGE[1] - PROMO_LIFT_RANGE[0]) * lift_u
    discount = np.asarray(
        np.round(np.clip(0.10 + 0.20 * (lift_u + rng.normal(0.0, 0.15, n)), 0.05, 0.35), 2), dtype=np.float64
    )
    return SeriesParams(
        level=level,
        nb_shape=np.where(slow, rng.uniform(0.3, 0.9, n), rng.uniform(3.0, 12.0, n)),
        trend_per_year=catalog.trend_per_year[item] + rng.normal(0.0, 0.04, n),
        season_amplitude=catalog.season_amplitude[item],
        promo_lift=lift,
        promo_discount=discount,
        campaign_participation=rng.uniform(*CAMPAIGN_PARTICIPATION, n),
        slow_mover=slow,
    )


def _campaigns(n_sites: int, n_weeks: int, rng: np.random.Generator) -> npt.NDArray[np.int32]:
    """Campaign number running at each warehouse and week, −1 when none; shape (sites, weeks)."""
    start = rng.random((n_sites, n_weeks)) < CAMPAIGNS_PER_YEAR / WEEKS_PER_YEAR / (1 + TWO_WEEK_CAMPAIGN_SHARE)
    second = np.zeros_like(start)
    second[:, 1:] = start[:, :-1] & (rng.random((n_sites, n_weeks - 1)) < TWO_WEEK_CAMPAIGN_SHARE)
    running = start | second
    number = np.cumsum(start, axis=1, dtype=np.int32) - 1
    return np.where(running, number, -1).astype(np.int32)


def _running_max(values: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    return np.maximum.accumulate(values, axis=1)


def _stockouts(mean: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Share of each week a series was out of stock: episodes of geometric length, hazard rising with demand."""
    n, t_len = mean.shape
    usual = mean.mean(axis=1, keepdims=True)
    hazard = STOCKOUT_HAZARD_PER_WEEK * np.clip(mean / np.maximum(usual, 1e-9), 0.5, 3.0)
    start = rng.random((n, t_len)) < hazard
    weeks = np.arange(t_len, dtype=np.int32)
    rows, cols = np.nonzero(start)
    end = np.full((n, t_len), -1, dtype=np.int32)
    end[rows, cols] = cols + rng.geometric(STOCKOUT_END_PROBABILITY, len(rows)).astype(np.int32) - 1
    last_end = _running_max(end)
    out = last_end >= weeks
    was_out = np.zeros_like(out)
    was_out[:, 1:] = out[:, :-1]
    first = out & ~was_out
    last = out & (last_end == weeks)
    rows, cols = np.nonzero(out)  # a few percent of the weeks: draw only there
    first_at, last_at = first[rows, cols], last[rows, cols]
    u = rng.random(len(rows))
    lo = np.select([first_at & last_at, first_at, last_at], [0.15, 0.20, 0.15], 1.0)
    hi = np.select([first_at & last_at, first_at, last_at], [0.80, 0.90, 0.85], 1.0)
    frac = np.zeros((n, t_len))
    frac[rows, cols] = np.maximum(np.round(lo + (hi - lo) * u, 2), 0.05)
    return frac


@dataclass(frozen=True)
class DemandHistory:
    """Demand, sales and drivers of every series, arrays of shape (series, weeks).

    Attributes
    ----------
    period_start, future_start:
        Mondays of the history weeks and of the planned weeks.
    params:
        The designed parameters.
    mean_qty:
        Expected demand (units per week).
    true_qty:
        Demand before censoring (units).
    qty:
        Sales (units); equal to ``true_qty`` except in stock-out weeks, where it is a lower bound.
    stockout_fraction:
        Share of the week out of stock (0 when in stock all week).
    price, promo:
        Shelf price (location currency per unit) and promotion flag (0/1) of each history week.
    future_price, future_promo:
        The same, planned for the ``future_start`` weeks.
    """

    period_start: pd.DatetimeIndex
    future_start: pd.DatetimeIndex
    params: SeriesParams
    mean_qty: FloatArray
    true_qty: npt.NDArray[np.int32]
    qty: npt.NDArray[np.int32]
    stockout_fraction: FloatArray
    price: FloatArray
    promo: npt.NDArray[np.int8]
    future_price: FloatArray
    future_promo: npt.NDArray[np.int8]


def simulate_demand(
    assortment: Assortment,
    params: SeriesParams,
    price_now: FloatArray,
    sites: tuple[Warehouse, ...],
    period_start: pd.DatetimeIndex,
    future_start: pd.DatetimeIndex,
    rng: np.random.Generator,
) -> DemandHistory:
    """Simulate the demand history and the planned drivers of every series.

    Parameters
    ----------
    assortment, params:
        The series and their designed parameters.
    price_now:
        Current shelf price of each series (location currency per unit); the list price of the last history
        week and of every planned week.
    sites:
        The warehouses (region, currency).
    period_start, future_start:
        Mondays of the history weeks (ending the week before the as-of date) and of the planned weeks.
    rng:
        Source of every draw.
    """
    n, t_hist = len(assortment), len(period_start)
    t_all = t_hist + len(future_start)
    loc = assortment.location
    mondays = pd.DatetimeIndex(period_start.append(future_start))
    doy = (mondays + pd.Timedelta(days=3)).dayofyear.to_numpy()
    years = (np.arange(t_all) - t_hist) / WEEKS_PER_YEAR

    region_of_site = [s.region for s in sites]
    profiles = np.stack([season_index(r, doy) for r in region_of_site])  # (sites, weeks)
    season = np.maximum(1.0 + params.season_amplitude[:, None] * (profiles[loc] - 1.0), 0.2)

    campaign = _campaigns(len(sites), t_all, rng)[loc]
    joins = rng.random((n, int(campaign.max()) + 1)) < params.campaign_participation[:, None]
    promo = (campaign >= 0) & np.take_along_axis(joins, np.maximum(campaign, 0), axis=1)

    revisions = rng.binomial(t_hist, PRICE_REVISION_RATE, n)  # sparse: draw how many, then when
    rows = np.repeat(np.arange(n), revisions)
    cols = rng.integers(0, t_hist, len(rows))
    log_change = np.zeros((n, t_all))
    np.add.at(log_change, (rows, cols), rng.normal(PRICE_REVISION_MEAN, PRICE_REVISION_SD, len(rows)))
    cum = np.cumsum(log_change, axis=1)
    rel = cum - cum[:, t_hist - 1 : t_hist]  # log list price relative to now
    rel[:, t_hist:] = 0.0
    list_price = np.empty((n, t_all))
    sale_price = np.empty((n, t_all))
    for k, site in enumerate(sites):  # a loop over warehouses: shelf prices follow the local currency
        here = loc == k
        list_price[here] = nice_price(price_now[here, None] * np.exp(rel[here]), site.currency)
        sale = list_price[here] * (1.0 - params.promo_discount[here, None])
        sale_price[here] = nice_price(sale, site.currency, down=True)
    price = np.where(promo, sale_price, list_price)

    h = slice(0, t_hist)  # demand is simulated for the history only
    mean = (
        params.level[:, None]
        * season[:, h]
        * np.exp(params.trend_per_year[:, None] * years[h] - PRICE_ELASTICITY * rel[:, h])
        * np.where(promo[:, h], params.promo_lift[:, None], 1.0)
    )
    shape = params.nb_shape[:, None]
    true = rng.poisson(rng.gamma(shape, mean / shape)).astype(np.int32)
    frac = _stockouts(mean, rng)
    available = np.floor(mean * (1.0 - frac)).astype(np.int32)
    sales = np.where(frac > 0, np.minimum(true, available), true).astype(np.int32)
    promo8 = promo.astype(np.int8)
    return DemandHistory(
        period_start=period_start,
        future_start=future_start,
        params=params,
        mean_qty=mean,
        true_qty=true,
        qty=sales,
        stockout_fraction=frac,
        price=price[:, :t_hist],
        promo=promo8[:, :t_hist],
        future_price=price[:, t_hist:],
        future_promo=promo8[:, t_hist:],
    )
