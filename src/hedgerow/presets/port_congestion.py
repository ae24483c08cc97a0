"""US container-port congestion (BTS): weekly counts of containerships waiting, as port_congestion signals.

The BTS series are named by port complex or coast, not by port; each is mapped to UN/LOCODE port codes so
that a lane listing the port in its ``ports`` column receives the signal (table :data:`SERIES_SCOPES`, also
in docs/presets.md):

- ``LA-LB`` (awaiting berth) → USLAX and USLGB: one signal per port, each carrying the combined count of the
  San Pedro Bay complex;
- ``Savannah`` (awaiting berth) → USSAV;
- ``East`` / ``Gulf`` / ``West`` (anchored off the coast) → the main container ports of that coast
  (**assumption**: which ports a coast-wide count reaches), each carrying the coast-wide count;
- ``All U.S. Container Ports`` (awaiting berth) → scope country US;
- ``All Other Ports`` is dropped (counted in the summary): it is the remainder of the national count after
  LA-LB and Savannah, not a place.

value = vessels; observed_at = the BTS week date; source names BTS and the export date. The columns
``bts_series`` and ``indicator`` keep the original series so calibration can tell the kinds of count apart.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hedgerow.domain.enums import ScopeType, SignalKind, TableName
from hedgerow.presets.base import DataSet, PresetContext, PresetTables, RawFiles, SourceFile, slug

CONGESTION = "us_port_congestion_weekly.csv"
SOURCE = "BTS supply chain indicators: containerships waiting at US ports"

#: BTS series → (scope type, scope ids). Port codes are UN/LOCODEs.
SERIES_SCOPES: dict[str, tuple[ScopeType, tuple[str, ...]]] = {
    "LA-LB": (ScopeType.PORT, ("USLAX", "USLGB")),
    "Savannah": (ScopeType.PORT, ("USSAV",)),
    "East": (ScopeType.PORT, ("USNYC", "USSAV", "USORF", "USCHS", "USBAL")),
    "Gulf": (ScopeType.PORT, ("USHOU", "USMSY", "USMOB")),
    "West": (ScopeType.PORT, ("USLAX", "USLGB", "USOAK", "USSEA", "USTIW")),
    "All U.S. Container Ports": (ScopeType.COUNTRY, ("US",)),
}
#: BTS series deliberately left out, with the reason.
DROPPED_SERIES = {"All Other Ports": "remainder of the national count after LA-LB and Savannah, not a place"}

_INDICATOR_TEXT = {
    "containerships_anchored": "containerships anchored off the {series} coast (coast-wide count)",
    "containerships_awaiting_berth": "containerships awaiting berth at {series}",
}


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"date": str, "port_or_region": str, "indicator": str, "as_of": str})


DATASET = DataSet(
    title="BTS US container-port congestion",
    folder="port_congestion_bts",
    files=(SourceFile(CONGESTION, ("date", "port_or_region", "vessels", "indicator", "as_of"), _read),),
)


def map_tables(raw: RawFiles, context: PresetContext) -> PresetTables:
    """Map the BTS weekly congestion counts to port_congestion signals scoped to ports (or the US).

    Parameters
    ----------
    raw:
        The frame of us_port_congestion_weekly.csv.
    context:
        The workspace's settings (not needed).

    Returns
    -------
    PresetTables
        signals, and a summary with rows read, written and dropped per reason.
    """
    del context
    frame = raw[CONGESTION].copy()
    frame["observed_at"] = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    frame["vessels"] = pd.to_numeric(frame["vessels"], errors="coerce")
    frame["series"] = frame["port_or_region"].str.strip()
    known = frame["series"].isin(list(SERIES_SCOPES))
    bad_value = frame["observed_at"].isna() | frame["vessels"].isna() | (frame["vessels"] < 0)
    unknown = sorted(set(frame.loc[~known & ~frame["series"].isin(list(DROPPED_SERIES)), "series"].dropna()))
    kept = frame[known & ~bad_value]
    rows = []
    for series, indicator_raw, vessels, observed_at, as_of in zip(
        kept["series"].astype(str),
        kept["indicator"].astype(str).str.strip(),
        kept["vessels"].to_numpy(dtype="float64"),
        kept["observed_at"],
        kept["as_of"].astype(str).str.strip(),
        strict=True,
    ):
        scope_type, scope_ids = SERIES_SCOPES[series]
        indicator = str(indicator_raw)
        note = _INDICATOR_TEXT.get(indicator, indicator.replace("_", " ") + " ({series})").format(series=series)
        for scope_id in scope_ids:
            rows.append(
                {
                    "signal_id": f"bts-{slug(indicator).lower()}-{slug(series).lower()}-{scope_id}-{observed_at:%Y-%m-%d}",
                    "kind": SignalKind.PORT_CONGESTION.value,
                    "scope_type": scope_type.value,
                    "scope_id": scope_id,
                    "value": float(vessels),
                    "observed_at": observed_at,
                    "source": f"{SOURCE} (as of {as_of})",
                    "note": f"{note}, BTS",
                    "bts_series": series,
                    "indicator": indicator,
                }
            )
    signals = pd.DataFrame(rows)
    summary = {
        "rows_read": len(frame),
        "rows_mapped": len(kept),
        "signals": len(signals),
        "dropped_series_not_a_place": int(frame["series"].isin(list(DROPPED_SERIES)).sum()),
        "dropped_unknown_series": int((~known & ~frame["series"].isin(list(DROPPED_SERIES))).sum()),
        "unknown_series": unknown,
        "dropped_unparseable_date_or_count": int((known & bad_value).sum()),
        "ports": sorted({p for t, ids in SERIES_SCOPES.values() if t is ScopeType.PORT for p in ids}),
        "first_observed": str(kept["observed_at"].min().date()) if len(kept) else None,
        "last_observed": str(kept["observed_at"].max().date()) if len(kept) else None,
    }
    return PresetTables(tables={TableName.SIGNALS: signals}, summary=summary)
