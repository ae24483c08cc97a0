"""Signals of a replay: the workspace's ``signals`` table, seen by a policy only from each signal's ``observed_at``.

A replay carries its signals in :class:`ReplaySignals` (a frame of the data contract's ``signals`` columns, sorted
by ``observed_at``, naive UTC). At period ``t`` the simulator hands a policy the signals observed up to the
period's **decision moment** (:func:`decision_moment`): 00:00 UTC of the period's first day, ``period_starts[t]``,
which is the instant period ``t − 1`` ends. A signal counts when ``observed_at <= decision moment`` — inclusive, as
``hedgerow plan --as-of`` counts it (:func:`hedgerow.contract.as_of.tables_as_of`,
:func:`hedgerow.supply.signals.read_signals` and the demand engine's sentiment window all keep ``observed_at <=
as_of``): a signal stamped at 00:00 of a period's first day is seen in that period, one stamped at 09:00 that day
in the next. ``valid_until`` is not a visibility rule: a policy sees an expired signal and decides what it means
(the supply model drops it as expired).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from hedgerow.contract.spec import TABLES
from hedgerow.domain.enums import TableName
from hedgerow.errors import SimulationInputError

#: Columns of the contract's ``signals`` table, in its order (optional ones included).
SIGNAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLES[TableName.SIGNALS].columns)
#: Columns a replay needs in every signals frame (the contract's required ones).
REQUIRED_SIGNAL_COLUMNS: tuple[str, ...] = tuple(c.name for c in TABLES[TableName.SIGNALS].columns if c.required)
_TIME_COLUMNS = ("observed_at", "valid_until")


def _naive_utc(values: pd.Series) -> pd.Series:
    """Timestamps as naive UTC (a zone-less value is read as UTC, as the contract says)."""
    out = pd.to_datetime(values, utc=True)
    return out.dt.tz_localize(None)


def decision_moment(period_start: date) -> datetime:
    """The decision moment of a period starting on ``period_start``: 00:00 UTC of that day (naive UTC)."""
    return datetime.combine(period_start, time())


@dataclass(frozen=True, eq=False)
class ReplaySignals:
    """The signals a replay may reveal, sorted by ``observed_at`` (see the module docstring).

    Attributes
    ----------
    frame:
        The contract's ``signals`` columns (``valid_until``, ``probability`` and ``delay_days`` added empty when
        absent), ``observed_at`` and ``valid_until`` as naive-UTC timestamps, rows sorted by ``observed_at`` then
        ``signal_id``. Treat it as read-only: :meth:`visible_at` hands out copies.
    """

    frame: pd.DataFrame

    def __post_init__(self) -> None:
        frame = self.frame
        missing = [c for c in REQUIRED_SIGNAL_COLUMNS if c not in frame.columns]
        if missing:
            raise SimulationInputError(
                f"signals: the following columns are missing: {', '.join(missing)}; a replay needs the contract's "
                f"signals columns ({', '.join(REQUIRED_SIGNAL_COLUMNS)})"
            )
        out = frame.copy()
        for name in SIGNAL_COLUMNS:
            if name not in out.columns:
                out[name] = pd.NaT if name in _TIME_COLUMNS else np.nan
        for name in _TIME_COLUMNS:
            out[name] = _naive_utc(out[name])
        if out["observed_at"].isna().any():
            bad = out.loc[out["observed_at"].isna(), "signal_id"].astype(str).tolist()
            raise SimulationInputError(
                f"signals: observed_at must be a time for every signal (a replay reveals each signal from it); "
                f"missing for {bad[:5]}"
            )
        out = out.sort_values(["observed_at", "signal_id"], kind="stable").reset_index(drop=True)
        object.__setattr__(self, "frame", out)

    @classmethod
    def empty(cls) -> ReplaySignals:
        """No signals."""
        return cls(pd.DataFrame({name: pd.Series(dtype=object) for name in REQUIRED_SIGNAL_COLUMNS}))

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, object]]) -> ReplaySignals:
        """Signals from rows of the contract's columns (missing optional columns are left empty)."""
        if not records:
            return cls.empty()
        return cls(pd.DataFrame.from_records(list(records)))

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def observed_at(self) -> np.ndarray:
        """[signal] observation times, naive UTC, ascending."""
        return np.asarray(self.frame["observed_at"].to_numpy(dtype="datetime64[ns]"))

    def visible_at(self, moment: datetime) -> pd.DataFrame:
        """A copy of the signals with ``observed_at <= moment`` (naive UTC), oldest first."""
        cut = int(np.searchsorted(self.observed_at, np.datetime64(moment, "ns"), side="right"))
        return self.frame.iloc[:cut].copy()

    def added(self, other: ReplaySignals) -> ReplaySignals:
        """These signals and ``other``'s (a ``signal_id`` that both carry is refused)."""
        both = set(self.frame["signal_id"].astype(str)) & set(other.frame["signal_id"].astype(str))
        if both:
            raise SimulationInputError(
                f"signals: signal_id must be unique in a replay; already present: {sorted(both)[:5]}"
            )
        if not len(other):
            return self
        if not len(self):
            return other
        return ReplaySignals(pd.concat([self.frame, other.frame], ignore_index=True))
