"""The plan headline counts what a manager decides (consignments) and the lines in them, on a real plan, and the
CLI prints it whole (its "[plan] min_value" is text, not markup)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from rich.console import Console
from tests.plan.test_plan_field_story import field_story

from hedgerow.cli.plan_render import render_plan
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.plan import Plan
from hedgerow.explain.narrative import plan_headline
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.problem import PlanningProblem


@pytest.fixture(scope="module")
def made() -> tuple[PlanningProblem, Plan]:
    problem, scen = field_story()
    return problem, make_plan(problem, scen)  # type: ignore[arg-type]


def test_the_headline_counts_consignments_as_decisions(made: tuple[PlanningProblem, Plan]) -> None:
    _, plan = made
    cons = plan.consignments
    assert sum(c.lines for c in cons) == len(plan.recommendations)
    text = plan_headline(plan, awaiting_approval=1)
    decisions = re.search(r"in (\d+) decisions?: (\d+) actions? in (\d+) consignments?", text)
    assert decisions is not None, text
    shipped = [c for c in cons if c.kind is not ActionKind.KEEP_BUFFER]
    actions = sum(1 for r in plan.recommendations if r.action.kind is not ActionKind.KEEP_BUFFER)
    assert [int(g) for g in decisions.groups()] == [len(cons), actions, len(shipped)]
    assert len(cons) < len(plan.recommendations)  # the cascade's orders share lanes
    assert "1 needs an approver" in text


def test_the_cli_prints_the_headline_whole(made: tuple[PlanningProblem, Plan]) -> None:
    problem, plan = made
    folded = replace(plan, folded_actions=2, folded_value=19.0)
    out = io.StringIO()
    render_plan(folded, problem, Console(file=out, width=400, color_system=None))
    flat = " ".join(out.getvalue().split())
    assert "2 smaller actions worth $19 together were left out ([plan] min_value)" in flat
    assert f"{len(plan.recommendations)} recommendation lines in {len(plan.consignments)} consignments" in flat
