"""Calendar arithmetic of the demand engine: period ordinals, season lengths and period start dates.

The engine works on integer period ordinals (consecutive periods differ by exactly one) so that any pandas
period frequency works: ``"W"`` (weekly, the contract's default), ``"D"`` (daily), ``"M"`` (monthly, used by
the carparts benchmark), ``"Q"``. Dates in the input are mapped to the period that contains them.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from hedgerow.domain.enums import Period
from hedgerow.errors import DemandDataError

#: Aliases accepted for a frequency, mapped to the pandas period frequency used internally.
_ALIASES = {"MS": "M", "ME": "M", "QS": "Q", "QE": "Q", "Y": "Y", "YS": "Y", "A": "Y", "AS": "Y"}

#: Periods in one year, by normalised frequency (the season length of yearly seasonality).
_PER_YEAR = {"D": 365, "B": 260, "W": 52, "M": 12, "Q": 4, "Y": 1}


def normalize_freq(freq: str | Period) -> str:
    """The pandas period frequency of ``freq`` (``Period.WEEK`` → ``"W"``, ``"MS"`` → ``"M"``).

    Raises
    ------
    DemandDataError
        When pandas does not know the frequency.
    """
    if isinstance(freq, Period):
        return "W" if freq is Period.WEEK else "D"
    text = _ALIASES.get(freq.upper(), freq)
    try:
        pd.Period("2020-01-01", freq=text)
    except (ValueError, TypeError):
        raise DemandDataError(
            f"frequency {freq!r} is not a pandas period frequency; use one such as 'W' (weekly), 'D' (daily), "
            "'M' (monthly) or 'Q' (quarterly)"
        ) from None
    return text


def _base(freq: str) -> str:
    return freq.split("-")[0].upper()


def periods_per_year(freq: str) -> int:
    """Number of periods in a year for ``freq`` (52 for weekly, 12 for monthly, 365 for daily)."""
    return _PER_YEAR.get(_base(normalize_freq(freq)), 1)


def default_season_length(freq: str) -> int:
    """Season length used when the caller gives none: yearly seasonality (52, 12, 4), weekly for daily data (7)."""
    base = _base(normalize_freq(freq))
    if base in ("D", "B"):
        return 7
    return _PER_YEAR.get(base, 1)


def period_ordinals(dates: pd.Series | pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Integer ordinal of the period containing each date (consecutive periods differ by one)."""
    values = pd.DatetimeIndex(pd.to_datetime(dates))
    periods = values.to_period(normalize_freq(freq))
    return np.asarray(periods.asi8, dtype=np.int64)  # type: ignore[attr-defined]  # missing from pandas-stubs


def start_offset(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Timedelta:
    """The most common distance between a date and the start of its pandas period.

    Weekly data whose weeks start on a Wednesday have an offset of two days from pandas' Monday-based weeks;
    future period start dates are reported with the same offset so they look like the input's.
    """
    values = pd.DatetimeIndex(pd.to_datetime(dates))
    if len(values) == 0:
        return pd.Timedelta(0)
    starts = values.to_period(normalize_freq(freq)).start_time
    offsets = pd.Series(values - starts)
    return pd.Timedelta(offsets.mode().iloc[0])


def ordinal_start_dates(ordinals: np.ndarray, freq: str, offset: pd.Timedelta) -> list[date]:
    """First day of the periods with the given ordinals, shifted by the input's ``offset``."""
    index = pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype=np.int64), freq=normalize_freq(freq))  # type: ignore[attr-defined]  # missing from pandas-stubs
    return [ts.date() for ts in (index.start_time + offset)]
