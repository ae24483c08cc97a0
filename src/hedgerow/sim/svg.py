"""Tiny inline-SVG charts for self-contained reports: line charts and (grouped or stacked) bar charts.

No JavaScript, no external file, no CDN: a report opens offline in any browser. Every chart carries its title in
``<title>`` and a ``data-chart`` attribute naming the figure it draws, so tests can find it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057", "#b5651d")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 30, 60


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e3:
        return f"{v / 1e3:.1f}k"
    if a >= 10 or v == 0:
        return f"{v:.0f}"
    return f"{v:.2f}"


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if v is not None and math.isfinite(v)]


def _frame(chart: str, title: str, lo: float, hi: float) -> list[str]:
    out = [
        f'<svg role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" data-chart="{escape(chart)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    plot_h = HEIGHT - TOP - BOTTOM
    for k in range(5):
        value = lo + (hi - lo) * k / 4
        y = TOP + plot_h * (1 - k / 4)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_fmt(value)}</text>')
    return out


def _legend(names: Sequence[str]) -> list[str]:
    out = []
    for k, name in enumerate(names):
        y = TOP + 16 * k
        colour = PALETTE[k % len(PALETTE)]
        out.append(f'<rect x="{WIDTH - RIGHT + 10}" y="{y}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{WIDTH - RIGHT + 24}" y="{y + 9}" font-size="11">{escape(name)}</text>')
    return out


def _range(values: Sequence[float], zero: bool = True) -> tuple[float, float]:
    finite = _finite(values) or [0.0]
    lo, hi = min(finite), max(finite)
    if zero:
        lo = min(lo, 0.0)
    if hi - lo < 1e-12:
        hi = lo + 1.0
    return lo, hi


def line_chart(
    chart: str, title: str, x_labels: Sequence[str], series: Mapping[str, Sequence[float]], *, zero: bool = True
) -> str:
    """Lines over a shared x axis (e.g. periods), one per named series; ``zero=False`` fits the y axis to the data."""
    lo, hi = _range([v for s in series.values() for v in s], zero=zero)
    out = _frame(chart, title, lo, hi)
    n = max(len(x_labels), 2)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def xy(i: int, v: float) -> str:
        return f"{LEFT + plot_w * i / (n - 1):.1f},{TOP + plot_h * (1 - (v - lo) / (hi - lo)):.1f}"

    for k, (name, values) in enumerate(series.items()):
        points = " ".join(xy(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v))
        colour = PALETTE[k % len(PALETTE)]
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}" '
            f'data-series="{escape(name)}"/>'
        )
    if x_labels:
        for i in sorted({0, len(x_labels) // 2, len(x_labels) - 1}):
            x = LEFT + plot_w * i / (n - 1)
            out.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" text-anchor="middle">'
                f"{escape(x_labels[i])}</text>"
            )
    return "\n".join([*out, *_legend(list(series)), "</svg>"])


def bar_chart(
    chart: str, title: str, categories: Sequence[str], series: Mapping[str, Sequence[float]], *, stacked: bool = False
) -> str:
    """Bars per category: one bar per series side by side, or the series stacked into one bar."""
    if stacked:
        totals = [sum(max(s[i], 0.0) for s in series.values()) for i in range(len(categories))]
        lo, hi = _range(totals)
    else:
        lo, hi = _range([v for s in series.values() for v in s])
    out = _frame(chart, title, lo, hi)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    names = list(series)
    width = slot * 0.7 / (1 if stacked else max(len(names), 1))

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - (v - lo) / (hi - lo))

    for i, category in enumerate(categories):
        base = 0.0
        for k, name in enumerate(names):
            v = series[name][i]
            if v is None or not math.isfinite(v):
                continue
            colour = PALETTE[k % len(PALETTE)]
            x = LEFT + slot * i + slot * 0.15 + (0 if stacked else k * width)
            top, bottom = (y_of(base + v), y_of(base)) if stacked else (y_of(max(v, 0)), y_of(min(v, 0)))
            out.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{max(bottom - top, 0):.1f}" '
                f'fill="{colour}"><title>{escape(category)} · {escape(name)}: {_fmt(v)}</title></rect>'
            )
            if stacked:
                base += v
        x_mid, y_lab = LEFT + slot * (i + 0.5), HEIGHT - BOTTOM + 14
        out.append(
            f'<text x="{x_mid:.1f}" y="{y_lab}" font-size="10" text-anchor="end" '
            f'transform="rotate(-20 {x_mid:.1f} {y_lab})">{escape(category)}</text>'
        )
    return "\n".join([*out, *_legend(names), "</svg>"])
