"""Read the explanation JSON a recommendation was stored with, defensively, into what the pages show.

The planner writes ``Explanation.to_dict()`` (docs/web.md lists the fields read here). Anything missing or of an
unexpected shape is left out of the page rather than failing it: a recommendation page never errors because of
its explanation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hedgerow.domain.plan import COST_TERM_LABELS as DOMAIN_COST_TERM_LABELS

#: Plain names of the planner's cost terms (keys of ``breakdown``): the one set of labels, from the domain.
COST_TERM_LABELS = {term.value: label for term, label in DOMAIN_COST_TERM_LABELS.items()}

QUANTILES = ("p05", "p25", "p50", "p75", "p95")


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


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
    """One driver, ranked by impact."""

    label: str
    impact: float | None
    probability: float | None
    value: float | None
    unit: str | None


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
    guardrails: list[str] = field(default_factory=list)
    data: list[dict[str, Any]] = field(default_factory=list)
    window_periods: int | None = None
    period_days: int | None = None
    projection: Projection | None = None
    gaps: list[tuple[str, str]] = field(default_factory=list)


def _alternatives(raw: Any) -> list[Alternative]:
    out = []
    for a in _dicts(raw):
        kind = _text(a.get("kind")) or "option"
        out.append(
            Alternative(
                kind=kind,
                label=_text(a.get("label")) or kind.replace("_", " "),
                expected_cost=_num(a.get("expected_cost")),
                cvar=_num(a.get("cvar")),
                stockout_probability=_num(a.get("stockout_probability")),
                capital=_num(a.get("capital")),
                recommended=kind == "recommended",
            )
        )
    return out


def _breakdown(raw: Any) -> tuple[list[tuple[str, float]], float | None]:
    if not isinstance(raw, dict):
        return [], None
    terms = [
        (COST_TERM_LABELS.get(str(k), str(k).replace("_", " ")), v)
        for k, v in raw.items()
        if k != "total" and (_v := _num(raw[k])) is not None
    ]
    return sorted(terms, key=lambda t: -abs(t[1])), _num(raw.get("total"))


def _drivers(raw: Any) -> list[Driver]:
    out = []
    if isinstance(raw, list):
        for d in raw:
            if isinstance(d, str) and d.strip():
                out.append(Driver(d.strip(), None, None, None, None))
            elif isinstance(d, dict):
                label = _text(d.get("label")) or _text(d.get("kind")) or "driver"
                out.append(
                    Driver(
                        label,
                        _num(d.get("impact")),
                        _num(d.get("probability")),
                        _num(d.get("value")),
                        _text(d.get("unit")),
                    )
                )
    return sorted(out, key=lambda d: -(d.impact or 0.0))


def _break_even(raw: Any) -> str | None:
    """The planner's break-even sentence, shown as it is (``sentence`` when stored, else ``label``, which the
    planner writes as "stops paying if … (now …)"): only its first letter is raised and a final stop added."""
    if not isinstance(raw, dict):
        return None
    text = _text(raw.get("sentence")) or _text(raw.get("label"))
    if text is None:
        return None
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _series(raw: Any, n: int) -> dict[str, list[float]] | None:
    if not isinstance(raw, dict):
        return None
    out: dict[str, list[float]] = {}
    for q in QUANTILES:
        values = raw.get(q)
        if isinstance(values, list) and len(values) == n:
            nums = [_num(v) for v in values]
            if all(v is not None for v in nums):
                out[q] = [float(v) for v in nums if v is not None]
    return out if "p50" in out else None


def _projection(raw: Any) -> Projection | None:
    if not isinstance(raw, dict):
        return None
    periods = raw.get("periods")
    if not isinstance(periods, list) or not periods or len(periods) > 520:
        return None
    labels = [str(p) for p in periods]
    with_action = _series(raw.get("with_action"), len(labels))
    without_action = _series(raw.get("without_action"), len(labels))
    if with_action is None and without_action is None:
        return None
    return Projection(labels, _text(raw.get("unit")) or "units", with_action or {}, without_action or {})


def explanation_view(raw: dict[str, Any]) -> ExplanationView:
    """The page view of a stored explanation (a ``Recommendation.to_dict()`` is unwrapped to its explanation)."""
    if isinstance(raw.get("explanation"), dict):
        raw = raw["explanation"]
    breakdown, total = _breakdown(raw.get("breakdown"))
    guardrails = [m for g in _dicts(raw.get("guardrails")) if (m := _text(g.get("message")))]
    window = raw.get("window_periods")
    period_days = raw.get("period_days")
    return ExplanationView(
        summary=_text(raw.get("summary")) or _text(raw.get("headline")),
        alternatives=_alternatives(raw.get("alternatives")),
        breakdown=breakdown,
        breakdown_total=total,
        drivers=_drivers(raw.get("drivers")),
        break_even=_break_even(raw.get("break_even")),
        guardrails=guardrails,
        data=[d for d in _dicts(raw.get("data")) if _text(d.get("table"))],
        window_periods=window if isinstance(window, int) and not isinstance(window, bool) else None,
        period_days=period_days if isinstance(period_days, int) and not isinstance(period_days, bool) else None,
        projection=_projection(raw.get("projection")),
        gaps=[(line, _text(g.get("fix")) or "") for g in _dicts(raw.get("gaps")) if (line := _text(g.get("line")))],
    )
