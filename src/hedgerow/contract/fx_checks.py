"""Implausible exchange rates: a rate that jumps away from its currency's neighbouring history, or, for a currency
with no other rate, a rate outside any real pair's range (dimensionless ratios; pure).

A rate of 1e11 CNY per USD among rates of 7.2 is a typo or a units slip, and it silently changes a plan (issue 16
measured 22 -> 13 recommendations). Real currencies do not move like that: in the ECB's daily reference rates
1999-2026 (41 currencies, every cross of two of them), the largest move between two rates of a pair at most a
week apart is a factor of 1.70 (log 0.533, the Turkish lira's float on 2001-02-22); docs/imports.md,
"Implausible exchange rates", has the measurement and the choice. Two checks, on each currency's rates sorted by date:

``fx_jump``
    Walking out from the currency's median rate, each rate is compared with the last rate accepted before it
    (in the walk's direction). It is flagged when the two differ by more than :data:`FX_JUMP_FACTOR` (either
    way), a limit widened like a random walk for rates further apart than :data:`FX_JUMP_WINDOW_DAYS`
    (``FX_JUMP_FACTOR ** sqrt(days / FX_JUMP_WINDOW_DAYS)``), so a ten-year gap in a history is no jump. A
    flagged rate is not accepted, so the rates after a lone bad row are compared with the good rate before it.
``fx_out_of_band``
    A currency with a single rate (nothing to compare with) whose rate lies outside :data:`FX_PLAUSIBLE_BAND`.

The import rejects both (the report names the row, the value and the rates around it) unless the import is told
the moves are real (``hedgerow import --accept-fx-jumps``), in which case they are kept as warnings and
`hedgerow status` names them (docs/imports.md, "Implausible exchange rates").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded when rates are checked, not for the thresholds (`hedgerow status` reads those)
    import numpy as np
    import pandas as pd

#: Largest ratio (either way) between a rate and its currency's neighbouring rate up to a week apart: ten times
#: the ECB's largest move in 27 years is a factor of 1.70 (log 0.533), so 10 (log 2.303) is 4.3 times the largest
#: real log move, above every devaluation we know of (Sudan 2021, about 6.8), and the smallest units slip (a
#: decimal point, cents for units, an inverted rate of JPY or CNY) lies at or beyond it.
FX_JUMP_FACTOR = 10.0
#: Rates up to this many days apart are neighbours at :data:`FX_JUMP_FACTOR`; further apart the limit widens.
FX_JUMP_WINDOW_DAYS = 7
#: Range of plausible rates (units of a currency per one base unit) for a currency without another rate: a decade
#: beyond the widest cross of the ECB history (2.25e-7 to 4.44e6: the old Turkish lira against the Cypriot pound).
FX_PLAUSIBLE_BAND = (1e-8, 1e8)


@dataclass(frozen=True)
class NearbyRate:
    """A rate of the same currency next to a flagged one, accepted by the walk."""

    day: date
    rate: float

    def text(self) -> str:
        """``7.22 on 2026-11-20``."""
        return f"{self.rate:.6g} on {self.day.isoformat()}"


@dataclass(frozen=True)
class SuspiciousRate:
    """One flagged row of ``fx_rates``.

    Attributes
    ----------
    index:
        The row's label in the frame checked (the 1-based file row for an imported file).
    currency, day, rate:
        The row.
    before, after:
        The nearest accepted rates of the currency before and after it (None at an end, or when the currency has
        no other rate).
    out_of_band:
        True for the band check (the currency has no other rate), False for a jump.
    """

    index: int
    currency: str
    day: date
    rate: float
    before: NearbyRate | None
    after: NearbyRate | None
    out_of_band: bool = False

    def neighbours_text(self) -> str:
        """The rates around it in words, for a finding or a readiness gap."""
        if self.out_of_band:
            low, high = FX_PLAUSIBLE_BAND
            return f"{self.currency} has no other rate, and real rates lie between {low:g} and {high:g}"
        parts = []
        if self.before is not None:
            parts.append(f"before it {self.before.text()}")
        if self.after is not None:
            parts.append(f"after it {self.after.text()}")
        return f"{self.currency}'s accepted rates {' and '.join(parts)}"


def _allowed(gap_days: float) -> float:
    """Largest absolute log move allowed between two rates ``gap_days`` apart."""
    return math.log(FX_JUMP_FACTOR) * math.sqrt(max(gap_days / FX_JUMP_WINDOW_DAYS, 1.0))


def _walk(days: np.ndarray, logs: np.ndarray) -> np.ndarray:
    """Flags of one currency's rates (sorted by day): out from the median, each compared with the last accepted."""
    import numpy as np

    n = len(logs)
    flagged = np.zeros(n, dtype=bool)
    anchor = int(np.argmin(np.abs(logs - np.median(logs))))
    for step in (1, -1):
        trusted = anchor
        for i in range(anchor + step, n if step == 1 else -1, step):
            if abs(float(logs[i] - logs[trusted])) > _allowed(abs(float(days[i] - days[trusted]))):
                flagged[i] = True
            else:
                trusted = i
    return flagged


def suspicious_rates(frame: pd.DataFrame, rows: pd.Index | None = None) -> list[SuspiciousRate]:
    """The implausible rows of an ``fx_rates`` frame (module docstring), in date order per currency.

    Parameters
    ----------
    frame:
        Typed ``fx_rates`` rows (date, currency, units_per_base), possibly with rows of the workspace's current
        table for context; for a date and currency given twice the last row counts.
    rows:
        Report only rows with these labels (those of the file being imported); None: every row.

    Returns
    -------
    list of SuspiciousRate
        Flagged rows, by currency then date.
    """
    import numpy as np
    import pandas as pd

    usable = frame.dropna(subset=["date", "currency", "units_per_base"])
    usable = usable[usable["units_per_base"] > 0]
    usable = usable[~usable.duplicated(subset=["date", "currency"], keep="last")]
    out: list[SuspiciousRate] = []
    low, high = FX_PLAUSIBLE_BAND
    for currency, group in usable.groupby(usable["currency"].astype(str), sort=True):
        group = group.sort_values("date", kind="stable")
        stamps = pd.to_datetime(group["date"])
        days = (stamps - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype="float64")
        rates = group["units_per_base"].to_numpy(dtype="float64")
        labels = group.index.to_numpy()
        if len(group) == 1:
            flagged = (rates < low) | (rates > high)
            band = True
        else:
            flagged = _walk(days, np.log(rates))
            band = False
        if not flagged.any():
            continue
        kept = np.flatnonzero(~flagged)
        for i in np.flatnonzero(flagged):
            if rows is not None and labels[i] not in rows:
                continue
            pos = int(np.searchsorted(kept, i))
            before = kept[pos - 1] if pos > 0 else None
            after = kept[pos] if pos < len(kept) else None
            out.append(
                SuspiciousRate(
                    index=int(labels[i]),
                    currency=str(currency),
                    day=stamps.iloc[i].date(),
                    rate=float(rates[i]),
                    before=None if before is None else NearbyRate(stamps.iloc[before].date(), float(rates[before])),
                    after=None if after is None else NearbyRate(stamps.iloc[after].date(), float(rates[after])),
                    out_of_band=band,
                )
            )
    return out
