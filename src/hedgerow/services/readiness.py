"""Is the workspace ready to plan? The checks `hedgerow status` prints and a plan reports at its top.

Readiness says **ready**, **ready with gaps** or **not ready** and lists every gap with the command that fixes
it. A *blocking* gap means a plan would fail or be meaningless; any other gap means the plan runs on an
assumption the planner should know (e.g. zero stock where nothing was counted). The checks:

=====================  ==================================================================================
check                  finding
=====================  ==================================================================================
``missing_table``      a table every plan needs (items, locations, item_locations, lanes, demand) is not
                       imported or empty: blocking
``missing_fx``         a currency of items, item_locations or lanes has no rate against the base currency on
                       or before the as-of day: a plan leaves out what it touches (blocking when every
                       item-location is priced in such currencies); fewer than :data:`MIN_FX_DAYS` days of
                       rates: blocking
``suspicious_fx``      fx_rates holds rates that jump more than ten-fold from their currency's neighbouring
                       rates (or a lone rate outside any real one), kept by ``hedgerow import
                       --accept-fx-jumps``: the plan converts with them as they are
``no_inventory``       no counts at all: blocking (a plan would order everything), unless the plan is asked to
                       assume zero stock (``hedgerow plan --assume-zero-stock``); item-locations without a
                       count: 0 on hand assumed for them
``no_shipments``       no shipments: nothing is in transit and lead times are the lanes' stated times
``no_signals``         no signals: no current disruption is known, lanes run at their base rates
``frequency``          demand rows are further apart than the workspace period (monthly sales in a weekly
                       workspace): blocking
``short_history``      the median series spans less than one season (no seasonality can be learnt)
``stale``              a table's newest record (not its import time) is older than its limit; demand that
                       ends more than the plan's horizon before the as-of day is blocking
=====================  ==================================================================================

Pure: the tables' facts (:mod:`hedgerow.contract.facts`), the settings and the as-of day in; a
:class:`Readiness` out. :func:`readiness_of_frames` runs the same checks on a plan's frames, and
:func:`plan_gaps` finds in a plan's frames the gaps a plan is made with (what it assumes, for which
item-locations), or raises when one blocks; :func:`refuse_unplannable` raises on every other blocking gap before
a plan's first expensive step. What each gap makes a plan assume is said in one place,
:data:`ASSUMED`, for `status`, the top of a plan and its explanations alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hedgerow.config import Settings
from hedgerow.contract.facts import CURRENCY_COLUMNS, TableFacts
from hedgerow.contract.fx_checks import FX_JUMP_FACTOR
from hedgerow.contract.spec import MINIMUM_TABLES
from hedgerow.domain.enums import Period, ScopeType, TableName
from hedgerow.domain.gaps import DataGap, DataGapKind
from hedgerow.errors import PlanningError

if TYPE_CHECKING:
    import pandas as pd

#: Fewest days of rates per foreign currency the FX scenarios need (returns between three days).
MIN_FX_DAYS = 3
#: Demand rows further apart than this many workspace periods (median) are a coarser frequency.
COARSER_THAN_PERIOD = 1.5
#: Periods of one season, per workspace period (the demand engine's default season length, demand/frequency.py).
SEASON_PERIODS: dict[Period, int] = {Period.WEEK: 52, Period.DAY: 7}
#: Median days between periods read as monthly history.
MONTH_DAYS = (27.0, 32.0)
#: Demand is stale after this many periods without a newer row.
STALE_DEMAND_PERIODS = 3
#: Examples quoted in a gap's message.
EXAMPLES = 3
#: The option of `hedgerow plan` (and of the API's plan job, ``assume_zero_stock``) that plans without counts.
ASSUME_ZERO_STOCK = "--assume-zero-stock"

#: What a plan assumes for want of each kind of data: the words of `status`, the plan's top and explanations.
ASSUMED: dict[DataGapKind, str] = {
    DataGapKind.NO_INVENTORY: "no count on record — assumed 0 units on hand",
    DataGapKind.NO_SHIPMENTS: "no shipments on record — assumed nothing in transit, lead times as the lanes state",
    DataGapKind.NO_SIGNALS: "no signals on record — assumed no current disruption, lanes at their base rates",
    DataGapKind.MISSING_FX: "no exchange rate on record — left out of the plan",
}
#: The import command that fills each kind of gap.
FIXES: dict[DataGapKind, str] = {
    DataGapKind.NO_INVENTORY: "hedgerow import inventory.csv (one count per item-location: item_id, location_id, "
    "on_hand, counted_at)",
    DataGapKind.NO_SHIPMENTS: "hedgerow import shipments.csv (open shipments have an empty delivered_date)",
    DataGapKind.NO_SIGNALS: "hedgerow import signals.csv (or a feed's preset: hedgerow import-preset)",
    DataGapKind.MISSING_FX: "hedgerow import fx_rates.csv (units of each currency per one {base}), or the ECB "
    "reference rates: hedgerow import-preset ecb PATH/ecb_fx_rates",
}


class Verdict(StrEnum):
    """How ready a workspace is to plan."""

    READY = "ready"
    READY_WITH_GAPS = "ready with gaps"
    NOT_READY = "not ready"


class GapKind(StrEnum):
    """What a readiness gap is about (module table)."""

    MISSING_TABLE = "missing_table"
    MISSING_FX = "missing_fx"
    SUSPICIOUS_FX = "suspicious_fx"
    NO_INVENTORY = "no_inventory"
    NO_SHIPMENTS = "no_shipments"
    NO_SIGNALS = "no_signals"
    FREQUENCY = "frequency"
    SHORT_HISTORY = "short_history"
    STALE = "stale"


@dataclass(frozen=True)
class Gap:
    """One thing between the workspace and a trustworthy plan.

    Attributes
    ----------
    kind:
        What it is about.
    table:
        The table concerned, when one is.
    blocking:
        True when a plan would fail or be meaningless.
    message:
        What is missing or wrong, with figures.
    fix:
        The command (or setting) that fixes it.
    assumed:
        What a plan assumes while the gap is open (:data:`ASSUMED`), when it plans on an assumption.
    """

    kind: GapKind
    table: TableName | None
    blocking: bool
    message: str
    fix: str
    assumed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": self.kind.value,
            "table": self.table.value if self.table else None,
            "blocking": self.blocking,
            "message": self.message,
            "fix": self.fix,
            "assumed": self.assumed,
        }


@dataclass(frozen=True)
class Readiness:
    """The readiness of a workspace on a day: its verdict and every gap, blocking ones first."""

    as_of: date
    gaps: tuple[Gap, ...]
    open_shipments: int | None = None

    @property
    def verdict(self) -> Verdict:
        """Not ready with any blocking gap, ready with gaps with any other, else ready."""
        if any(g.blocking for g in self.gaps):
            return Verdict.NOT_READY
        return Verdict.READY_WITH_GAPS if self.gaps else Verdict.READY

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "verdict": self.verdict.value,
            "as_of": self.as_of.isoformat(),
            "open_shipments": self.open_shipments,
            "gaps": [g.to_dict() for g in self.gaps],
        }


def _missing_tables(facts: Mapping[TableName, TableFacts]) -> list[Gap]:
    gaps = []
    for table in MINIMUM_TABLES:
        have = facts.get(table)
        if have is None or have.rows == 0:
            state = "is not imported" if have is None else "is empty"
            gaps.append(
                Gap(
                    GapKind.MISSING_TABLE,
                    table,
                    True,
                    f"{table.value} {state}; every plan needs it (docs/data-contract.md#{table.value})",
                    f"hedgerow import {table.value}.csv",
                )
            )
    return gaps


_FX_FIX = FIXES[DataGapKind.MISSING_FX]


def _fx(facts: Mapping[TableName, TableFacts], settings: Settings, as_of: date) -> list[Gap]:
    base = settings.workspace.base_currency
    used = sorted({c for t in facts.values() for c in t.currencies if c != base})
    if not used:
        return []
    rates = facts.get(TableName.FX_RATES)
    history = rates.fx if rates is not None else {}
    fix = _FX_FIX.format(base=base)
    gaps = []
    absent = [c for c in used if c not in history or history[c].first > as_of]
    if absent:
        where = "no fx_rates are imported" if rates is None else f"fx_rates has {', '.join(sorted(history)) or 'none'}"
        users = {c: ", ".join(sorted(t.value for t, f in facts.items() if c in f.currencies)) for c in absent}
        # a plan leaves out what the currencies touch (leave_out_unquoted); nothing is left when every item, price,
        # location or lane is in one of them
        nothing_left = any(
            (f := facts.get(t)) is not None and f.currencies and set(f.currencies) <= set(absent)
            for t in (TableName.ITEMS, TableName.ITEM_LOCATIONS, TableName.LOCATIONS, TableName.LANES)
        )
        effect = (
            "the plan cannot convert their costs and prices nor draw their FX paths"
            if nothing_left
            else "a plan leaves out the item-locations they touch (priced, kept, bought or shipped in them)"
        )
        gaps.append(
            Gap(
                GapKind.MISSING_FX,
                TableName.FX_RATES,
                nothing_left,
                f"no exchange rate against {base} on or before {as_of} for "
                + "; ".join(f"{c} (used by {users[c]})" for c in absent)
                + f" ({where}): {effect}",
                fix,
                None if nothing_left else ASSUMED[DataGapKind.MISSING_FX],
            )
        )
    short = [c for c in used if c in history and c not in absent and history[c].days < MIN_FX_DAYS]
    if short:
        gaps.append(
            Gap(
                GapKind.MISSING_FX,
                TableName.FX_RATES,
                True,
                f"fewer than {MIN_FX_DAYS} days of rates for {', '.join(short)}: FX scenarios need a history",
                fix,
            )
        )
    limit = settings.quality.stale_fx_days
    old = [f"{c} ({history[c].last})" for c in used if c in history and (as_of - history[c].last).days > limit]
    if old and not absent:
        gaps.append(
            Gap(
                GapKind.STALE,
                TableName.FX_RATES,
                False,
                f"the newest rates of {', '.join(old)} are older than [quality] stale_fx_days = {limit} days: "
                "FX scenarios start from an old spot rate",
                fix,
            )
        )
    return gaps


def _suspicious_fx(facts: Mapping[TableName, TableFacts], settings: Settings) -> list[Gap]:
    """Implausible rates an import kept on purpose (``--accept-fx-jumps``): named, so nobody plans on them unaware."""
    rates = facts.get(TableName.FX_RATES)
    if rates is None or not rates.fx_suspicious_rows:
        return []
    n = rates.fx_suspicious_rows
    shown = "; ".join(s.text() for s in rates.fx_suspicious[:EXAMPLES])
    more = f" and {n - EXAMPLES:,} more" if n > EXAMPLES else ""
    return [
        Gap(
            GapKind.SUSPICIOUS_FX,
            TableName.FX_RATES,
            False,
            f"fx_rates has {n:,} rate{'s' if n != 1 else ''} more than {FX_JUMP_FACTOR:g} times or under "
            f"1/{FX_JUMP_FACTOR:g} of the rates around {'them' if n != 1 else 'it'} (or outside any real rate), "
            f"imported with --accept-fx-jumps: {shown}{more}. A plan converts costs and prices with "
            f"{'them' if n != 1 else 'it'} as they are",
            f"if a rate is a typo or in the wrong units: hedgerow import fx_rates.csv with the corrected rows "
            f"(units of each currency per one {settings.workspace.base_currency}; the default upsert replaces a "
            f"date's rate)",
        )
    ]


def _inventory(facts: Mapping[TableName, TableFacts], settings: Settings, as_of: date) -> list[Gap]:
    counts = facts.get(TableName.INVENTORY)
    stocked = facts.get(TableName.ITEM_LOCATIONS)
    fix = FIXES[DataGapKind.NO_INVENTORY]
    assumed = ASSUMED[DataGapKind.NO_INVENTORY]
    if counts is None or counts.rows == 0:
        return [
            Gap(
                GapKind.NO_INVENTORY,
                TableName.INVENTORY,
                True,
                "no inventory counts: a plan would assume 0 units on hand at every item-location and recommend "
                f"ordering everything, so it is refused unless asked for (hedgerow plan {ASSUME_ZERO_STOCK})",
                f"{fix}; or, to plan on zero stock on purpose: hedgerow plan {ASSUME_ZERO_STOCK}",
                assumed,
            )
        ]
    gaps = []
    if stocked is not None and stocked.pairs:
        counted = set(counts.pairs)
        uncounted = [p for p in stocked.pairs if p not in counted]
        if uncounted:
            shown = "; ".join(f"{i} at {loc}" for i, loc in uncounted[:EXAMPLES])
            gaps.append(
                Gap(
                    GapKind.NO_INVENTORY,
                    TableName.INVENTORY,
                    False,
                    f"{len(uncounted):,} of {len(stocked.pairs):,} item-locations have no count (0 on hand "
                    f"assumed), e.g. {shown}",
                    fix,
                    assumed,
                )
            )
    gaps += _stale(counts, settings.quality.stale_inventory_days, "[quality] stale_inventory_days", as_of, fix)
    return gaps


def _stale(facts: TableFacts, limit_days: int, setting: str, as_of: date, fix: str) -> list[Gap]:
    if facts.last is None:
        return []
    age = (as_of - facts.last).days
    if age <= limit_days:
        return []
    return [
        Gap(
            GapKind.STALE,
            facts.table,
            False,
            f"the newest {facts.table.value} record is from {facts.last}, {age:,} days before {as_of} "
            f"(stale after {setting} = {limit_days} days)",
            fix,
        )
    ]


def _shipments(facts: Mapping[TableName, TableFacts]) -> list[Gap]:
    if TableName.SHIPMENTS in facts:
        return []
    return [
        Gap(
            GapKind.NO_SHIPMENTS,
            TableName.SHIPMENTS,
            False,
            "no shipments: nothing is counted in transit and lead times are the lanes' stated times, not measured",
            FIXES[DataGapKind.NO_SHIPMENTS],
            ASSUMED[DataGapKind.NO_SHIPMENTS],
        )
    ]


def _signals(facts: Mapping[TableName, TableFacts]) -> list[Gap]:
    have = facts.get(TableName.SIGNALS)
    if have is not None and have.rows:
        return []
    return [
        Gap(
            GapKind.NO_SIGNALS,
            TableName.SIGNALS,
            False,
            "no signals: no port closure, strike or congestion is known, so every lane runs at its base disruption "
            "rate",
            FIXES[DataGapKind.NO_SIGNALS],
            ASSUMED[DataGapKind.NO_SIGNALS],
        )
    ]


def _demand(facts: Mapping[TableName, TableFacts], settings: Settings, as_of: date) -> list[Gap]:
    demand = facts.get(TableName.DEMAND)
    if demand is None or demand.rows == 0 or demand.demand is None or demand.last is None:
        return []
    period = settings.workspace.period
    shape = demand.demand
    gaps = []
    step = shape.median_step_days
    if step is not None and step > COARSER_THAN_PERIOD * period.days:
        coarser = "monthly" if MONTH_DAYS[0] <= step <= MONTH_DAYS[1] else f"{step:g} days apart"
        if period is Period.DAY and step <= COARSER_THAN_PERIOD * Period.WEEK.days:
            fix = 'set [workspace] period = "week" in hedgerow.toml'
        else:
            fix = (
                f"import demand with one row per {period.value} and item-location: "
                "hedgerow import demand.csv --mode replace --force"
            )
        gaps.append(
            Gap(
                GapKind.FREQUENCY,
                TableName.DEMAND,
                True,
                f"demand is {coarser} (median {step:g} days between a series' periods) but [workspace] period is "
                f"{period.value}: every {period.value} without a row would count as no sales",
                fix,
            )
        )
    season = SEASON_PERIODS[period]
    span_periods = shape.median_span_days / period.days + 1
    if span_periods < season:
        gaps.append(
            Gap(
                GapKind.SHORT_HISTORY,
                TableName.DEMAND,
                False,
                f"the median item-location has {span_periods:,.0f} {period.value}s of history, less than one season "
                f"({season} {period.value}s): no seasonality can be learnt",
                "hedgerow import demand.csv with older sales (the default upsert adds them)",
            )
        )
    age_periods = (as_of - demand.last).days / period.days
    horizon = settings.workspace.horizon_periods
    if age_periods > STALE_DEMAND_PERIODS:
        after = demand.last + timedelta(days=period.days)
        blocking = age_periods > horizon
        effect = (
            f"more than the plan's horizon ({horizon} {period.value}s): a plan as of {as_of} would forecast from "
            f"history that ended long before it"
            if blocking
            else f"the plan has no sales for the {age_periods:,.0f} {period.value}s since"
        )
        gaps.append(
            Gap(
                GapKind.STALE,
                TableName.DEMAND,
                blocking,
                f"demand ends {demand.last}, {age_periods:,.0f} {period.value}s before {as_of}: {effect}",
                f"hedgerow import demand.csv with recent sales, or plan as of the history's end: "
                f"hedgerow plan --as-of {after}",
            )
        )
    return gaps


def assess(facts: Mapping[TableName, TableFacts], settings: Settings, as_of: date) -> Readiness:
    """Every readiness check (module table) on the tables' facts as of ``as_of``; blocking gaps first."""
    gaps = _missing_tables(facts)
    gaps += _fx(facts, settings, as_of)
    gaps += _suspicious_fx(facts, settings)
    gaps += _inventory(facts, settings, as_of)
    gaps += _shipments(facts)
    gaps += _signals(facts)
    gaps += _demand(facts, settings, as_of)
    signals = facts.get(TableName.SIGNALS)
    if signals is not None:
        gaps += _stale(
            signals,
            settings.quality.stale_signal_days,
            "[quality] stale_signal_days",
            as_of,
            "hedgerow import signals.csv with recent observations (or the feed's preset: hedgerow import-preset)",
        )
    ordered = tuple(sorted(gaps, key=lambda g: not g.blocking))
    shipments = facts.get(TableName.SHIPMENTS)
    return Readiness(as_of=as_of, gaps=ordered, open_shipments=shipments.open_rows if shipments else None)


