"""Data-quality checks beyond the schema, and the per-table trust score they roll up into.

A table that passes the contract may still be doubtful: duplicate keys, ids that exist nowhere else, gaps in
a sales history, shipments delivered before they left, counts nobody refreshed for weeks, a sales figure
fifty times its usual level. These are warnings: the rows are kept, the plan is made, and the trust score
and the explanations say how much to believe it. One exception: an exchange rate that jumps away from its
currency's history by a factor no real currency moved (:mod:`hedgerow.contract.fx_checks`) is an error that
rejects the import, unless the import accepts such moves (``QualityContext.accept_fx_jumps``), when it is a
warning like the others.

Trust score (0–100) of a table::

    trust = 100 × (rows without any row-level warning / rows) × 0.5 ** (table-level warnings)

Row-level warnings are those that point at a row; table-level ones (a stale feed) halve the score each.
Pure: typed frames, settings and the import time in; findings and the score out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hedgerow.config import QualitySettings
from hedgerow.contract.fx_checks import FX_JUMP_FACTOR, suspicious_rates
from hedgerow.contract.report import CheckKind, Finding, article, value_text
from hedgerow.contract.spec import TableSpec
from hedgerow.domain.enums import MissingPeriods, Period, ScopeType, Severity, TableName

#: Factor applied to the trust score for each table-level warning.
TABLE_LEVEL_PENALTY = 0.5
#: Scale factor turning a median absolute deviation into a standard deviation for normal data.
MAD_TO_SIGMA = 1.4826
#: Fewest observations a series needs before outliers are looked for.
MIN_POINTS_FOR_OUTLIERS = 8


@dataclass(frozen=True)
class QualityContext:
    """What the checks compare a table with.

    Attributes
    ----------
    tables:
        Current frames of the other tables (the workspace's snapshots overlaid with the tables imported in
        the same batch), used for foreign keys and signal scopes.
    settings:
        Staleness and outlier thresholds.
    period:
        Length of a planning period, for gap and alignment checks.
    now:
        The import time (UTC, naive).
    missing_periods:
        How the demand engine reads a period without a row (``[demand] missing_periods``): gap warnings say so.
    history:
        The workspace's current snapshot of each imported table the import adds to (not for a replace): the
        neighbouring history checks compare the file's rows with (``fx_rates``).
    accept_fx_jumps:
        Keep implausible exchange rates as warnings instead of rejecting the import (``--accept-fx-jumps``).
    base_currency:
        The workspace's base currency, named in the fx_rates findings.
    """

    tables: Mapping[TableName, pd.DataFrame]
    settings: QualitySettings
    period: Period
    now: pd.Timestamp
    missing_periods: MissingPeriods = MissingPeriods.ZERO
    history: Mapping[TableName, pd.DataFrame] = field(default_factory=dict)
    accept_fx_jumps: bool = False
    base_currency: str = "the base currency"


def _row_findings(
    frame: pd.DataFrame, mask: pd.Series | np.ndarray, check: CheckKind, what: str, column: str | None
) -> list[Finding]:
    rows = frame.index[np.asarray(mask, dtype=bool)]
    values = frame.loc[rows, column] if column is not None else None
    return [
        Finding(
            check=check,
            severity=Severity.WARNING,
            what=what,
            column=column,
            row=int(row),
            value=value_text(values.loc[row]) if values is not None else None,
        )
        for row in rows
    ]


def _duplicate_keys(spec: TableSpec, frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    key = list(spec.key)
    if not set(key) <= set(frame.columns):
        return []
    mask = frame.duplicated(subset=key, keep="last")
    what = f"a key ({', '.join(key)}) repeated by a later row; only the last such row is used"
    return _row_findings(frame, mask, CheckKind.DUPLICATE_KEY, what, key[0])


def _known_values(ctx: QualityContext, table: TableName, column: str) -> pd.Series | None:
    other = ctx.tables.get(table)
    if other is None or column not in other.columns:
        return None
    return other[column].dropna()


def _unknown_references(spec: TableSpec, frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    out: list[Finding] = []
    for col in spec.columns:
        if col.references is None or col.name not in frame.columns:
            continue
        known = [_known_values(ctx, t, c) for t, c in col.references.targets]
        available = [k for k in known if k is not None]
        if not available:
            continue  # none of the referenced tables exists yet: nothing to check against
        universe = pd.Index(pd.concat(available).astype("string").unique())
        values = frame[col.name]
        mask = values.notna() & ~values.isin(universe)
        what = f"{article(col.name)} not found in {col.references.describe()}"
        out += _row_findings(frame, mask, CheckKind.UNKNOWN_REFERENCE, what, col.name)
    return out


def _signal_scopes(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    """Signals whose scope_id matches nothing in the network reach no lane: warn, they will be quarantined."""
    lanes = ctx.tables.get(TableName.LANES)
    locations = ctx.tables.get(TableName.LOCATIONS)
    suppliers = ctx.tables.get(TableName.SUPPLIERS)
    item_locations = ctx.tables.get(TableName.ITEM_LOCATIONS)
    universes: dict[str, set[str] | None] = {
        ScopeType.LANE.value: set(lanes["lane_id"].dropna()) if lanes is not None else None,
        ScopeType.PORT.value: (
            {p.strip() for ports in lanes["ports"].dropna() for p in str(ports).split(";") if p.strip()}
            if lanes is not None and "ports" in lanes.columns
            else None
        ),
        ScopeType.REGION.value: set(locations["region"].dropna()) if locations is not None else None,
        ScopeType.COUNTRY.value: (
            set(locations["country"].dropna())
            | (set(suppliers["country"].dropna()) if suppliers is not None else set())
            if locations is not None
            else None
        ),
        ScopeType.ITEM_LOCATION.value: (
            set(item_locations["item_id"].astype(str) + "@" + item_locations["location_id"].astype(str))
            if item_locations is not None
            else None
        ),
    }
    mask = np.zeros(len(frame), dtype=bool)
    scope_type = frame["scope_type"].astype("string")
    scope_id = frame["scope_id"].astype("string")
    for kind, universe in universes.items():
        if universe is None:
            continue
        rows = (scope_type == kind).to_numpy(dtype=bool, na_value=False)
        known = scope_id.isin(list(universe)).to_numpy(dtype=bool, na_value=False)
        mask |= rows & ~known
    what = "a scope_id that matches nothing in the network (the signal reaches no lane and is quarantined)"
    return _row_findings(frame, mask, CheckKind.UNKNOWN_REFERENCE, what, "scope_id")


def _freight_scope(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    """A freight rate with neither lane_id nor mode applies to nothing: warn, the fit leaves it out."""
    lane = frame["lane_id"] if "lane_id" in frame.columns else pd.Series(pd.NA, index=frame.index)
    mode = frame["mode"] if "mode" in frame.columns else pd.Series(pd.NA, index=frame.index)
    mask = (lane.isna() & mode.isna()).to_numpy(dtype=bool)
    what = "a rate with neither lane_id nor mode (it applies to no lane and is left out of the freight fit)"
    return _row_findings(frame, mask, CheckKind.NO_SCOPE, what, "lane_id")


def _period_steps(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Rows sorted by series and period, and the step in days from each row's previous period (NaN at a start)."""
    ordered = frame.sort_values(["item_id", "location_id", "period_start"])
    same_series = (ordered["item_id"] == ordered["item_id"].shift()) & (
        ordered["location_id"] == ordered["location_id"].shift()
    )
    delta = (ordered["period_start"] - ordered["period_start"].shift()).dt.days
    return ordered.index.to_series(), delta.where(same_series.fillna(False).to_numpy(dtype=bool))


