"""Demand history as grouped arrays: the long contract frame is turned into a padded panel once.

Every model then runs on plain numpy arrays indexed [series, period] (the lesson from statsforecast: group
once, then pure array functions). Awkward inputs are repaired per series and reported as
:class:`SeriesIssue`, never by failing the whole run:

* periods with no row between a series' first row and the end of the history are zero sales, or unknown with
  ``missing_periods=MissingPeriods.UNKNOWN`` (``[demand] missing_periods``);
* a missing quantity (NaN) is unknown, not zero, and models skip it;
* negative quantities (returns booked as sales) are clipped to zero;
* history before a gap of more than ``max_gap`` periods without any row is dropped;
* duplicate rows of one series and period are summed.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.demand.frequency import (
    default_season_length,
    normalize_freq,
    ordinal_start_dates,
    period_ordinals,
    periods_per_year,
    start_offset,
)
from hedgerow.domain.enums import MissingPeriods
from hedgerow.errors import DemandDataError
from hedgerow.scenarios.rng import item_location_key

#: Columns of the demand table that are not drivers.
CONTRACT_DEMAND_COLUMNS = ("item_id", "location_id", "period_start", "qty", "stockout_fraction")
_REQUIRED = ("item_id", "location_id", "period_start", "qty")


class IssueKind(StrEnum):
    """What was unusual about a series and how it was handled."""

    NEGATIVE_SALES = "negative_sales"
    MISSING_QTY = "missing_qty"
    DUPLICATE_PERIODS = "duplicate_periods"
    GAP_TRUNCATED = "gap_truncated"
    NO_HISTORY = "no_history"
    SHORT_HISTORY = "short_history"
    ALL_ZERO = "all_zero"
    MODEL_FALLBACK = "model_fallback"


@dataclass(frozen=True)
class SeriesIssue:
    """One repaired or unusual condition of one series, named for the planner."""

    item_id: str
    location_id: str
    kind: IssueKind
    message: str

    def to_dict(self) -> dict[str, str]:
        """JSON-ready form."""
        return {
            "item_id": self.item_id,
            "location_id": self.location_id,
            "kind": self.kind.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class SeriesPanel:
    """Demand history of many item-locations on one period grid.

    Attributes
    ----------
    item_ids, location_ids:
        The series, aligned with axis 0 of every array (sorted by item, then location).
    freq:
        Pandas period frequency of the grid (``"W"``, ``"D"``, ``"M"`` ...).
    season_length:
        Periods per seasonal cycle (52 for weekly data with yearly seasonality, 12 monthly, 7 daily).
    first_ordinal:
        Period ordinal of column 0 of ``y``.
    y:
        [series, period] units sold; NaN where nothing is known (before a series starts, or a missing value).
    stockout:
        [series, period] share of the period the item was out of stock, in [0, 1]; sales with a positive
        share are lower bounds of demand.
    driver_names:
        Names of the demand drivers (extra numeric columns of the demand table).
    drivers:
        [series, period, driver] driver values on the grid, extended past the history with planned values
        (drivers table); gaps are filled with each series' usual value (its median over the history).
    driver_fill:
        [series, driver] the usual value of each driver, used for periods beyond ``drivers``.
    is_count:
        [series] True when every observed quantity is a whole number.
    date_offset:
        Distance between the input's period_start dates and pandas' period starts (e.g. Wednesday weeks).
    issues:
        What was repaired or is unusual, per series.
    """

    item_ids: tuple[str, ...]
    location_ids: tuple[str, ...]
    freq: str
    season_length: int
    first_ordinal: int
    y: np.ndarray
    stockout: np.ndarray
    driver_names: tuple[str, ...]
    drivers: np.ndarray
    driver_fill: np.ndarray
    is_count: np.ndarray
    date_offset: pd.Timedelta = field(default_factory=lambda: pd.Timedelta(0))
    issues: tuple[SeriesIssue, ...] = ()
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.item_ids)
        if len(self.location_ids) != n or self.y.shape[0] != n or self.stockout.shape != self.y.shape:
            raise ValueError("item_ids, location_ids, y and stockout must describe the same series")
        if self.drivers.ndim != 3 or self.drivers.shape[0] != n or self.drivers.shape[1] < self.y.shape[1]:
            raise ValueError(f"drivers must have shape ({n}, >= {self.y.shape[1]}, k), got {self.drivers.shape}")
        keys = {
            item_location_key(i, loc): k
            for k, (i, loc) in enumerate(zip(self.item_ids, self.location_ids, strict=True))
        }
        object.__setattr__(self, "_index", keys)

    # -- shape -----------------------------------------------------------------------------------------------
    @property
    def n_series(self) -> int:
        """Number of series."""
        return len(self.item_ids)

    @property
    def n_periods(self) -> int:
        """Number of history periods."""
        return int(self.y.shape[1])

    @property
    def keys(self) -> tuple[str, ...]:
        """``item@location`` key of each series."""
        return tuple(self._index)

    def index_of(self, item_id: str, location_id: str) -> int:
        """Row of a series.

        Raises
        ------
        DemandDataError
            When the panel has no such series.
        """
        key = item_location_key(item_id, location_id)
        try:
            return self._index[key]
        except KeyError:
            raise DemandDataError(f"no demand history for item-location {key!r}") from None

    def start_index(self) -> np.ndarray:
        """[series] first period with a known quantity (``n_periods`` when none)."""
        known = ~np.isnan(self.y)
        return np.where(known.any(axis=1), known.argmax(axis=1), self.n_periods)

    def n_observed(self) -> np.ndarray:
        """[series] number of periods with a known quantity."""
        return np.asarray((~np.isnan(self.y)).sum(axis=1))

    # -- slicing ---------------------------------------------------------------------------------------------
    def truncate(self, n_periods: int) -> SeriesPanel:
        """The panel as it was known after ``n_periods`` periods (drivers keep their later, recorded values).

        In a backtest the recorded drivers of later periods stand in for the plan that existed at the time.
        """
        if not 1 <= n_periods <= self.n_periods:
            raise ValueError(f"n_periods must be in [1, {self.n_periods}], got {n_periods}")
        return replace(self, y=self.y[:, :n_periods], stockout=self.stockout[:, :n_periods])

    def select(self, rows: np.ndarray) -> SeriesPanel:
        """The panel restricted to the given series rows (issues of other series are dropped)."""
        rows = np.asarray(rows, dtype=np.int64)
        items = tuple(self.item_ids[r] for r in rows)
        locs = tuple(self.location_ids[r] for r in rows)
        wanted = set(zip(items, locs, strict=True))
        return replace(
            self,
            item_ids=items,
            location_ids=locs,
            y=self.y[rows],
            stockout=self.stockout[rows],
            drivers=self.drivers[rows],
            driver_fill=self.driver_fill[rows],
            is_count=self.is_count[rows],
            issues=tuple(i for i in self.issues if (i.item_id, i.location_id) in wanted),
        )

    def future_drivers(self, origin: int, horizon: int) -> np.ndarray:
        """[series, horizon, driver] driver values of periods ``origin .. origin + horizon - 1``.

        Periods beyond the planned values take each series' usual value (``driver_fill``).
        """
        n, k = self.n_series, len(self.driver_names)
        out = np.empty((n, horizon, k))
        available = max(0, min(horizon, self.drivers.shape[1] - origin))
        out[:, :available] = self.drivers[:, origin : origin + available]
        out[:, available:] = self.driver_fill[:, None, :]
        return out

    def period_dates(self, start: int, count: int) -> list[date]:
        """First day of ``count`` grid periods from column ``start`` (may run past the history)."""
        ordinals = self.first_ordinal + start + np.arange(count)
        return ordinal_start_dates(ordinals, self.freq, self.date_offset)


def _sum_known(values: pd.Series) -> float:
    """Sum of a group's quantities; NaN when none is known."""
    return float(values.sum(min_count=1))