def readiness_of_frames(frames: Mapping[TableName, pd.DataFrame], settings: Settings, as_of: date) -> Readiness:
    """:func:`assess` on a plan's frames (the facts are computed from them)."""
    from hedgerow.contract.facts import table_facts

    return assess({t: table_facts(t, f) for t, f in frames.items() if f is not None}, settings, as_of)


def _pairs(frame: pd.DataFrame | None) -> frozenset[tuple[str, str]]:
    if frame is None or not len(frame):
        return frozenset()
    return frozenset(zip(frame["item_id"].astype(str), frame["location_id"].astype(str), strict=True))


def _no_counts_error(table_state: str, planned: int, as_of: date) -> PlanningError:
    return PlanningError(
        f"inventory {table_state}: a plan needs a count of what is on hand at each of its {planned:,} "
        f"item-locations (one row per item-location with on_hand and counted_at on or before {as_of}); without them "
        f"it would assume 0 units everywhere and order everything. Import the counts: "
        f"{FIXES[DataGapKind.NO_INVENTORY]}; or plan on zero stock on purpose: hedgerow plan {ASSUME_ZERO_STOCK}"
    )


def _quoted(frames: Mapping[TableName, pd.DataFrame], as_of: date) -> set[str]:
    """Currencies with a rate on or before ``as_of``."""
    import pandas as pd

    rates = frames.get(TableName.FX_RATES)
    if rates is None or not len(rates):
        return set()
    return {str(c) for c in rates.loc[rates["date"] < pd.Timestamp(as_of) + pd.Timedelta(days=1), "currency"]}


