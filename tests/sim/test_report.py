"""Reports render, are self-contained, and every number they show equals the JSON figures."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest

from hedgerow.config import Settings
from hedgerow.sim.backtest import BacktestResult, BacktestSettings, run_backtest
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.herding import HerdingSettings, run_herding
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.report import (
    FIGURES_ELEMENT_ID,
    backtest_figures,
    herding_figures,
    render_html,
    stress_figures,
)
from hedgerow.sim.stress import apply_shock
from tests.sim.helpers import network_frames


class _Page(HTMLParser):
    """Collects data-figure cells, chart names, the embedded JSON and anything that would load from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str]] = []
        self.charts: list[str] = []
        self.external: list[str] = []
        self.in_json = False
        self.json_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-figure" in a:
            self.cells.append((str(a["data-figure"]), str(a["data-value"])))
        if tag == "svg":
            self.charts.append(str(a.get("data-chart")))
        if (tag in {"script", "img", "iframe"} and a.get("src")) or tag == "link":
            self.external.append(tag)
        if tag == "script" and a.get("id") == FIGURES_ELEMENT_ID:
            self.in_json = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_json = False

    def handle_data(self, data: str) -> None:
        if self.in_json:
            self.json_text += data


def _lookup(figures: dict[str, Any], path: str) -> Any:
    node: Any = figures
    for part in path.split("/"):
        node = node[part]
    return node


def check_page(html: str, figures: dict[str, Any], charts: set[str]) -> _Page:
    page = _Page()
    page.feed(html)
    assert json.loads(page.json_text) == figures
    assert page.cells, "the page shows no figure"
    for path, shown in page.cells:
        value = _lookup(figures, path)
        assert shown == ("null" if value is None else repr(value)), path
    assert charts <= set(page.charts)
    assert not page.external
    assert "http://" not in html
    assert "https://" not in html
    return page


@pytest.fixture(scope="module")
def network() -> SimInputs:
    return inputs_from_frames(network_frames(), Settings(), FrameOptions(periods=30))


@pytest.fixture(scope="module")
def result(network: SimInputs) -> BacktestResult:
    return run_backtest(network)


def test_backtest_report_renders_and_matches_its_json(result: BacktestResult) -> None:
    figures = backtest_figures(result)
    html = render_html(figures, "test backtest")
    page = check_page(html, figures, {"inventory", "service", "cost_breakdown", "policy_comparison", "bullwhip"})
    shown = {p for p, _v in page.cells}
    for name in figures["policies"]:
        for key in ("total_cost", "fill_rate", "lost_revenue", "bundle_fill_rate", "capital_tied_up", "approvals"):
            assert f"policies/{name}/{key}" in shown
    assert json.dumps(figures, allow_nan=False)  # strict JSON: NaN became null


def test_backtest_figures_hold_every_metric_of_every_policy(result: BacktestResult) -> None:
    figures = backtest_figures(result)
    assert list(figures["policies"]) == [m.policy for m in result.metrics]
    for m in result.metrics:
        fig = figures["policies"][m.policy]
        assert fig["total_cost"] == pytest.approx(m.holding_cost + m.shortage_cost + m.transport_cost)
        assert fig["by_class"].keys() == {c.item_class for c in m.by_class}
        assert fig["bullwhip"].keys() == {str(b.echelon) for b in m.bullwhip}
        assert len(fig["series"]["inventory_value"]) == 30
    assert figures["lower_bound"] <= min(f["total_cost"] for f in figures["policies"].values()) + 1e-6
    assert figures["best_baseline"] in {"order_up_to", "margin_maximiser", "stockpyl_base_stock"}


def test_stress_report_renders_and_matches_its_json(network: SimInputs) -> None:
    shock = apply_shock(network, "port_closure", weeks=4)
    cfg = BacktestSettings(policies=BacktestSettings().policies[:2])
    figures = stress_figures(shock, run_backtest(network, cfg), run_backtest(shock.inputs, cfg))
    html = render_html(figures, "test stress")
    check_page(html, figures, {"stressed/inventory", "base/inventory", "stressed/bullwhip"})
    assert figures["shock"]["changed"] == ["lane_lead_time_days"]


def test_herding_report_renders_and_matches_its_json() -> None:
    figures = herding_figures(run_herding(HerdingSettings(firms=5, periods=60, shock_start=40)))
    html = render_html(figures, "test herding")
    check_page(html, figures, {"orders", "price", "amplification"})


def test_same_seed_same_figures(network: SimInputs) -> None:
    frames = network_frames()
    a = inputs_from_frames(frames, Settings(), FrameOptions(periods=30, seed=4))
    b = inputs_from_frames(frames, Settings(), FrameOptions(periods=30, seed=4))
    c = inputs_from_frames(frames, Settings(), FrameOptions(periods=30, seed=5))
    assert (a.lane_lead_time_days == b.lane_lead_time_days).all()
    assert not (a.lane_lead_time_days == c.lane_lead_time_days).all()
    cfg = BacktestSettings(policies=BacktestSettings().policies[:3])
    assert backtest_figures(run_backtest(a, cfg)) == backtest_figures(run_backtest(b, cfg))
