"""ECB euro reference rates (daily, 1999 onward) as FX history against the workspace's base currency.

The file quotes units of each currency per 1 EUR. The ``fx_rates`` table wants units per one unit of the
workspace's base currency ``B``, so for every date and currency ``c``::

    units_per_base[c] = rate[c] / rate[B]        (c ≠ EUR, c ≠ B)
    units_per_base[EUR] = 1 / rate[B]

(for ``B = EUR`` the file's rates are used as they are). The base currency itself is not written (it is 1 by
definition). A cell that is empty (``N/A``: currency not yet quoted, discontinued or suspended) is not
written; a date on which ``B`` itself has no rate is dropped whole and counted. Every currency the file
quotes is imported, not only those the workspace uses: the rows are few and later tables may need them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.errors import InputFileError
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles, SourceFile

RATES = "eurofxref-hist.csv.gz"
EUR = "EUR"
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, na_values=["N/A"], keep_default_na=False, dtype={"Date": str})
    return frame.loc[:, [c for c in frame.columns if not str(c).startswith("Unnamed:")]]


DATASET = DataSet(
    title="ECB euro foreign-exchange reference rates (eurofxref-hist)",
    folder="ecb_fx_rates",
    files=(SourceFile(RATES, ("Date", "USD"), _read),),
)


def units_per_base(per_eur: pd.DataFrame, base: str) -> pd.DataFrame:
    """Convert rates quoted per 1 EUR into rates per one unit of ``base`` (wide: dates × currencies).

    Parameters
    ----------
    per_eur:
        Units of each currency (columns) per 1 EUR, one row per date; NaN where not quoted.
    base:
        The base currency: ``EUR`` or one of the columns.

    Returns
    -------
    pandas.DataFrame
        Units of each currency per 1 ``base``, with an ``EUR`` column (unless ``base`` is EUR) and without the
        ``base`` column; NaN where either rate is missing.
    """
    if base == EUR:
        return per_eur.copy()
    if base not in per_eur.columns:
        quoted = ", ".join(sorted(per_eur.columns))
        raise InputFileError(
            f"{RATES}: the workspace's base currency {base} is not quoted by the ECB; the base currency must be "
            f"EUR or one of: {quoted}"
        )
    base_rate = per_eur[base]
    out = per_eur.drop(columns=[base]).div(base_rate, axis=0)
    out[EUR] = 1.0 / base_rate
    return out


def map_tables(raw: RawFiles, context: PresetContext) -> PresetTables:
    """Map the ECB history to the fx_rates table against the workspace's base currency.

    Parameters
    ----------
    raw:
        The frame of eurofxref-hist.csv.gz: ``Date`` then one column per currency (units per 1 EUR).
    context:
        Gives the workspace's base currency.

    Returns
    -------
    PresetTables
        fx_rates (date, currency, units_per_base) and a summary (dates, currencies, rows, dates dropped).
    """
    frame = raw[RATES]
    currencies = [str(c) for c in frame.columns if c != "Date"]
    not_codes = [c for c in currencies if not _CURRENCY.match(c)]
    if not_codes:
        raise InputFileError(
            f"{RATES}: expected Date then ISO 4217 currency columns (USD, JPY, ...); these are not: "
            f"{', '.join(not_codes[:5])}"
        )
    dates = pd.to_datetime(frame["Date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        example = frame.loc[dates.isna(), "Date"].iloc[0]
        raise InputFileError(f"{RATES}: Date must be YYYY-MM-DD; {int(dates.isna().sum())} are not, e.g. {example!r}")
    per_eur = frame[currencies].apply(pd.to_numeric, errors="coerce").set_axis(pd.DatetimeIndex(dates), axis=0)
    per_eur = per_eur.where(per_eur > 0)
    base = context.base_currency
    converted = units_per_base(per_eur, base)
    no_base = converted.isna().all(axis=1)
    long = converted[~no_base].sort_index().stack(future_stack=True).dropna()
    fx = pd.DataFrame(
        {
            "date": pd.DatetimeIndex(long.index.get_level_values(0)),
            "currency": long.index.get_level_values(1).astype("string"),
            "units_per_base": long.to_numpy(dtype="float64"),
        }
    )
    summary = {
        "base_currency": base,
        "dates_read": len(frame),
        "dates_without_base_rate_dropped": int(no_base.sum()),
        "currencies": int(fx["currency"].nunique()),
        "fx_rows": len(fx),
        "first_date": str(fx["date"].min().date()),
        "last_date": str(fx["date"].max().date()),
    }
    return PresetTables(tables={TableName.FX_RATES: fx}, summary=summary)