def _unquoted_users(frames: Mapping[TableName, pd.DataFrame], base: str, as_of: date) -> dict[str, list[str]]:
    """Each currency without a rate on or before ``as_of`` and the tables' rows using it ("3 lanes rows")."""
    quoted = _quoted(frames, as_of)
    users: dict[str, list[str]] = {}
    for table, column in CURRENCY_COLUMNS.items():
        frame = frames.get(table)
        if frame is None or column not in frame.columns:
            continue
        for currency, rows in frame[column].dropna().astype(str).value_counts().sort_index().items():
            if currency != base and currency not in quoted:
                users.setdefault(str(currency), []).append(f"{rows:,} {table.value} rows")
    return users


def _ids(frame: pd.DataFrame | None, key: str, column: str, currencies: set[str]) -> set[str]:
    if frame is None or column not in frame.columns:
        return set()
    return {str(v) for v in frame.loc[frame[column].astype(str).isin(currencies), key]}


def _supplied(
    pairs: frozenset[tuple[str, str]], supplier_of: Mapping[str, str], lanes: pd.DataFrame | None
) -> set[tuple[str, str]]:
    """The item-locations ``lanes`` can bring stock to: from the item's supplier, or by transfer from a location
    that is itself supplied (to a fixed point)."""
    if lanes is None:
        return set()
    into: dict[str, set[str]] = {}
    for origin, destination in zip(lanes["origin_id"].astype(str), lanes["destination_id"].astype(str), strict=True):
        into.setdefault(destination, set()).add(origin)
    supplied = {(i, loc) for i, loc in pairs if supplier_of.get(i) in into.get(loc, ())}
    grown = True
    while grown:
        more = {(i, loc) for i, loc in pairs - supplied if any((i, o) in supplied for o in into.get(loc, ()))}
        supplied |= more
        grown = bool(more)
    return supplied


