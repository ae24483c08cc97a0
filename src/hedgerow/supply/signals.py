"""Signals: validation and quarantine, scope → lanes, ageing and feed freshness.

A signal reaches lanes through its scope (docs/supply.md):

* ``lane``: that lane; ``port``: every lane whose ``ports`` list contains the code;
* ``region`` / ``country``: every lane whose destination *or* origin is in it;
* ``global``: every lane; ``item_location`` (``ITEM@LOC``) is demand-side: kept apart for the demand engine.

Bad signals never corrupt a plan: an unknown kind or scope, a probability outside [0, 1], a missing value
(or a negative one for counts and severities), a negative delay, an observation later than the as-of time or
a ``valid_until`` before ``observed_at`` put the signal in quarantine with a reason, and planning goes on without it. Signals past
``valid_until`` are expired. Feeds (signal kinds) whose newest observation is older than the staleness limit
are stale; expected feeds with no observation are missing. Both are reported and widen uncertainty
(:mod:`hedgerow.supply.disruptions`); neither stops a plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import pandas as pd

from hedgerow.domain.enums import ScopeType, SignalKind
from hedgerow.supply.network import LaneNetwork

#: Kinds whose value is a count or a severity: a negative value is a data error. Sentiment z-scores, supply
#: pressure indices (other) and premium changes may be negative.
NON_NEGATIVE_KINDS = frozenset({SignalKind.PORT_CONGESTION, SignalKind.STRIKE, SignalKind.WEATHER})


class QuarantineReason(StrEnum):
    """Why a signal was set aside."""

    UNKNOWN_KIND = "unknown_kind"
    UNKNOWN_SCOPE_TYPE = "unknown_scope_type"
    UNKNOWN_SCOPE = "unknown_scope"
    BAD_PROBABILITY = "bad_probability"
    BAD_VALUE = "bad_value"
    BAD_DELAY = "bad_delay"
    FUTURE = "observed_in_future"
    BAD_VALIDITY = "valid_until_before_observed"


class FeedState(StrEnum):
    """Freshness of a feed (one signal kind)."""

    FRESH = "fresh"
    STALE = "stale"
    MISSING = "missing"


@dataclass(frozen=True)
class Signal:
    """One accepted signal. Times are naive UTC."""

    signal_id: str
    kind: SignalKind
    scope_type: ScopeType
    scope_id: str | None
    value: float
    observed_at: datetime
    source: str
    valid_until: datetime | None = None
    probability: float | None = None
    delay_days: float | None = None

    @property
    def scope_key(self) -> str:
        """``scope_type:scope_id`` (``global`` for the global scope)."""
        return self.scope_type.value if self.scope_type is ScopeType.GLOBAL else f"{self.scope_type}:{self.scope_id}"

    def age_days(self, as_of: datetime) -> float:
        """Days between the observation and ``as_of``."""
        return (as_of - self.observed_at).total_seconds() / 86400.0


@dataclass(frozen=True)
class QuarantinedSignal:
    """A signal set aside, with why, in words that name the input."""

    signal_id: str
    reason: QuarantineReason
    message: str


@dataclass(frozen=True)
class FeedStatus:
    """Freshness of one signal kind at the as-of time."""

    kind: SignalKind
    state: FeedState
    newest_observed_at: datetime | None
    age_days: float | None


@dataclass(frozen=True)
class SignalBook:
    """The signals of a plan, sorted out.

    Attributes
    ----------
    accepted:
        Supply-side signals that reach at least one lane, newest per (kind, scope) only.
    superseded:
        Ids of older signals replaced by a newer one of the same kind and scope.
    expired:
        Ids of signals whose ``valid_until`` is before the as-of time.
    demand_side:
        ``item_location`` signals, left to the demand engine.
    quarantined:
        Bad signals with their reason.
    feeds:
        Freshness per kind (every kind seen plus the expected ones).
    as_of, stale_after_days:
        When and with which staleness limit the book was made.
    history:
        Every accepted lane-side signal including superseded ones (port baselines are medians over it).
    """

    accepted: tuple[Signal, ...]
    superseded: tuple[str, ...]
    expired: tuple[str, ...]
    demand_side: tuple[Signal, ...]
    quarantined: tuple[QuarantinedSignal, ...]
    feeds: tuple[FeedStatus, ...]
    as_of: datetime
    stale_after_days: float
    history: tuple[Signal, ...] = ()

    def feed(self, kind: SignalKind) -> FeedStatus | None:
        """The status of one feed, or None when that kind was neither seen nor expected."""
        return next((f for f in self.feeds if f.kind is kind), None)

    def warnings(self) -> list[str]:
        """Plain-language warnings: quarantined signals, stale and missing feeds."""
        out = [f"signal {q.signal_id} quarantined: {q.message}" for q in self.quarantined]
        for f in self.feeds:
            if f.state is FeedState.STALE:
                out.append(
                    f"{f.kind.value} feed is stale: newest signal {f.age_days:.0f} days old "
                    f"(stale after {self.stale_after_days:g}); uncertainty widened to base rates"
                )
            elif f.state is FeedState.MISSING:
                out.append(f"{f.kind.value} feed is missing: no signal at all; uncertainty widened to base rates")
        return out


def lanes_in_scope(scope_type: ScopeType, scope_id: str | None, network: LaneNetwork) -> tuple[str, ...]:
    """Lane ids a scope reaches (sorted); empty for ``item_location`` and for scopes matching nothing."""
    lanes = network.lanes.values()
    if scope_type is ScopeType.GLOBAL:
        hit: Iterable[str] = (lane.lane_id for lane in lanes)
    elif scope_type is ScopeType.LANE:
        hit = [scope_id] if scope_id is not None and scope_id in network.lanes else []
    elif scope_type is ScopeType.PORT:
        hit = (lane.lane_id for lane in lanes if scope_id in lane.ports)
    elif scope_type is ScopeType.REGION:
        hit = (lane.lane_id for lane in lanes if scope_id in (lane.destination_region, lane.origin_region))
    elif scope_type is ScopeType.COUNTRY:
        hit = (lane.lane_id for lane in lanes if scope_id in (lane.destination_country, lane.origin_country))
    else:
        hit = []
    return tuple(sorted(str(h) for h in hit))


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def _as_datetime(v: object) -> datetime | None:
    if _missing(v):
        return None
    ts = pd.Timestamp(v)  # type: ignore[arg-type]
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    out: datetime = ts.to_pydatetime()
    return out


def _check_row(rec: Mapping[Any, Any], network: LaneNetwork, as_of: datetime) -> Signal | QuarantinedSignal:
    sid = str(rec.get("signal_id"))

    def bad(reason: QuarantineReason, message: str) -> QuarantinedSignal:
        return QuarantinedSignal(sid, reason, message)

    try:
        kind = SignalKind(str(rec.get("kind")))
    except ValueError:
        allowed = ", ".join(k.value for k in SignalKind)
        return bad(QuarantineReason.UNKNOWN_KIND, f"kind must be one of {allowed}, got {rec.get('kind')!r}")
    try:
        scope_type = ScopeType(str(rec.get("scope_type")))
    except ValueError:
        allowed = ", ".join(s.value for s in ScopeType)
        return bad(
            QuarantineReason.UNKNOWN_SCOPE_TYPE, f"scope_type must be one of {allowed}, got {rec.get('scope_type')!r}"
        )
    scope_id = None if _missing(rec.get("scope_id")) else str(rec.get("scope_id"))
    raw_value = rec.get("value")
    value = float("nan") if _missing(raw_value) else float(raw_value)  # type: ignore[arg-type]
    prob_raw = rec.get("probability")
    probability = None if _missing(prob_raw) else float(prob_raw)  # type: ignore[arg-type]
    delay_raw = rec.get("delay_days")
    delay = None if _missing(delay_raw) else float(delay_raw)  # type: ignore[arg-type]
    observed = _as_datetime(rec.get("observed_at"))
    valid_until = _as_datetime(rec.get("valid_until"))
    if probability is not None and not 0.0 <= probability <= 1.0:
        return bad(QuarantineReason.BAD_PROBABILITY, f"probability must be within 0–1, got {probability:g}")
    if not math.isfinite(value):
        return bad(QuarantineReason.BAD_VALUE, f"value must be a finite number, got {raw_value!r}")
    if value < 0 and kind in NON_NEGATIVE_KINDS:
        return bad(
            QuarantineReason.BAD_VALUE,
            f"value of a {kind.value} signal must be >= 0 (a count or a severity), got {value:g}",
        )
    if delay is not None and (not math.isfinite(delay) or delay < 0):
        return bad(QuarantineReason.BAD_DELAY, f"delay_days must be >= 0 days, got {delay:g}")
    if observed is None or observed > as_of:
        return bad(
            QuarantineReason.FUTURE,
            f"observed_at must be a time on or before the as-of time {as_of:%Y-%m-%d %H:%M}, got {observed}",
        )
    if valid_until is not None and valid_until < observed:
        return bad(QuarantineReason.BAD_VALIDITY, f"valid_until {valid_until} is before observed_at {observed}")
    signal = Signal(
        sid, kind, scope_type, scope_id, value, observed, str(rec.get("source")), valid_until, probability, delay
    )
    if scope_type is not ScopeType.ITEM_LOCATION and not lanes_in_scope(scope_type, scope_id, network):
        return bad(
            QuarantineReason.UNKNOWN_SCOPE,
            f"{scope_type.value} {scope_id!r} reaches no lane of the network (check lanes.ports, locations and suppliers)",
        )
    return signal


def read_signals(
    frame: pd.DataFrame | None,
    network: LaneNetwork,
    as_of: datetime,
    *,
    stale_after_days: float = 7.0,
    expected_kinds: tuple[SignalKind, ...] = (SignalKind.PORT_CONGESTION,),
) -> SignalBook:
    """Sort a signals frame into accepted, superseded, expired, demand-side and quarantined signals.

    Parameters
    ----------
    frame:
        Contract ``signals`` frame (None or empty: every expected feed is missing).
    network:
        The lanes scopes are resolved against.
    as_of:
        Naive-UTC time the plan is made for; observations after it are quarantined.
    stale_after_days:
        A feed whose newest observation is older than this is stale (hedgerow.toml ``[quality]
        stale_signal_days``).
    expected_kinds:
        Feeds that should always report; those with no signal are listed as missing.
    """
    records = [] if frame is None else frame.to_dict("records")
    accepted: list[Signal] = []
    demand_side: list[Signal] = []
    quarantined: list[QuarantinedSignal] = []
    expired: list[str] = []
    for rec in records:
        checked = _check_row(rec, network, as_of)
        if isinstance(checked, QuarantinedSignal):
            quarantined.append(checked)
        elif checked.scope_type is ScopeType.ITEM_LOCATION:
            demand_side.append(checked)
        elif checked.valid_until is not None and checked.valid_until < as_of:
            expired.append(checked.signal_id)
        else:
            accepted.append(checked)
    newest: dict[tuple[SignalKind, str], Signal] = {}
    superseded: list[str] = []
    for s in sorted(accepted, key=lambda s: (s.observed_at, s.signal_id)):
        key = (s.kind, s.scope_key)
        if key in newest:
            superseded.append(newest[key].signal_id)
        newest[key] = s
    feeds = _feed_status(accepted + demand_side, as_of=as_of, stale=stale_after_days, expected=expected_kinds)
    return SignalBook(
        accepted=tuple(sorted(newest.values(), key=lambda s: s.signal_id)),
        superseded=tuple(sorted(superseded)),
        expired=tuple(sorted(expired)),
        demand_side=tuple(demand_side),
        quarantined=tuple(quarantined),
        feeds=feeds,
        as_of=as_of,
        stale_after_days=stale_after_days,
        history=tuple(sorted(accepted, key=lambda s: (s.observed_at, s.signal_id))),
    )


def _feed_status(
    signals: list[Signal], as_of: datetime, stale: float, expected: tuple[SignalKind, ...]
) -> tuple[FeedStatus, ...]:
    newest: dict[SignalKind, datetime] = {}
    for s in signals:
        if s.kind not in newest or s.observed_at > newest[s.kind]:
            newest[s.kind] = s.observed_at
    out = []
    for kind in sorted(set(newest) | set(expected), key=lambda k: k.value):
        if kind not in newest:
            out.append(FeedStatus(kind, FeedState.MISSING, None, None))
            continue
        age = (as_of - newest[kind]).total_seconds() / 86400.0
        out.append(FeedStatus(kind, FeedState.STALE if age > stale else FeedState.FRESH, newest[kind], age))
    return tuple(out)