def cadence_days(frame: pd.DataFrame, default: int) -> float:
    """The table's usual step between consecutive periods of a series, in days (median; ``default`` if none).

    Data in the contract is dated rows: a workspace planned weekly may hold monthly history (carparts), so gaps
    and weekday alignment are judged against the cadence the data actually has, not only the setting.
    """
    _, steps = _period_steps(frame)
    positive = steps[steps > 0]
    return float(positive.median()) if len(positive) else float(default)


def _series_gaps(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    cadence = cadence_days(frame, ctx.period.days)
    index, steps = _period_steps(frame)
    gap = (steps > 1.5 * cadence).to_numpy(dtype=bool, na_value=False)
    mask = pd.Series(False, index=frame.index)
    mask.loc[index[gap].to_numpy()] = True
    reading = {
        MissingPeriods.ZERO: 'the missing periods count as zero sales; [demand] missing_periods = "unknown" '
        "treats them as unknown",
        MissingPeriods.UNKNOWN: 'the missing periods are unknown, skipped by the models ([demand] missing_periods = "unknown")',
    }[ctx.missing_periods]
    what = f"a period after a gap in its item-location's history ({reading})"
    return _row_findings(frame, mask, CheckKind.DEMAND_GAP, what, "period_start")


def _irregular_periods(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    if frame["period_start"].isna().all() or round(cadence_days(frame, ctx.period.days)) != Period.WEEK.days:
        return []
    weekday = frame["period_start"].dt.weekday
    usual = int(weekday.mode().iloc[0])
    mask = weekday.notna() & (weekday != usual)
    day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=usual)  # 2024-01-01 is a Monday
    what = f"a period_start on another weekday than the table's usual {day.day_name()}"
    return _row_findings(frame, mask, CheckKind.IRREGULAR_PERIOD, what, "period_start")


def _outliers(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    keys = [frame["item_id"], frame["location_id"]]
    qty = frame["qty"]
    grouped = qty.groupby(keys, sort=False)
    median = grouped.transform("median")
    mad = (qty - median).abs().groupby(keys, sort=False).transform("median")
    count = grouped.transform("count")
    sigma = MAD_TO_SIGMA * mad
    z = (qty - median).abs() / sigma.where(sigma > 0)
    mask = (count >= MIN_POINTS_FOR_OUTLIERS) & (z > ctx.settings.outlier_robust_z)
    what = (
        f"a qty more than {ctx.settings.outlier_robust_z:g} robust standard deviations from its item-location's median"
    )
    return _row_findings(frame, mask.fillna(False), CheckKind.OUTLIER, what, "qty")


def _shipment_dates(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    delivered_early = frame["delivered_date"].notna() & (frame["delivered_date"] < frame["ship_date"])
    eta_early = frame["eta_date"] < frame["ship_date"]
    return _row_findings(
        frame,
        delivered_early.fillna(False),
        CheckKind.DELIVERED_BEFORE_SHIPPED,
        "a delivered_date before its ship_date (left out of lead-time models)",
        "delivered_date",
    ) + _row_findings(
        frame,
        eta_early.fillna(False),
        CheckKind.ETA_BEFORE_SHIPPED,
        "an eta_date before its ship_date",
        "eta_date",
    )


def _stale_counts(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    latest = frame.groupby(["item_id", "location_id"], sort=False)["counted_at"].transform("max")
    is_latest = frame["counted_at"] == latest
    limit = ctx.now - pd.Timedelta(days=ctx.settings.stale_inventory_days)
    mask = is_latest & (frame["counted_at"] < limit)
    what = f"a latest count older than {ctx.settings.stale_inventory_days} days"
    return _row_findings(frame, mask.fillna(False), CheckKind.STALE_COUNT, what, "counted_at")


def _stale_feed(column: str, days: int) -> Callable[[pd.DataFrame, QualityContext], list[Finding]]:
    def check(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
        newest = frame[column].max()
        if pd.isna(newest) or newest >= ctx.now - pd.Timedelta(days=days):
            return []
        age = (ctx.now - newest).days
        return [
            Finding(
                check=CheckKind.STALE_FEED,
                severity=Severity.WARNING,
                what=f"the newest {column} is {age} days old (stale after {days} days)",
                column=column,
            )
        ]

    return check


#: The option of `hedgerow import` (the API's ``accept_fx_jumps``) that keeps implausible rates as warnings.
ACCEPT_FX_JUMPS = "--accept-fx-jumps"


def _fx_rates(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    """Rates that jump from their currency's neighbouring history (the workspace's rates and the file's), or a
    lone rate outside the plausible band (:mod:`hedgerow.contract.fx_checks`); only the file's rows are reported.
    """
    history = ctx.history.get(TableName.FX_RATES)
    checked = frame
    if history is not None and len(history):
        # the workspace's rows first, relabelled below the file's 1-based rows, so a file row with the same key
        # (the upsert's replacement) is the one that counts
        old = history[["date", "currency", "units_per_base"]].set_axis(pd.RangeIndex(-len(history), 0), axis=0)
        checked = pd.concat([old, frame[["date", "currency", "units_per_base"]]])
    severity = Severity.WARNING if ctx.accept_fx_jumps else Severity.ERROR
    then = (
        "kept because the import accepted such moves"
        if ctx.accept_fx_jumps
        else f"correct it (units of the currency per one {ctx.base_currency}) and import again, or, if the move "
        f"is real (a redenomination, a devaluation), import with {ACCEPT_FX_JUMPS}"
    )
    out = []
    for flagged in suspicious_rates(checked, rows=frame.index):
        if flagged.out_of_band:
            kind, what = CheckKind.FX_OUT_OF_BAND, "a units_per_base outside any real exchange rate"
        else:
            kind = CheckKind.FX_JUMP
            what = f"a units_per_base more than {FX_JUMP_FACTOR:g} times or under 1/{FX_JUMP_FACTOR:g} of the rates around it"
        out.append(
            Finding(
                check=kind,
                severity=severity,
                what=f"{what} ({flagged.neighbours_text()}): {then}",
                column="units_per_base",
                row=flagged.index,
                value=value_text(flagged.rate),
            )
        )
    return out


def _expired_holds(frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    mask = frame["expires_at"] < ctx.now.normalize()
    return _row_findings(
        frame,
        mask.fillna(False),
        CheckKind.EXPIRED_HOLD,
        "a hold that has expired (it no longer counts)",
        "expires_at",
    )


Check = Callable[[pd.DataFrame, QualityContext], list[Finding]]


def _table_checks(table: TableName, settings: QualitySettings) -> list[Check]:
    checks: dict[TableName, list[Check]] = {
        TableName.DEMAND: [_series_gaps, _irregular_periods, _outliers],
        TableName.DRIVERS: [_irregular_periods],
        TableName.SHIPMENTS: [_shipment_dates],
        TableName.INVENTORY: [_stale_counts],
        TableName.SIGNALS: [_signal_scopes, _stale_feed("observed_at", settings.stale_signal_days)],
        TableName.FX_RATES: [_fx_rates, _stale_feed("date", settings.stale_fx_days)],
        TableName.FREIGHT_RATES: [_freight_scope],
        TableName.HOLDS: [_expired_holds],
    }
    return checks.get(table, [])


def trust_score(rows: int, findings: tuple[Finding, ...] | list[Finding]) -> float:
    """Trust score 0–100 of a table from its warnings (formula in the module docstring)."""
    if rows == 0:
        return 0.0
    flagged = {f.row for f in findings if f.row is not None and f.severity is Severity.WARNING}
    table_level = sum(1 for f in findings if f.row is None and f.severity is Severity.WARNING)
    score = 100.0 * (1.0 - len(flagged) / rows) * TABLE_LEVEL_PENALTY**table_level
    return round(score, 1)


def quality_findings(spec: TableSpec, frame: pd.DataFrame, ctx: QualityContext) -> list[Finding]:
    """Every data-quality warning of a typed, schema-valid table."""
    findings = _duplicate_keys(spec, frame, ctx) + _unknown_references(spec, frame, ctx)
    for check in _table_checks(spec.name, ctx.settings):
        findings += check(frame, ctx)
    return findings