def _in_transit_on_gone_lanes(
    shipments: pd.DataFrame | None, lanes: pd.DataFrame | None, kept_lanes: pd.DataFrame | None
) -> set[tuple[str, str]]:
    """The item-locations with stock in transit (not yet delivered) on a lane that is left out: planning them
    without it would understate what they will have."""
    if shipments is None or lanes is None or kept_lanes is None or shipments.empty:
        return set()
    gone = lanes[~lanes["lane_id"].isin(kept_lanes["lane_id"])]
    open_ = shipments[shipments["lane_id"].isin(gone["lane_id"]) & shipments["delivered_date"].isna()]
    destination = open_["lane_id"].map(gone.set_index("lane_id")["destination_id"])
    return set(zip(open_["item_id"].astype(str), destination.astype(str), strict=True))


def leave_out_unquoted(
    frames: Mapping[TableName, pd.DataFrame], base: str, as_of: date
) -> tuple[dict[TableName, pd.DataFrame], DataGap | None]:
    """The tables without what a currency with no rate on or before ``as_of`` touches, and the gap that says so.

    A plan cannot convert the costs or prices of a currency without a rate, nor draw its FX paths, but the rest
    of the network can still be planned (issue 16). Left out: the item-locations priced in it, at a location
    keeping its books in it, of an item bought in it or from a supplier paid in it, those that only lanes costed
    in it (or from and to the places left out) supplied, and those with stock in transit on such a lane; those
    lanes, places, suppliers and items go too, with the shipments on the lanes. The gap lists the item-locations left out and the import that brings them
    back.

    Raises
    ------
    PlanningError
        Nothing would be left to plan: the message names the currencies, the rows using them and the import.
    """
    from hedgerow.contract.scope import tables_for_item_locations

    users = _unquoted_users(frames, base, as_of)
    if not users:
        return dict(frames), None
    missing = set(users)
    items, stocked = frames.get(TableName.ITEMS), frames.get(TableName.ITEM_LOCATIONS)
    lanes = frames.get(TableName.LANES)
    planned = _pairs(stocked)
    suppliers_out = _ids(frames.get(TableName.SUPPLIERS), "supplier_id", "currency", missing)
    places_out = _ids(frames.get(TableName.LOCATIONS), "location_id", "currency", missing)
    supplier_of: dict[str, str] = {}
    items_out: set[str] = set()
    if items is not None:
        supplier_of = {str(i): str(s) for i, s in zip(items["item_id"], items["supplier_id"], strict=True)}
        items_out = _ids(items, "item_id", "cost_currency", missing)
        items_out |= {i for i, s in supplier_of.items() if s in suppliers_out}
    priced_out = set()
    if stocked is not None:
        priced = stocked[stocked["price_currency"].astype(str).isin(missing)]
        priced_out = set(zip(priced["item_id"].astype(str), priced["location_id"].astype(str), strict=True))
    kept_lanes = lanes
    if lanes is not None:
        ends_out = suppliers_out | places_out
        lane_out = (
            lanes["cost_currency"].astype(str).isin(missing)
            | lanes["origin_id"].astype(str).isin(ends_out)
            | lanes["destination_id"].astype(str).isin(ends_out)
        )
        kept_lanes = lanes[~lane_out]
    left = {p for p in planned if p[0] in items_out or p[1] in places_out or p in priced_out}
    left |= _in_transit_on_gone_lanes(frames.get(TableName.SHIPMENTS), lanes, kept_lanes) & planned
    supplied_before = _supplied(planned, supplier_of, lanes)
    while True:  # what only the lanes or the places left out supplied goes too, to a fixed point
        lost = (supplied_before - left) - _supplied(planned - left, supplier_of, kept_lanes)
        if not lost:
            break
        left |= lost
    left_out = frozenset(left)
    kept = planned - left_out
    if not kept:
        where = (
            "no fx_rates are imported"
            if frames.get(TableName.FX_RATES) is None
            else (f"fx_rates has {', '.join(sorted(_quoted(frames, as_of))) or 'none'}")
        )
        listed = "; ".join(f"{c} (in {', '.join(used)})" for c, used in sorted(users.items()))
        raise PlanningError(
            f"fx_rates has no exchange rate against {base} on or before {as_of} for {listed} ({where}): a plan of "
            f"these {len(planned):,} item-locations cannot convert their costs and prices nor draw their FX paths, "
            f"and none is left without them. Import the rates: {FIXES[DataGapKind.MISSING_FX].format(base=base)}"
        )
    out = tables_for_item_locations(frames, kept)
    if kept_lanes is not None and lanes is not None:
        out[TableName.LANES] = kept_lanes
        gone = set(lanes["lane_id"].astype(str)) - set(kept_lanes["lane_id"].astype(str))
        shipments = out.get(TableName.SHIPMENTS)
        if shipments is not None:
            out[TableName.SHIPMENTS] = shipments[~shipments["lane_id"].astype(str).isin(gone)]
        signals = out.get(TableName.SIGNALS)
        if signals is not None:
            on_gone = (signals["scope_type"] == ScopeType.LANE.value) & signals["scope_id"].astype(str).isin(gone)
            out[TableName.SIGNALS] = signals[~on_gone]
    for table, key, dropped in (
        (TableName.ITEMS, "item_id", items_out),
        (TableName.SUPPLIERS, "supplier_id", suppliers_out),
        (TableName.LOCATIONS, "location_id", places_out),
    ):
        frame = out.get(table)
        if frame is not None and dropped:
            out[table] = frame[~frame[key].astype(str).isin(dropped)]
    gap = DataGap(
        DataGapKind.MISSING_FX,
        TableName.FX_RATES,
        f"no exchange rate on record for {', '.join(sorted(missing))} — left out of the plan",
        FIXES[DataGapKind.MISSING_FX].format(base=base),
        len(left_out),
        left_out,
    )
    return out, gap


