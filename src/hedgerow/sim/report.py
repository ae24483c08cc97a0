"""Reports of the simulator: one JSON document of every figure, and a self-contained HTML page drawn from it.

The JSON is the source: :func:`backtest_figures`, :func:`stress_figures` and :func:`herding_figures` turn results
into plain data (NaN becomes null), and :func:`render_html` draws the page from that data alone. Every number the
page shows in a table sits in an element carrying ``data-figure="path/in/the/json"`` and the exact value in
``data-value``, and the page embeds the whole JSON in ``<script type="application/json" id="hedgerow-figures">``
— so a test (and a reader) can check that the page and the JSON agree. Charts are inline SVG; nothing is loaded
from the network.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict
from html import escape
from typing import Any

from hedgerow.sim.backtest import BacktestResult
from hedgerow.sim.herding import HerdingResult
from hedgerow.sim.metrics import PolicyMetrics
from hedgerow.sim.stress import AppliedShock, describe
from hedgerow.sim.svg import bar_chart, line_chart

FIGURES_ELEMENT_ID = "hedgerow-figures"


def _clean(value: Any) -> Any:
    """Plain JSON data: NaN and infinities become None, tuples lists, numpy scalars Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def clean(figures: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON data: NaN and infinities become None, tuples lists, numpy scalars Python numbers."""
    out: dict[str, Any] = _clean(figures)
    return out


def _policy_figures(m: PolicyMetrics, lower_bound: float) -> dict[str, Any]:
    data = asdict(m)
    data.pop("policy")
    data["by_class"] = {c["item_class"]: c for c in data["by_class"]}
    data["bullwhip"] = {str(b["echelon"]): b for b in data["bullwhip"]}
    data["ratio_to_lower_bound"] = m.total_cost / lower_bound if lower_bound and math.isfinite(lower_bound) else None
    return data


def backtest_figures(result: BacktestResult) -> dict[str, Any]:
    """Every figure of a backtest as plain data (see the module docstring)."""
    best = result.best_baseline()
    return clean(
        {
            "kind": "backtest",
            "summary": result.summary,
            "lower_bound": result.lower_bound,
            "best_baseline": best.policy if best else None,
            "skipped": result.skipped,
            "policies": {m.policy: _policy_figures(m, result.lower_bound) for m in result.metrics},
        }
    )


def stress_figures(shock: AppliedShock, base: BacktestResult, stressed: BacktestResult) -> dict[str, Any]:
    """The figures of a stress comparison: both backtests, and per policy what the shock changed."""
    deltas = {}
    for m in stressed.metrics:
        b = base.by_policy(m.policy)
        deltas[m.policy] = {
            "extra_cost": m.total_cost - b.total_cost,
            "extra_lost_revenue": m.lost_revenue - b.lost_revenue,
            "lost_revenue_under_stress": m.lost_revenue,
            "fill_rate_change": m.fill_rate - b.fill_rate,
            "bullwhip_under_stress": {str(e.echelon): e.bullwhip for e in m.bullwhip},
        }
    return clean(
        {
            "kind": "stress",
            "shock": describe(shock),
            "deltas": deltas,
            "base": backtest_figures(base),
            "stressed": backtest_figures(stressed),
        }
    )


def herding_figures(result: HerdingResult) -> dict[str, Any]:
    """The figures of a herding experiment."""
    data = result.as_dict()
    outcomes: list[dict[str, Any]] = data.pop("outcomes")  # type: ignore[assignment]
    return clean({"kind": "herding", **data, "outcomes": {o["strategy"]: o for o in outcomes}})


# ---------------------------------------------------------------------------------------------------- rendering


def _num(value: Any, path: str, *, pct: bool = False, digits: int = 0) -> str:
    if value is None:
        return f'<td data-figure="{escape(path)}" data-value="null">–</td>'
    shown = f"{value * 100:.{max(digits, 1)}f} %" if pct else f"{value:,.{digits}f}"
    return f'<td data-figure="{escape(path)}" data-value="{value!r}">{shown}</td>'


_POLICY_COLUMNS: tuple[tuple[str, str, bool, int], ...] = (
    ("total_cost", "total cost", False, 0),
    ("holding_cost", "holding", False, 0),
    ("shortage_cost", "shortage", False, 0),
    ("transport_cost", "transport", False, 0),
    ("fill_rate", "fill rate", True, 2),
    ("cycle_service_level", "cycle service", True, 1),
    ("lost_revenue", "lost revenue", False, 0),
    ("bundle_fill_rate", "bundle fill", True, 2),
    ("capital_tied_up", "capital tied up", False, 0),
    ("cvar_period_cost", "CVaR period cost", False, 0),
    ("actions", "actions", False, 0),
    ("approvals", "approvals", False, 0),
    ("ratio_to_lower_bound", "× lower bound", False, 3),
)


def _table(head: list[str], rows: list[str]) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    table = f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'<div class="scroll" tabindex="0">{table}</div>'  # scrolls in its box (by keyboard too): fits a phone


def _backtest_body(fig: Mapping[str, Any], prefix: str) -> str:
    policies: Mapping[str, Any] = fig["policies"]
    parts = []
    rows = []
    for name, p in policies.items():
        cells = "".join(
            _num(p[key], f"{prefix}policies/{name}/{key}", pct=pct, digits=d) for key, _l, pct, d in _POLICY_COLUMNS
        )
        rows.append(f"<tr><th>{escape(name)}</th>{cells}</tr>")
    parts.append("<h2>Policy comparison</h2>")
    parts.append(_table(["policy", *[label for _k, label, _p, _d in _POLICY_COLUMNS]], rows))
    settings_rows = [
        f'<tr><th>{escape(name)}</th><td class="text"><code>{escape(json.dumps(p["settings"], sort_keys=True))}</code></td></tr>'
        for name, p in policies.items()
    ]
    parts.append("<h3>Settings of each policy</h3>" + _table(["policy", "settings"], settings_rows))
    class_rows, bw_rows = [], []
    for name, p in policies.items():
        for klass, c in p["by_class"].items():
            base = f"{prefix}policies/{name}/by_class/{klass}"
            class_rows.append(
                f"<tr><th>{escape(name)}</th><td>{escape(klass)}</td>"
                + _num(c["fill_rate"], f"{base}/fill_rate", pct=True, digits=2)
                + _num(c["cycle_service_level"], f"{base}/cycle_service_level", pct=True, digits=1)
                + _num(c["lost_revenue"], f"{base}/lost_revenue")
                + "</tr>"
            )
        for echelon, b in p["bullwhip"].items():
            base = f"{prefix}policies/{name}/bullwhip/{echelon}"
            bw_rows.append(
                f"<tr><th>{escape(name)}</th><td>{escape(echelon)}</td>"
                + _num(b["bullwhip"], f"{base}/bullwhip", digits=3)
                + _num(b["bullwhip_vs_consumer"], f"{base}/bullwhip_vs_consumer", digits=3)
                + "</tr>"
            )
    parts.append("<h2>Service per item class</h2>")
    parts.append(_table(["policy", "class", "fill rate", "cycle service", "lost revenue"], class_rows))
    parts.append("<h2>Bullwhip per echelon (0 = customer-facing)</h2>")
    parts.append(_table(["policy", "echelon", "Var(orders)/Var(demand seen)", "vs consumer demand"], bw_rows))
    names = list(policies)
    first = next(iter(policies.values()), None)
    x = first["series"]["period_start"] if first else []
    parts.append(
        line_chart(
            f"{prefix}inventory",
            "Inventory value on hand",
            x,
            {n: policies[n]["series"]["inventory_value"] for n in names},
        )
    )
    parts.append(
        line_chart(
            f"{prefix}service",
            "Fill rate per period",
            x,
            {n: policies[n]["series"]["fill_rate"] for n in names},
            zero=False,
        )
    )
    parts.append(
        bar_chart(
            f"{prefix}cost_breakdown",
            "Cost breakdown",
            names,
            {k: [policies[n][f"{k}_cost"] or 0.0 for n in names] for k in ("holding", "shortage", "transport")},
            stacked=True,
        )
    )
    parts.append(
        bar_chart(
            f"{prefix}policy_comparison",
            "Total cost",
            names,
            {"total cost": [policies[n]["total_cost"] for n in names]},
        )
    )
    echelons = sorted({e for n in names for e in policies[n]["bullwhip"]})
    parts.append(
        bar_chart(
            f"{prefix}bullwhip",
            "Bullwhip per echelon",
            names,
            {f"echelon {e}": [_get(policies[n]["bullwhip"], e, "bullwhip") for n in names] for e in echelons},
        )
    )
    return "\n".join(parts)


def _get(mapping: Mapping[str, Any], key: str, field: str) -> float:
    value = mapping.get(key, {}).get(field)
    return float(value) if value is not None else float("nan")


def _summary(fig: Mapping[str, Any], prefix: str) -> str:
    rows = [
        f'<tr><th>{escape(k)}</th><td data-figure="{escape(prefix)}summary/{escape(k)}" data-value="{escape(repr(v))}">{escape(str(v))}</td></tr>'
        for k, v in fig["summary"].items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    text_rows = [
        f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
        for k, v in fig["summary"].items()
        if not (isinstance(v, int | float) and not isinstance(v, bool))
    ]
    bound = fig.get("lower_bound")
    extra = [f"<tr><th>clairvoyant lower bound</th>{_num(bound, f'{prefix}lower_bound')}</tr>"]
    skipped = "".join(f"<li><b>{escape(k)}</b>: {escape(v)}</li>" for k, v in fig.get("skipped", {}).items())
    return _table(["", ""], rows + text_rows + extra) + (f"<p>Not run:</p><ul>{skipped}</ul>" if skipped else "")


def _herding_body(fig: Mapping[str, Any]) -> str:
    outcomes: Mapping[str, Any] = fig["outcomes"]
    cols = (
        ("order_amplification", 3, False),
        ("peak_order_ratio", 2, False),
        ("peak_price_ratio", 3, False),
        ("mean_price_paid", 3, False),
        ("peak_queue_periods", 2, False),
        ("peak_lead_time", 1, False),
        ("fill_rate", 2, True),
        ("cost_per_firm", 0, False),
    )
    rows = [
        f"<tr><th>{escape(s)}</th>"
        + "".join(_num(o[c], f"outcomes/{s}/{c}", pct=pct, digits=d) for c, d, pct in cols)
        + "</tr>"
        for s, o in outcomes.items()
    ]
    parts = ["<h2>Strategies</h2>", _table(["strategy", *[c for c, _d, _p in cols]], rows)]
    first = next(iter(outcomes.values()), None)
    x = [str(i) for i in range(len(first["series"]["orders"]))] if first else []
    parts.append(
        line_chart(
            "orders",
            "Total orders per period",
            x,
            {s: o["series"]["orders"] for s, o in outcomes.items()}
            | ({"demand": first["series"]["demand"]} if first else {}),
        )
    )
    parts.append(
        line_chart("price", "Spot price per period", x, {s: o["series"]["price"] for s, o in outcomes.items()})
    )
    parts.append(
        bar_chart(
            "amplification",
            "Order amplification",
            list(outcomes),
            {"Var(orders)/Var(demand)": [o["order_amplification"] for o in outcomes.values()]},
        )
    )
    return "\n".join(parts)


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
@media (max-width:600px){body{margin:1em}}.scroll{overflow-x:auto;max-width:100%}
pre{white-space:pre-wrap;overflow-wrap:anywhere}svg.chart{max-width:100%;height:auto}
table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px}
td{text-align:right}td.text{text-align:left}th{text-align:left;background:#f4f4f4}code{font-size:11px}svg.chart{display:block;margin:1em 0}
"""


def render_html(figures: Mapping[str, Any], title: str) -> str:
    """The self-contained HTML report of backtest, stress or herding figures."""
    kind = figures.get("kind")
    if kind == "backtest":
        body = _summary(figures, "") + _backtest_body(figures, "")
    elif kind == "stress":
        shock = figures["shock"]
        delta_rows = []
        for name, d in figures["deltas"].items():
            delta_rows.append(
                f"<tr><th>{escape(name)}</th>"
                + _num(d["extra_cost"], f"deltas/{name}/extra_cost")
                + _num(d["extra_lost_revenue"], f"deltas/{name}/extra_lost_revenue")
                + _num(d["lost_revenue_under_stress"], f"deltas/{name}/lost_revenue_under_stress")
                + _num(d["fill_rate_change"], f"deltas/{name}/fill_rate_change", pct=True, digits=2)
                + "</tr>"
            )
        body = (
            f"<h2>Shock: {escape(str(shock['name']))}</h2><pre>{escape(json.dumps(shock, indent=1))}</pre>"
            + _table(
                ["policy", "extra cost", "extra lost revenue", "lost revenue under stress", "fill-rate change"],
                delta_rows,
            )
            + "<h2>Under the shock</h2>"
            + _summary(figures["stressed"], "stressed/")
            + _backtest_body(figures["stressed"], "stressed/")
            + "<h2>Without the shock</h2>"
            + _backtest_body(figures["base"], "base/")
        )
    elif kind == "herding":
        body = f"<pre>{escape(json.dumps(figures['settings'], indent=1))}</pre>" + _herding_body(figures)
    else:
        raise ValueError(f"unknown figures kind {kind!r}; expected backtest, stress or herding")
    payload = json.dumps(figures, sort_keys=True, allow_nan=False).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}"
        f'<script type="application/json" id="{FIGURES_ELEMENT_ID}">{payload}</script>'
        "</body></html>\n"
    )
