"""Vega-Lite chart specifications (plain dicts, JSON-ready), drawn in the browser by the vendored vega-embed.

Pure functions: data in, spec out. The pages embed a spec as JSON and ``static/app.js`` renders it to SVG. The
marks are hidden from screen readers (``"aria": false``): the chart as a whole is described by its ``description``
and the page puts the same figures in a table next to it.
"""

from __future__ import annotations

from typing import Any

from hedgerow.web.explain_view import Projection

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier only: nothing is fetched
WITH, WITHOUT = "with the action", "without it"
COLORS = {WITH: "#1b7f5a", WITHOUT: "#b4452f"}


def fan_chart(projection: Projection, *, title: str = "Projected stock on hand") -> dict[str, Any]:
    """Projected inventory with and without the action: 5–95 % and 25–75 % bands and the median line."""
    rows: list[dict[str, Any]] = []
    for case, series in ((WITHOUT, projection.without_action), (WITH, projection.with_action)):
        if not series:
            continue
        for i, period in enumerate(projection.periods):
            row: dict[str, Any] = {"period": period, "case": case}
            for q, values in series.items():
                row[q] = values[i]
            rows.append(row)
    color = {
        "field": "case",
        "type": "nominal",
        "title": None,
        "scale": {"domain": list(COLORS), "range": list(COLORS.values())},
        "legend": {"orient": "top"},
    }
    x = {"field": "period", "type": "ordinal", "title": "period starting", "axis": {"labelAngle": -40}}
    y_title = f"stock on hand ({projection.unit})"
    layers: list[dict[str, Any]] = []
    has = {q for r in rows for q in r}
    if {"p05", "p95"} <= has:
        layers.append(
            {
                "mark": {"type": "area", "opacity": 0.15, "aria": False},
                "encoding": {"x": x, "y": {"field": "p05", "type": "quantitative", "title": y_title},
                             "y2": {"field": "p95"}, "color": color},
            }
        )  # fmt: skip
    if {"p25", "p75"} <= has:
        layers.append(
            {
                "mark": {"type": "area", "opacity": 0.3, "aria": False},
                "encoding": {"x": x, "y": {"field": "p25", "type": "quantitative", "title": y_title},
                             "y2": {"field": "p75"}, "color": color},
            }
        )  # fmt: skip
    layers.append(
        {
            "mark": {"type": "line", "strokeWidth": 2.5, "point": True, "aria": False},
            "encoding": {"x": x, "y": {"field": "p50", "type": "quantitative", "title": y_title}, "color": color,
                         "tooltip": [{"field": "case"}, {"field": "period"},
                                     {"field": "p50", "title": "median", "format": ",.0f"}]},
        }
    )  # fmt: skip
    layers.append(
        {
            "mark": {"type": "rule", "color": "#555", "strokeDash": [4, 4], "aria": False},
            "encoding": {"y": {"datum": 0}},
        }
    )
    return {
        "$schema": SCHEMA,
        "title": title,
        "width": "container",
        "height": 260,
        "data": {"values": rows},
        "layer": layers,
        "description": "Median line with 25–75 % (dark) and 5–95 % (light) bands of projected stock on hand.",
    }


def bar_chart(
    rows: list[dict[str, Any]], *, category: str, value: str, title: str, unit: str, top: int = 10
) -> dict[str, Any]:
    """Horizontal bars of ``value`` per ``category`` (the ``top`` largest); bars below zero (gains) in green."""
    data = sorted(rows, key=lambda r: -float(r.get(value) or 0.0))[:top]
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": f"Bar chart, {title}: {unit} per {category}; the figures are in the table below it.",
        "width": "container",
        "height": {"step": 22},
        "data": {"values": [{"category": str(r.get(category)), "value": float(r.get(value) or 0.0)} for r in data]},
        "mark": {"type": "bar", "aria": False},
        "encoding": {
            # a value below zero is a gain (a currency that weakens against the base): drawn in green
            "color": {"condition": {"test": "datum.value < 0", "value": "#1b7f5a"}, "value": "#3a6ea5"},
            "y": {"field": "category", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "value", "type": "quantitative", "title": unit, "axis": {"format": ",.0f"}},
            "tooltip": [{"field": "category"}, {"field": "value", "format": ",.0f", "title": unit}],
        },
    }


def ladder_chart(
    rungs: list[dict[str, Any]], *, currency: str, budget: float | None = None, title: str = "The capital ladder"
) -> dict[str, Any]:
    """The capital ladder: cumulative value against cumulative capital, one point per action in the order the
    ladder funds them (best value per dollar first), so the slope of each segment is what the next dollar buys.

    ``rungs`` as :meth:`hedgerow.explain.capital.LadderRung.to_dict` gives them (plus a ``label``); ``budget``
    draws the total budget as a vertical rule when finite."""
    points: list[dict[str, Any]] = [
        {"position": 0, "cumulative_capital": 0.0, "cumulative_value": 0.0, "label": "start", "region": ""}
    ]
    for r in rungs:
        points.append(
            {
                "position": r["position"],
                "cumulative_capital": r["cumulative_capital"],
                "cumulative_value": r["cumulative_value"],
                "capital": r["capital"],
                "value": r["value"],
                "value_per_capital": r["value_per_capital"],
                "label": r.get("label", r["recommendation_id"]),
                "region": r["region"],
            }
        )
    x = {"field": "cumulative_capital", "type": "quantitative", "title": f"capital committed ({currency})",
         "axis": {"format": ",.0f"}}  # fmt: skip
    y = {"field": "cumulative_value", "type": "quantitative", "title": f"value bought ({currency})",
         "axis": {"format": ",.0f"}}  # fmt: skip
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "line", "color": "#3a6ea5", "strokeWidth": 2, "aria": False},
         "encoding": {"x": x, "y": y, "order": {"field": "position", "type": "quantitative"}}},
        {
            "transform": [{"filter": "datum.position > 0"}],
            "mark": {"type": "point", "filled": True, "size": 60, "aria": False},
            "encoding": {
                "x": x,
                "y": y,
                "color": {"field": "region", "type": "nominal", "title": "region", "legend": {"orient": "top"}},
                "tooltip": [
                    {"field": "position", "title": "#"},
                    {"field": "label", "title": "action"},
                    {"field": "region"},
                    {"field": "capital", "format": ",.0f", "title": f"capital {currency}"},
                    {"field": "value", "format": ",.0f", "title": f"value {currency}"},
                    {"field": "value_per_capital", "format": ".2f", "title": "value per dollar"},
                    {"field": "cumulative_capital", "format": ",.0f", "title": f"cumulative capital {currency}"},
                ],
            },
        },
    ]  # fmt: skip
    if budget is not None and budget >= 0:
        layers.append(
            {
                "mark": {"type": "rule", "color": "#b4452f", "strokeDash": [4, 4], "aria": False},
                "encoding": {"x": {"datum": budget}},
            }
        )
    return {
        "$schema": SCHEMA,
        "title": title,
        "description": "Line chart: cumulative value bought against cumulative capital committed, actions in order "
        "of value per dollar; the figures are in the table below it.",
        "width": "container",
        "height": 280,
        "data": {"values": points},
        "layer": layers,
    }