def refuse_unplannable(frames: Mapping[TableName, pd.DataFrame], settings: Settings, as_of: date) -> None:
    """Raise before any expensive step when ``frames`` cannot make a plan as of ``as_of``: every blocking gap of
    :func:`readiness_of_frames` but the two worded elsewhere (no counts, which ``--assume-zero-stock`` lifts:
    :func:`plan_gaps`; missing FX: :func:`leave_out_unquoted`), so a plan fails in a second, not after fitting
    demand.

    Raises
    ------
    PlanningError
        Naming every blocking gap (a missing table, demand coarser than the workspace period, demand that ended
        more than a horizon ago) and the command that fixes each.
    """
    blocking = [
        g
        for g in readiness_of_frames(frames, settings, as_of).gaps
        if g.blocking and g.kind not in (GapKind.NO_INVENTORY, GapKind.MISSING_FX)
    ]
    if blocking:
        raise PlanningError(
            f"not ready to plan as of {as_of}: "
            + "; ".join(f"{g.message} (fix: {g.fix})" for g in blocking)
            + ". Nothing was planned; hedgerow status lists every gap"
        )


def plan_gaps(
    frames: Mapping[TableName, pd.DataFrame], as_of: date, *, assume_zero_stock: bool = False
) -> tuple[DataGap, ...]:
    """The data a plan on ``frames`` as of ``as_of`` is made without, each with what it assumes and for which
    item-locations (:data:`ASSUMED`, :data:`FIXES`): uncounted item-locations (0 on hand), no shipments (nothing
    in transit), no signals (no current disruption).

    Raises
    ------
    PlanningError
        No inventory count at all on or before ``as_of`` and ``assume_zero_stock`` is False: the plan would
        order everything (the message names the table, the import command and ``--assume-zero-stock``).
        Currencies without a rate are :func:`leave_out_unquoted`'s, run on the frames first.
    """
    import pandas as pd

    planned = _pairs(frames.get(TableName.ITEM_LOCATIONS))
    gaps: list[DataGap] = []

    def gap(kind: DataGapKind, table: TableName, affected: frozenset[tuple[str, str]]) -> None:
        if affected:
            gaps.append(DataGap(kind, table, ASSUMED[kind], FIXES[kind], len(affected), affected))

    counts = frames.get(TableName.INVENTORY)
    if counts is not None and len(counts):
        # as the plan reads them (hedgerow.plan.adapter): counts taken during the as-of day are current
        counts = counts[counts["counted_at"] < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    counted = _pairs(counts)
    if not counted and planned and not assume_zero_stock:
        state = "is not imported" if frames.get(TableName.INVENTORY) is None else f"has no count on or before {as_of}"
        raise _no_counts_error(state, len(planned), as_of)
    gap(DataGapKind.NO_INVENTORY, TableName.INVENTORY, planned - counted)
    for kind, table in ((DataGapKind.NO_SHIPMENTS, TableName.SHIPMENTS), (DataGapKind.NO_SIGNALS, TableName.SIGNALS)):
        frame = frames.get(table)
        if frame is None or not len(frame):
            gap(kind, table, planned)
    return tuple(gaps)
