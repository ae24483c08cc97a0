"""NY Fed Global Supply Chain Pressure Index (monthly, 1998 onward) as global signals of kind ``other``.

One signal per month: value = the index level (standard deviations from its long-run mean), observed_at =
the month's last day (the date the file gives), scope global (no scope_id), ``indicator`` = ``gscpi``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hedgerow.domain.enums import ScopeType, SignalKind, TableName
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles, SourceFile

GSCPI = "gscpi_monthly.csv"
SOURCE = "Federal Reserve Bank of New York, Global Supply Chain Pressure Index"
NOTE = "GSCPI: global supply-chain pressure in standard deviations from its mean (Benigno et al. 2022)"


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"date": str})


DATASET = DataSet(
    title="NY Fed Global Supply Chain Pressure Index (GSCPI)",
    folder="gscpi",
    files=(SourceFile(GSCPI, ("date", "gscpi"), _read),),
)


def map_tables(raw: RawFiles, context: PresetContext) -> PresetTables:
    """Map the monthly GSCPI to global signals.

    Parameters
    ----------
    raw:
        The frame of gscpi_monthly.csv (``date`` = month end, ``gscpi`` = index level).
    context:
        The workspace's settings (not needed).

    Returns
    -------
    PresetTables
        signals, and a summary with the months read, written and dropped.
    """
    del context
    frame = raw[GSCPI]
    observed = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    value = pd.to_numeric(frame["gscpi"], errors="coerce")
    ok = observed.notna() & value.notna()
    observed, value = observed[ok], value[ok]
    signals = pd.DataFrame(
        {
            "signal_id": "gscpi-" + observed.dt.strftime("%Y-%m"),
            "kind": SignalKind.OTHER.value,
            "scope_type": ScopeType.GLOBAL.value,
            "scope_id": pd.Series(pd.NA, index=observed.index, dtype="string"),
            "value": value.astype("float64"),
            "observed_at": observed,
            "source": SOURCE,
            "note": NOTE,
            "indicator": "gscpi",
        }
    ).reset_index(drop=True)
    summary = {
        "months_read": len(frame),
        "signals": len(signals),
        "dropped_unparseable_date_or_value": int((~ok).sum()),
        "first_month": str(observed.min().date()) if len(signals) else None,
        "last_month": str(observed.max().date()) if len(signals) else None,
    }
    return PresetTables(tables={TableName.SIGNALS: signals}, summary=summary)
