"""Capital and yield by region: breakdowns that add up, the ladder, budgets that bind, GMROI from history."""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from hedgerow.cli.plan_render import render_plan
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import Mode
from hedgerow.domain.network import Item, Lane, Location, OriginKind
from hedgerow.domain.plan import GuardrailKind, Plan
from hedgerow.explain.capital import (
    Breakdown,
    CapitalUse,
    Catalogue,
    History,
    capital_view,
    history_by_region,
    plan_capital_view,
    stock_value_by_region,
)
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.planner import MethodChoice, PlannerOptions

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from plan_cases import poisson, two_locations, with_policy
from test_plan_field_story import field_story

CAT = Catalogue.of(
    items=(Item("W", "Widget", "A", 10.0, "USD"), Item("G", "Gizmo", "B", 100.0, "EUR")),
    locations=(
        Location("LA", "Los Angeles", "NA", "USD", 0.2),
        Location("RTM", "Rotterdam", "EU", "EUR", 0.2),
        Location("TYO", "Tokyo", "APAC", "JPY", 0.2),
    ),
    lanes=(Lane("LA-TYO", "LA", OriginKind.LOCATION, "TYO", Mode.AIR, 2.0, "JPY"),),
)


def _use(rid: str, kind: ActionKind, item: str, loc: str, qty: float, capital: float, value: float) -> CapitalUse:
    lane = "LA-TYO" if kind is ActionKind.TRANSFER else None
    return CapitalUse(rid, kind, item, loc, None, lane, qty, capital, value, value * 0.8)


USES = (
    _use("r1", ActionKind.ORDER, "W", "LA", 100, 1000.0, 300.0),  # 0.30 a dollar
    _use("r2", ActionKind.ORDER, "G", "RTM", 20, 2000.0, 1000.0),  # 0.50 a dollar
    _use("r3", ActionKind.TRANSFER, "W", "TYO", 50, 100.0, 80.0),  # 0.80 a dollar, paid in yen freight
    _use("r4", ActionKind.KEEP_BUFFER, "W", "LA", 10, 0.0, 40.0),  # no capital: first
)


def test_breakdowns_add_up_by_hand() -> None:
    view = capital_view(USES, CAT, base_currency="USD")
    assert view.capital == 3100.0
    region = {g.key: g.capital for g in view.breakdown(Breakdown.REGION)}
    assert region == {"EU": 2000.0, "NA": 1000.0, "APAC": 100.0}
    currency = {g.key: g.capital for g in view.currencies}
    assert currency == {"EUR": 2000.0, "USD": 1000.0, "JPY": 100.0}  # orders in purchase currency, transfer in freight
    assert {g.key: g.capital for g in view.item_classes} == {"B": 2000.0, "A": 1100.0}
    na = next(r for r in view.regions if r.region == "NA")
    assert na.plan.actions == 2
    assert na.plan.value == 340.0
    assert na.plan.expected_saving == pytest.approx(272.0)
    assert na.plan.return_on_capital == pytest.approx(0.272)
    assert na.plan.value_per_capital == pytest.approx(0.34)
    assert [g.key for g in view.currencies] == ["EUR", "USD", "JPY"]  # largest capital first


def test_the_ladder_goes_by_value_per_dollar() -> None:
    view = capital_view(USES, CAT, base_currency="USD")
    assert [r.use.rec_id for r in view.ladder] == ["r4", "r3", "r2", "r1"]
    assert [r.cumulative_capital for r in view.ladder] == [0.0, 100.0, 2100.0, 3100.0]
    assert [r.cumulative_value for r in view.ladder] == [40.0, 120.0, 1120.0, 1420.0]
    assert view.ladder[1].region == "APAC"
    assert view.ladder[-1].cumulative_capital == view.capital


def test_a_region_budget_binds_within_a_unit_of_capital() -> None:
    view = capital_view(
        USES, CAT, base_currency="USD", budget_total=10_000.0, budget_per_region={"EU": 2050.0, "NA": 5000.0}
    )
    eu = next(b for b in view.budgets if b.scope == "EU")
    assert eu.binds  # $2,000 committed, one more Gizmo costs $100: nothing more fits under $2,050
    assert eu.left == 50.0
    assert eu.sentence == "The EU budget of $2,050 ([finance] budget_per_region.EU) binds: $2,000 committed"
    assert [b.scope for b in view.binding] == ["EU"]
    assert [b.scope for b in view.budgets] == ["total", "EU", "NA"]
    assert next(r for r in view.regions if r.region == "EU").budget == eu


