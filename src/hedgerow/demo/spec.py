"""What a demo network is asked to be (:class:`DemoSpec`) and what it is (:class:`DemoNetwork`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from hedgerow.domain.enums import TableName

#: Fewest weeks of history a demo may have.
MIN_WEEKS = 8


@dataclass(frozen=True, kw_only=True)
class DemoSpec:
    """Sizes and dates of a demo network; the defaults are the standard demo.

    Attributes
    ----------
    n_items:
        Items in the catalogue, bundles included (one in sixty is a bundle).
    n_locations:
        Warehouses: the five standard ones (Los Angeles, New Jersey, Rotterdam, Tokyo, Singapore); larger values
        add warehouses in the same regions, smaller ones keep the first few.
    weeks:
        Weeks of history, ending the week before ``as_of``.
    as_of:
        The Monday the history ends before: the demo's "today". Required.
    driver_weeks:
        Weeks of planned drivers (price, promotion) from ``as_of`` on.
    """

    n_items: int = 300
    n_locations: int = 5
    weeks: int = 156
    as_of: date
    driver_weeks: int = 26

    def __post_init__(self) -> None:
        if isinstance(self.as_of, datetime) or not isinstance(self.as_of, date):
            raise TypeError(f"as_of must be a datetime.date, got {type(self.as_of).__name__} {self.as_of!r}")
        if self.as_of.weekday() != 0:
            raise ValueError(f"as_of must be a Monday, got {self.as_of.isoformat()} (a {self.as_of:%A})")
        if self.n_items < 2:
            raise ValueError(f"n_items must be at least 2, got {self.n_items}")
        if self.n_locations < 1:
            raise ValueError(f"n_locations must be at least 1, got {self.n_locations}")
        if self.weeks < MIN_WEEKS:
            raise ValueError(f"weeks must be at least {MIN_WEEKS}, got {self.weeks}")
        if self.driver_weeks < 1:
            raise ValueError(f"driver_weeks must be at least 1, got {self.driver_weeks}")

    @property
    def history_start(self) -> date:
        """Monday of the first history week."""
        return self.as_of - timedelta(weeks=self.weeks)

    @property
    def period_starts(self) -> pd.DatetimeIndex:
        """Mondays of the history weeks."""
        return pd.date_range(self.history_start, periods=self.weeks, freq="7D")

    @property
    def driver_starts(self) -> pd.DatetimeIndex:
        """Mondays of the planned weeks (the first is ``as_of``)."""
        return pd.date_range(self.as_of, periods=self.driver_weeks, freq="7D")


@dataclass(frozen=True)
class DemoNetwork:
    """A generated demo network.

    Attributes
    ----------
    tables:
        One frame per contract table, columns in contract order (``demand`` and ``drivers`` add the driver
        columns ``price``, in the location's currency per unit, and ``promo``, 0/1); identifiers are ``string``,
        dates ``datetime64[ns]`` (UTC, naive), default ``RangeIndex``.
    true_demand:
        item_id, location_id, period_start, true_qty: demand before stock-outs censored it (units). Kept aside
        for tests and model evaluation; never part of an import.
    spec:
        What was asked for.
    catalog:
        Per item: item_id, name, category, template (product line), is_bundle, unit_cost_usd, price_usd
        (reference US price) and margin (fraction): what the contract tables do not carry.
    series:
        Per item-location: the designed demand parameters (level in units per week, nb_shape, trend_per_year,
        season_amplitude, promo_lift, promo_discount, campaign_participation, slow_mover).
    """

    tables: dict[TableName, pd.DataFrame]
    true_demand: pd.DataFrame
    spec: DemoSpec
    catalog: pd.DataFrame
    series: pd.DataFrame
