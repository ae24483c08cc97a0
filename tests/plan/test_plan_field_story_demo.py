"""The field story on the demo network, through the whole chain (demand engine, supply model, scenarios, planner).

The cascade is injected into the demo workspace's current tables, as the feeds would report it on the Saturday
before the plan: a Los Angeles port software outage (port USLAX, 90 % likely, about three weeks of delay), a US
truck-driver shortage (every truck lane into Los Angeles and New Jersey, 80 % likely, ten days), a viral demand
shift for one item in Tokyo (its last three weeks of sales × 4 and a strong sentiment signal), and the low-margin
accessory (the cheapest component) that the US bundles cannot be sold without. hedgerow should get the viral
item to Tokyo fast (a transfer or air), protect the accessory, and name those drivers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from hedgerow.demo import DemoSpec
from hedgerow.demo.field_story import TYO, US, bundle_accessory, inject_cascade, viral_item
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import TableName
from hedgerow.domain.plan import DriverKind, GuardrailKind
from hedgerow.pipeline.chain import PlanRun, run_chain
from hedgerow.services.demo import build_demo_workspace

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> tuple[PlanRun, str, str]:
    root: Path = tmp_path_factory.mktemp("story") / "demo"
    spec = DemoSpec(n_items=40, weeks=104, as_of=AS_OF)
    built = build_demo_workspace(root, spec, seed=42, now=datetime(2026, 11, 23, 6, tzinfo=UTC), user="planner")
    with built.workspace as ws:
        frames = ws.current_frames()
        settings = ws.settings
    viral = viral_item(frames[TableName.DEMAND], frames[TableName.ITEM_LOCATIONS])
    accessory = bundle_accessory(frames)
    inject_cascade(frames, viral, AS_OF)
    run = run_chain(frames, settings, as_of=datetime(AS_OF.year, AS_OF.month, AS_OF.day))
    return run, viral, accessory


def test_the_viral_item_goes_to_tokyo_and_the_shift_is_named(story: tuple[PlanRun, str, str]) -> None:
    """hedgerow hedges the viral shift in Tokyo: more of the item reaches Tokyo within its window than under the
    margin maximiser (which reads the spike as noise), and the Tokyo recommendation names the shift.

    The viral item here is a low-margin cable (about $0.60 of margin a unit), so air is not worth its freight and
    the plan buys by ocean what arrives in the window; a transfer or air lot only appears where a service floor
    needs it (the synthetic field story, tests/plan/test_plan_field_story.py, has a high-margin viral item that goes
    by air)."""
    from hedgerow.plan.planner import plan_partition

    run, viral, _ = story
    to_tokyo = [
        r
        for r in run.plan.recommendations
        if r.action.item_id == viral and r.action.location_id == TYO and r.action.kind is not ActionKind.KEEP_BUFFER
    ]
    assert to_tokyo, [(r.action.kind, r.action.item_id, r.action.location_id) for r in run.plan.recommendations]
    top = max(to_tokyo, key=lambda r: r.action.qty)
    shift = [d for d in top.explanation.drivers if d.kind is DriverKind.DEMAND_SHIFT]
    assert shift, [d.label for d in top.explanation.drivers]
    assert "Tokyo" in shift[0].label
    assert shift[0].probability is not None
    assert shift[0].probability > 0.5
    assert "Tokyo" in top.explanation.summary
    assert top.stockout_after <= top.stockout_before

    greedy = plan_partition(replace(run.problem, policy=run.problem.policy.margin_only()), run.scenarios)
    c = greedy.model.candidates
    row = greedy.model.il_row(viral, TYO)
    greedy_units = float(greedy.x[c.target == row].sum())
    assert sum(r.action.qty for r in to_tokyo) > greedy_units


def test_the_accessory_the_us_bundles_need_is_protected(story: tuple[PlanRun, str, str]) -> None:
    run, _, accessory = story
    notes = [g for g in run.plan.guardrails if g.item_id == accessory and g.location_id in US]
    assert any(g.kind is GuardrailKind.BUNDLE_COMPONENT for g in notes), [(g.kind, g.item_id) for g in notes]
    acting = [
        r
        for r in run.plan.recommendations
        if r.action.item_id == accessory and r.action.location_id in US and r.action.kind is not ActionKind.KEEP_BUFFER
    ]
    assert acting, "the plan gets more of the accessory to the US bundles"
    assert any(d.kind is DriverKind.BUNDLE for r in acting for d in r.explanation.drivers)
    assert all(r.stockout_after <= r.stockout_before for r in acting)


def test_the_cascade_is_named_in_the_explanations(story: tuple[PlanRun, str, str]) -> None:
    run, _, _ = story
    labels = [d.label for r in run.plan.recommendations for d in r.explanation.drivers]
    assert any("USLAX" in lab and "disruption adds" in lab for lab in labels), labels[:20]
    assert any("truck disruption adds" in lab for lab in labels), labels[:20]


def test_hedgerow_loses_less_revenue_than_a_margin_maximising_plan(story: tuple[PlanRun, str, str]) -> None:
    """Same scenarios: hedgerow's policy (goodwill, floors, CVaR) against one that only maximises expected margin."""
    from hedgerow.plan.evaluate import expected_lost_revenue
    from hedgerow.plan.planner import plan_partition

    run, _, _ = story
    margin_only = run.problem.policy.margin_only()
    hedged = plan_partition(run.problem, run.scenarios)
    greedy = plan_partition(replace(run.problem, policy=margin_only), run.scenarios)
    lost = expected_lost_revenue(hedged.model, hedged.x)
    assert lost < expected_lost_revenue(greedy.model, greedy.x)
    assert lost > 0
