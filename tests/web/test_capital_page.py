"""The capital page, the API route and the CLI command on the seeded workspace: the same figures everywhere, the
ladder drawn from a chart spec whose last point is the plan's capital, a binding budget said in words."""

from __future__ import annotations

import json
import math
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from hedgerow.cli import app as cli_app
from hedgerow.explain.words import money
from hedgerow.services.capital import plan_capital
from hedgerow.services.workspace import open_workspace
from hedgerow.store.decide_models import RecommendationRow

from ..api.conftest import NOW, Seeded, bearer
from .test_pages import sign_in


def _recorded_capital(seeded: Seeded) -> float:
    with open_workspace(seeded.root) as ws, ws.session() as s:
        return math.fsum(float(c) for (c,) in s.execute(select(RecommendationRow.capital_base)))


def test_capital_by_region_sums_to_the_recorded_plan(seeded: Seeded) -> None:
    total = _recorded_capital(seeded)
    with open_workspace(seeded.root) as ws:
        report = plan_capital(ws, now=NOW)
    view = report.view
    assert report.plan_id == seeded.plan_id
    assert total > 0
    assert view.capital == total
    for groups in (tuple(r.plan for r in view.regions), view.currencies, view.item_classes):
        assert math.fsum(g.capital for g in groups) == total
    assert len(view.ladder) == len(seeded.rec_ids)
    assert view.ladder[-1].cumulative_capital == total
    assert view.stock_value is not None
    assert view.stock_value > 0
    assert any(r.history is not None and r.history.gmroi is not None for r in view.regions)


def test_the_api_and_the_page_show_the_same_figures(client: TestClient, seeded: Seeded) -> None:
    api = client.get("/api/capital", headers=bearer(seeded, "vic"))
    assert api.status_code == 200
    body = api.json()
    assert body["plan_id"] == seeded.plan_id
    assert body["capital"] == round(_recorded_capital(seeded), 2)
    assert client.get("/api/capital?plan_id=NOPE", headers=bearer(seeded, "vic")).status_code == 404
    sign_in(client, "vic")
    page = client.get("/capital")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/capital" class="active" aria-current="page">Capital</a>' in html
    spec = json.loads(
        re.search(r'<script type="application/json" id="ladder-spec">(.*?)</script>', html, re.S).group(1)
    )  # type: ignore[union-attr]
    points = spec["data"]["values"]
    assert points[0]["cumulative_capital"] == 0.0
    assert points[-1]["cumulative_capital"] == body["ladder"][-1]["cumulative_capital"] == body["capital"]
    ratios = [p["value_per_capital"] for p in points[1:]]
    assert ratios == sorted(ratios, reverse=True)
    assert f"{body['capital']:,.0f}" in html
    for region in body["regions"]:
        assert f"<td>{region['region']}</td>" in html


def test_a_binding_budget_is_said_on_every_surface(seeded: Seeded) -> None:
    toml = seeded.root / "hedgerow.toml"
    text = toml.read_text()
    assert "budget_per_region = {}" in text
    with open_workspace(seeded.root) as ws:
        region = plan_capital(ws, now=NOW).view.regions[0]
    budget = region.plan.capital + 0.5  # the cheapest unit of the plan costs $0.85: nothing more fits, it binds
    toml.write_text(text.replace("budget_per_region = {}", f'budget_per_region = {{ "{region.region}" = {budget} }}'))
    with open_workspace(seeded.root) as ws:
        report = plan_capital(ws, now=NOW)
    (binding,) = report.view.binding
    assert binding.scope == region.region
    assert binding.sentence is not None
    assert binding.sentence == (
        f"The {region.region} budget of {money(budget, 'USD')} ([finance] budget_per_region.{region.region}) binds: "
        f"{money(region.plan.capital, 'USD')} committed"
    )
    toml.write_text(
        text.replace("budget_per_region = {}", f'budget_per_region = {{ "{region.region}" = {budget + 1} }}')
    )
    with open_workspace(seeded.root) as ws:
        assert not plan_capital(ws, now=NOW).view.binding  # $1.50 left buys one more unit: it does not bind
    toml.write_text(text.replace("budget_per_region = {}", f'budget_per_region = {{ "{region.region}" = {budget} }}'))
    assert any("does not record what a binding budget left out" in n for n in report.notes)
    out = CliRunner().invoke(
        cli_app, ["capital", "--workspace", str(seeded.root)], env={"HEDGEROW_NOW": NOW.isoformat(), "COLUMNS": "200"}
    )
    assert out.exit_code == 0, out.output
    assert "binds" in out.output
    assert f"Plan {seeded.plan_id} commits $" in out.output
    js = CliRunner().invoke(
        cli_app, ["capital", "--json", "--workspace", str(seeded.root)], env={"HEDGEROW_NOW": NOW.isoformat()}
    )
    assert js.exit_code == 0, js.output
    data = json.loads(js.output)
    assert [b["scope"] for b in data["budgets"] if b["binds"]] == [region.region]
