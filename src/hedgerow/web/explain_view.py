"""What the recommendation page shows of an explanation, from the typed :class:`~hedgerow.domain.plan.Explanation`.

The planner writes ``Explanation.to_dict()`` and the page reads it back with ``Explanation.from_dict`` (docs/web.md
lists the fields), so the CLI and the web render the same typed value with the same words
(:func:`hedgerow.explain.words.cost_lines`). A stored explanation that cannot be read does not fail the page: the
page says which field is wrong and shows the rest of the recommendation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hedgerow.domain.plan import (
    PROJECTION_QUANTILES,
    AlternativeKind,
    DataFreshness,
    DriverKind,
    Explanation,
    StockProjection,
)
from hedgerow.errors import RecordFormatError
from hedgerow.explain.words import cost_lines
from hedgerow.services.names import Names

#: Drivers whose subject is a lane: the page names the lane and keeps its code for the hover.
LANE_DRIVERS = (DriverKind.LANE_DISRUPTION, DriverKind.LEAD_TIME)


def _num(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


@dataclass(frozen=True)
class Alternative:
    """One row of the alternatives table."""

    kind: str
    label: str
    expected_cost: float | None
    cvar: float | None
    stockout_probability: float | None
    capital: float | None
    recommended: bool


@dataclass(frozen=True)
class Driver:
    """One driver, ranked by impact; ``code`` is the lane code behind a lane's name (shown on hover)."""

    label: str
    impact: float | None
    probability: float | None
    value: float | None
    unit: str | None
    code: str | None = None


@dataclass(frozen=True)
class Projection:
    """The projected inventory fan: period labels and, per case, quantile series (units)."""

    periods: list[str]
    unit: str
    with_action: dict[str, list[float]]
    without_action: dict[str, list[float]]


@dataclass(frozen=True)
class ExplanationView:
    """What the recommendation page shows of an explanation."""

    summary: str | None = None
    alternatives: list[Alternative] = field(default_factory=list)
    breakdown: list[tuple[str, float]] = field(default_factory=list)
    breakdown_total: float | None = None
    drivers: list[Driver] = field(default_factory=list)
    break_even: str | None = None
    freight: str | None = None
    guardrails: list[str] = field(default_factory=list)
    data: list[DataFreshness] = field(default_factory=list)
    window_periods: int | None = None
    period_days: int | None = None
    projection: Projection | None = None
    gaps: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None  # why the stored explanation could not be read (then nothing else is shown)


def _alternatives(expl: Explanation) -> list[Alternative]:
    return [
        Alternative(
            kind=a.kind.value,
            label=a.label,
            expected_cost=_num(a.expected_cost),
            cvar=_num(a.cvar),
            stockout_probability=_num(a.stockout_probability),
            capital=_num(a.capital),
            recommended=a.kind is AlternativeKind.RECOMMENDED,
        )
        for a in expl.alternatives
    ]


def _named(label: str, code: str, name: str) -> str:
    """``label`` with the lane ``code`` ("lane CN-LAX-OCN", or the bare code) replaced by the lane's ``name``."""
    return re.sub(rf"(?:\blane\s+)?(?<![\w-]){re.escape(code)}(?![\w-])", lambda _m: name, label)


def _drivers(expl: Explanation, names: Names | None = None) -> list[Driver]:
    drivers = []
    for d in expl.drivers:
        label, code = d.label, None
        if names is not None and d.kind in LANE_DRIVERS and d.subject in names.lanes:
            label, code = _named(d.label, d.subject, names.lane(d.subject)), d.subject
        drivers.append(Driver(label, _num(d.impact), _num(d.probability), _num(d.value), d.unit, code))
    return sorted(drivers, key=lambda d: -(d.impact or 0.0))


def _break_even(expl: Explanation) -> str | None:
    """The planner's break-even sentence as it is ("stops paying if … (now …)"): only its first letter is raised
    and a final stop added."""
    text = expl.break_even.label.strip() if expl.break_even else ""
    if not text:
        return None
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _series(quantiles: Mapping[str, tuple[float, ...]]) -> dict[str, list[float]]:
    """The quantile series with every value finite, or none at all when the median is not among them."""
    out = {
        q: list(values)
        for q, _ in PROJECTION_QUANTILES
        if (values := quantiles.get(q)) is not None and all(math.isfinite(v) for v in values)
    }
    return out if "p50" in out else {}


def _projection(projection: StockProjection | None) -> Projection | None:
    if projection is None or not projection.periods:
        return None
    with_action, without_action = _series(projection.with_action), _series(projection.without_action)
    if not with_action and not without_action:
        return None
    return Projection(list(projection.periods), projection.unit, with_action, without_action)


def view_of(expl: Explanation, names: Names | None = None) -> ExplanationView:
    """The page view of an explanation; with ``names``, lanes in the drivers read as names (codes on hover)."""
    return ExplanationView(
        summary=expl.summary.strip() or None,
        alternatives=_alternatives(expl),
        breakdown=cost_lines(expl.breakdown),
        breakdown_total=_num(expl.breakdown.total),
        drivers=_drivers(expl, names),
        break_even=_break_even(expl),
        freight=expl.freight,
        guardrails=[g.message for g in expl.guardrails if g.message.strip()],
        data=list(expl.data),
        window_periods=expl.window_periods,
        period_days=expl.period_days,
        projection=_projection(expl.projection),
        gaps=[(g.line, g.fix) for g in expl.gaps],
    )


def explanation_view(raw: Mapping[str, Any], names: Names | None = None) -> ExplanationView:
    """The page view of a stored explanation (a ``Recommendation.to_dict()`` is unwrapped to its explanation); one
    that cannot be read is a view carrying only the reason (``error``), never an error of the page. ``names`` name
    the lanes of the drivers (:func:`hedgerow.services.names.names_of`)."""
    inner = raw.get("explanation")
    try:
        return view_of(Explanation.from_dict(inner if isinstance(inner, Mapping) else raw), names)
    except RecordFormatError as exc:
        return ExplanationView(error=f"The stored explanation cannot be read: {exc}.")