def _missing_columns(frame: pd.DataFrame, table: str, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DemandDataError(
            f"{table}: the following columns are missing: {', '.join(missing)}; received columns: "
            f"{', '.join(map(str, frame.columns))}"
        )


def _driver_columns(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if c not in CONTRACT_DEMAND_COLUMNS
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ] + [c for c in frame.columns if c not in CONTRACT_DEMAND_COLUMNS and pd.api.types.is_bool_dtype(frame[c])]


def build_panel(
    demand: pd.DataFrame,
    *,
    freq: str = "W",
    season_length: int | None = None,
    drivers: pd.DataFrame | None = None,
    end: date | None = None,
    max_history: int | None = None,
    max_gap: int | None = None,
    missing_periods: MissingPeriods = MissingPeriods.ZERO,
) -> SeriesPanel:
    """Turn a demand table (data-contract layout) into a :class:`SeriesPanel`.

    Parameters
    ----------
    demand:
        Columns item_id, location_id, period_start, qty; optional stockout_fraction; any other numeric column
        is a demand driver (price, promotion flags ...).
    freq:
        Pandas period frequency of the history (``"W"``, ``"D"``, ``"M"`` ...).
    season_length:
        Periods per seasonal cycle; default from ``freq`` (52 weekly, 12 monthly, 7 daily).
    drivers:
        Planned driver values (contract table ``drivers``): item_id, location_id, period_start and one column
        per driver named as in ``demand``.
    end:
        Last day of the history (default: the latest period_start); later rows are ignored.
    max_history:
        Keep at most this many periods of history (default: all).
    max_gap:
        A run of more than this many periods without any row cuts the series: older history is dropped
        (default: two years of periods).
    missing_periods:
        How a period without a row after a series' first row is read: zero sales (default) or unknown (NaN,
        skipped by the models).

    Raises
    ------
    DemandDataError
        When required columns are missing or no row has a usable date.
    """
    _missing_columns(demand, "demand", _REQUIRED)
    freq = normalize_freq(freq)
    season = default_season_length(freq) if season_length is None else int(season_length)
    if season < 1:
        raise DemandDataError(f"season_length must be a positive number of periods, got {season_length}")
    gap_limit = 2 * periods_per_year(freq) if max_gap is None else int(max_gap)
    driver_names = tuple(_driver_columns(demand))

    frame = demand.loc[
        :, [*(_REQUIRED), *(["stockout_fraction"] if "stockout_fraction" in demand else []), *driver_names]
    ]
    frame = frame.loc[pd.notna(frame["period_start"])].copy()
    if frame.empty:
        raise DemandDataError("demand: no row has a period_start date; nothing can be forecast")
    frame["item_id"] = frame["item_id"].astype(str)
    frame["location_id"] = frame["location_id"].astype(str)
    dates = pd.to_datetime(frame["period_start"])
    frame["_ord"] = period_ordinals(dates, freq)
    offset = start_offset(dates, freq)
    last = (
        int(frame["_ord"].max())
        if end is None
        else int(period_ordinals(pd.DatetimeIndex([pd.Timestamp(end)]), freq)[0])
    )
    frame = frame.loc[frame["_ord"] <= last]
    if frame.empty:
        raise DemandDataError(f"demand: every row is later than the history end {end}")
    first = int(frame["_ord"].min())
    if max_history is not None:
        first = max(first, last - int(max_history) + 1)
        frame = frame.loc[frame["_ord"] >= first]
    n_periods = last - first + 1

    codes, uniques = pd.MultiIndex.from_frame(frame[["item_id", "location_id"]]).factorize(sort=True)
    frame["_code"] = codes
    items = tuple(str(u[0]) for u in uniques)
    locs = tuple(str(u[1]) for u in uniques)
    n = len(items)
    issues: list[SeriesIssue] = []

    dup = frame.duplicated(["_code", "_ord"], keep=False)
    if dup.any():
        dup_counts = frame.loc[dup].groupby("_code").size()
        for dup_code, count in zip(dup_counts.index.to_numpy(np.int64), dup_counts.to_numpy(np.int64), strict=True):
            issues.append(
                SeriesIssue(
                    items[int(dup_code)],
                    locs[int(dup_code)],
                    IssueKind.DUPLICATE_PERIODS,
                    f"{int(count)} rows share a period; their quantities were summed",
                )
            )
        agg: dict[str, Any] = {"qty": _sum_known, **dict.fromkeys(driver_names, "mean")}
        if "stockout_fraction" in frame:
            agg["stockout_fraction"] = "max"
        frame = frame.groupby(["_code", "_ord"], as_index=False).agg(agg)

    code: np.ndarray = frame["_code"].to_numpy(np.int64)
    col = frame["_ord"].to_numpy(np.int64) - first
    qty = pd.to_numeric(frame["qty"], errors="coerce").to_numpy(np.float64)

    # Series start: the first row after the last long gap.
    order = np.lexsort((col, code))
    code_s, col_s = code[order], col[order]
    start = np.full(n, n_periods, dtype=np.int64)
    np.minimum.at(start, code_s, col_s)
    step = np.diff(col_s)
    cut = np.flatnonzero((step > gap_limit + 1) & (code_s[1:] == code_s[:-1])) + 1
    for pos in cut:
        g = int(code_s[pos])
        if col_s[pos] > start[g]:
            issues.append(
                SeriesIssue(
                    items[g],
                    locs[g],
                    IssueKind.GAP_TRUNCATED,
                    f"{int(step[pos - 1]) - 1} periods without any row; the {int(col_s[pos] - start[g])} periods "
                    "of history before that gap were dropped",
                )
            )
            start[g] = col_s[pos]

    y = np.full((n, n_periods), np.nan)
    grid = np.arange(n_periods)[None, :]
    if missing_periods is MissingPeriods.ZERO:
        y[grid >= start[:, None]] = 0.0
    keep = col >= start[code]
    y[code[keep], col[keep]] = qty[keep]

    stockout = np.zeros((n, n_periods))
    if "stockout_fraction" in frame:
        frac = pd.to_numeric(frame["stockout_fraction"], errors="coerce").to_numpy(np.float64)
        stockout[code[keep], col[keep]] = np.clip(np.nan_to_num(frac[keep], nan=0.0), 0.0, 1.0)

    negative = np.nan_to_num(y, nan=0.0) < 0
    for c in np.flatnonzero(negative.any(axis=1)):
        issues.append(
            SeriesIssue(
                items[c],
                locs[c],
                IssueKind.NEGATIVE_SALES,
                f"{int(negative[c].sum())} negative quantities (returns?) were set to 0",
            )
        )
    y[negative] = 0.0
    missing = np.isnan(qty[keep])
    if missing.any():
        missing_codes, missing_counts = np.unique(code[keep][missing], return_counts=True)
        for c, count in zip(missing_codes, missing_counts, strict=True):
            issues.append(
                SeriesIssue(
                    items[c],
                    locs[c],
                    IssueKind.MISSING_QTY,
                    f"{int(count)} periods have no quantity; they are treated as unknown",
                )
            )

    observed = ~np.isnan(y)
    n_obs = observed.sum(axis=1)
    for r in range(n):
        if n_obs[r] == 0:
            issues.append(
                SeriesIssue(items[r], locs[r], IssueKind.NO_HISTORY, "no usable quantity in the history window")
            )
        elif np.nansum(y[r]) == 0:
            issues.append(
                SeriesIssue(items[r], locs[r], IssueKind.ALL_ZERO, f"all {int(n_obs[r])} known periods sold 0")
            )
        elif n_obs[r] < 3:
            issues.append(
                SeriesIssue(items[r], locs[r], IssueKind.SHORT_HISTORY, f"only {int(n_obs[r])} known periods")
            )

    values = np.where(observed, y, 0.0)
    is_count = np.all(np.abs(values - np.round(values)) < 1e-9, axis=1)

    driver_array, fill = _driver_arrays(
        frame, drivers, driver_names, code, col, keep, n, n_periods, first, last, freq, items, locs
    )

    return SeriesPanel(
        item_ids=items,
        location_ids=locs,
        freq=freq,
        season_length=season,
        first_ordinal=first,
        y=y,
        stockout=stockout,
        driver_names=driver_names,
        drivers=driver_array,
        driver_fill=fill,
        is_count=is_count,
        date_offset=offset,
        issues=tuple(issues),
    )


def _driver_arrays(
    frame: pd.DataFrame,
    drivers: pd.DataFrame | None,
    names: tuple[str, ...],
    code: np.ndarray,
    col: np.ndarray,
    keep: np.ndarray,
    n: int,
    n_periods: int,
    first: int,
    last: int,
    freq: str,
    items: tuple[str, ...],
    locs: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray]:
    k = len(names)
    future_rows = None
    n_future = 0
    if drivers is not None and k and not drivers.empty:
        _missing_columns(drivers, "drivers", ("item_id", "location_id", "period_start"))
        known = [c for c in names if c in drivers.columns]
        plan = drivers.loc[pd.notna(drivers["period_start"]), ["item_id", "location_id", "period_start", *known]].copy()
        plan["_ord"] = period_ordinals(pd.to_datetime(plan["period_start"]), freq)
        plan = plan.loc[plan["_ord"] >= first]
        index = {(i, loc): c for c, (i, loc) in enumerate(zip(items, locs, strict=True))}
        series = [
            index.get((str(i), str(loc)), -1) for i, loc in zip(plan["item_id"], plan["location_id"], strict=True)
        ]
        plan["_code"] = series
        plan = plan.loc[plan["_code"] >= 0]
        if not plan.empty:
            n_future = max(0, int(plan["_ord"].max()) - last)
            future_rows = (plan, known)
    out = np.full((n, n_periods + n_future, k), np.nan)
    for j, name in enumerate(names):
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
        out[code[keep], col[keep], j] = values[keep]
    history = out[:, :n_periods]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN driver columns give NaN, handled below
        usual = _nanmedian_rows(history)
        overall = np.nanmedian(history.reshape(-1, k), axis=0) if history.size else np.zeros(k)
    overall = np.nan_to_num(np.asarray(overall, dtype=np.float64).reshape(k), nan=0.0)
    usual = np.where(np.isnan(usual), overall[None, :], usual)
    if future_rows is not None:
        plan, known = future_rows
        pc = plan["_code"].to_numpy(np.int64)
        pt = plan["_ord"].to_numpy(np.int64) - first
        for name in known:
            j = names.index(name)
            values = pd.to_numeric(plan[name], errors="coerce").to_numpy(np.float64)
            target = out[pc, pt, j]
            out[pc, pt, j] = np.where(np.isnan(target), values, target)
    missing = np.isnan(out)
    if missing.any():
        out = np.where(missing, np.broadcast_to(usual[:, None, :], out.shape), out)
    return out, usual


def _nanmedian_rows(history: np.ndarray) -> np.ndarray:
    """[series, driver] median over periods ignoring NaN (NaN when a series never had the driver)."""
    n, t, k = history.shape
    if t == 0 or k == 0:
        return np.full((n, k), np.nan)
    return np.asarray(np.nanmedian(np.where(np.isfinite(history), history, np.nan), axis=1))