def test_stock_and_gmroi_from_history_by_hand() -> None:
    unit_cost = {"W": 10.0, "G": 100.0}
    inventory = pd.DataFrame(
        {
            "item_id": ["W", "W", "W", "G"],
            "location_id": ["LA", "LA", "LA", "RTM"],
            "counted_at": pd.to_datetime(["2025-12-01", "2026-06-01", "2026-10-01", "2026-09-01"]),
            "on_hand": [999.0, 100.0, 300.0, 5.0],
        }
    )
    demand = pd.DataFrame(
        {
            "item_id": ["W", "W", "G", "W"],
            "location_id": ["LA", "LA", "RTM", "LA"],
            "period_start": pd.to_datetime(["2026-01-05", "2026-07-06", "2026-09-07", "2025-01-06"]),
            "qty": [40.0, 60.0, 3.0, 1000.0],  # the last is before the window
        }
    )
    until = pd.Timestamp("2026-12-01")
    hist = history_by_region(
        demand,
        inventory,
        unit_cost=unit_cost,
        unit_price={("W", "LA"): 15.0, ("G", "RTM"): 160.0},
        catalogue=CAT,
        until=until,
    )
    # NA: 100 sold × $5 = $500 over the year 2025-12-01..2026-12-01; counts in it 999, 100, 300 → mean 466.33 × $10
    assert hist["NA"].gross_margin == 500.0
    assert hist["NA"].average_inventory == pytest.approx(4663.333, abs=1e-3)
    assert hist["NA"].days == 365
    assert hist["NA"].gmroi == pytest.approx(500.0 / 4663.333, rel=1e-6)
    # EU: 3 × $60 = $180 on 5 × $100 = $500
    assert hist["EU"].gmroi == pytest.approx(0.36)
    stock = stock_value_by_region(
        pd.DataFrame({"item_id": ["W", "G"], "location_id": ["LA", "RTM"], "on_hand": [300.0, 5.0]}), unit_cost, CAT
    )
    assert stock == {"NA": 3000.0, "EU": 500.0}
    view = capital_view(USES, CAT, base_currency="USD", stock_value=stock, history=hist)
    assert view.stock_value == 3500.0
    assert next(r for r in view.regions if r.region == "APAC").stock_value == 0.0


def test_a_short_history_is_annualised() -> None:
    assert History(gross_margin=100.0, average_inventory=1000.0, days=73).gmroi == pytest.approx(0.5)
    assert History(gross_margin=100.0, average_inventory=0.0, days=73).gmroi is None


@pytest.fixture(scope="module")
def story() -> tuple[Plan, Catalogue]:
    problem, scen = field_story()
    plan = make_plan(problem, scen)  # type: ignore[arg-type]
    return plan, Catalogue.of(problem.items, problem.locations, problem.lanes)


def test_capital_by_region_sums_to_the_plans_capital(story: tuple[Plan, Catalogue]) -> None:
    plan, cat = story
    view = plan_capital_view(plan, cat)
    assert plan.totals.capital > 0
    for by in Breakdown:
        groups = view.breakdown(by)
        assert math.fsum(g.capital for g in groups) == pytest.approx(plan.totals.capital, abs=0.01), by
        assert math.fsum(g.capital for g in groups) == pytest.approx(view.capital, abs=1e-9), by
    assert {g.key for g in view.breakdown(Breakdown.REGION)} <= {"NA", "APAC"}
    assert view.ladder[-1].cumulative_capital == pytest.approx(plan.totals.capital, abs=0.01)
    assert view.ladder[-1].cumulative_value == pytest.approx(math.fsum(r.value for r in plan.recommendations))
    ratios = [r.use.value_per_capital for r in view.ladder if r.use.value_per_capital is not None]
    assert ratios == sorted(ratios, reverse=True)


def test_a_binding_region_budget_names_what_it_left_out() -> None:
    s = 400
    problem, scen = two_locations(poisson(20, (s, 6), "ra"), poisson(20, (s, 6), "rb"), on_hand_a=0.0)
    problem = with_policy(problem, budget_per_region={"APAC": 100.0})
    plan = make_plan(problem, scen, options=PlannerOptions(method=MethodChoice.LADDER))
    note = next(g for g in plan.guardrails if g.kind is GuardrailKind.BUDGET_REGION)
    assert note.message.startswith("The APAC budget of $100 ([finance] budget_per_region.APAC) binds: $94 committed; ")
    assert "the next best use, $" in note.message
    assert "for Tokyo" in note.message
    assert note.message.endswith("was left out")
    cat = Catalogue.of(problem.items, problem.locations, problem.lanes)
    view = plan_capital_view(plan, cat, budget_per_region={"APAC": 100.0})
    (apac,) = view.binding
    assert apac.scope == "APAC"
    assert apac.committed == pytest.approx(94.5)
    assert apac.sentence == note.message
    out = io.StringIO()
    render_plan(plan, problem, Console(file=out, width=400, color_system=None))  # `hedgerow plan` says it too
    assert f"Budget: {note.message}." in out.getvalue()
    assert math.fsum(r.plan.capital for r in view.regions) == pytest.approx(plan.totals.capital, abs=0.01)


def test_a_binding_total_budget_names_what_it_left_out() -> None:
    from plan_cases import single_item

    problem, scen = single_item(poisson(30, (400, 1), "budget"), price=30.0, cost=10.0)
    plan = make_plan(with_policy(problem, budget_total=200.0), scen, options=PlannerOptions(method=MethodChoice.LADDER))
    note = next(g for g in plan.guardrails if g.kind is GuardrailKind.BUDGET_TOTAL)
    # 20 units of $10 fill the budget; more of the same order would still pay
    assert note.message.startswith("The total budget of $200 ([finance] budget_total) binds: $200 committed; ")
    assert "the next best use, $" in note.message
    assert note.message.endswith("was left out")
    view = plan_capital_view(plan, Catalogue.of(problem.items, problem.locations, problem.lanes), budget_total=200.0)
    assert [b.scope for b in view.binding] == ["total"]
    assert view.binding[0].left == 0.0
