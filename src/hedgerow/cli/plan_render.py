"""Terminal rendering of a plan (ranked recommendations) and of one explanation, for `plan`, `explain` and `demo`.

Explanations are rendered from the typed :class:`~hedgerow.domain.plan.Explanation` (`hedgerow explain` reads the
recorded one back with ``Explanation.from_dict``), with the same cost-term words as the web
(:func:`hedgerow.explain.words.cost_lines`).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from hedgerow.cli.common import add_id_column
from hedgerow.domain.plan import Explanation, GuardrailKind, Plan
from hedgerow.explain.narrative import plan_headline
from hedgerow.explain.words import cost_lines, describe_action, describe_consignment
from hedgerow.plan.problem import PlanningProblem


def _money(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.0f}"


def _pct(value: Any) -> str:
    return "–" if value is None else f"{100 * float(value):.1f} %"


def render_plan(
    plan: Plan,
    problem: PlanningProblem,
    console: Console,
    *,
    top: int = 15,
    lines: int = 5,
    max_notes: int = 3,
    awaiting_approval: int | None = None,
) -> None:
    """The data gaps the plan was made with (first: every figure after rests on them), plan headline and header
    (status, totals against doing nothing), the table of its first ``top`` consignments and of its ``lines``
    largest single recommendations by value, every budget that binds (with the next best use it left out) and the
    first ``max_notes`` guardrails that cannot be met."""
    cur = plan.base_currency
    render_gaps(plan, console)
    console.print(f"[bold]{escape(plan_headline(plan, awaiting_approval=awaiting_approval))}[/]")
    saving = plan.do_nothing.expected_cost - plan.totals.expected_cost
    status = "[green]feasible[/]" if plan.feasible else "[yellow]best feasible (a guardrail cannot be met)[/]"
    console.print(
        f"Plan [bold]{plan.id}[/] as of {plan.as_of.isoformat()} — {status}, method {plan.method.value}"
        + (f" (HiGHS: {plan.solver_status})" if plan.solver_status else "")
    )
    console.print(
        f"Expected cost {_money(plan.totals.expected_cost)} {cur} against {_money(plan.do_nothing.expected_cost)} "
        f"{cur} doing nothing (saves {_money(saving)} {cur}); tail cost (CVaR) {_money(plan.totals.cvar)} against "
        f"{_money(plan.do_nothing.cvar)}; capital {_money(plan.totals.capital)} {cur}; "
        f"{len(plan.recommendations)} recommendation lines in {len(plan.consignments)} consignments."
    )
    _consignments(plan, problem, console, top=top)
    table = Table(header_style="bold", title="Largest single actions")
    shown = plan.recommendations[:lines]
    for name in ("#", "id", "action", f"value {cur}", f"capital {cur}", "P(out) now → after", "guardrail"):
        if name == "id":
            add_id_column(table, name, (rec.id for rec in shown))
            continue
        table.add_column(name, justify="left" if name in ("action", "guardrail") else "right")
    for rec in shown:
        table.add_row(
            str(rec.rank),
            rec.id,
            describe_action(problem, rec.action),
            _money(rec.value),
            _money(rec.capital),
            f"{_pct(rec.stockout_before)} → {_pct(rec.stockout_after)}",
            rec.guardrail.value if rec.guardrail else "",
        )
    console.print(table)
    console.print(
        f"value = what the action saves against doing nothing over its window, expected cost and bad-case risk "
        f"together ({cur}); the table is sorted by it."
    )
    if len(plan.recommendations) > len(shown):
        console.print(
            f"… and {len(plan.recommendations) - len(shown)} more (`hedgerow recommendations` lists them all)."
        )
    budgets = (GuardrailKind.BUDGET_TOTAL, GuardrailKind.BUDGET_REGION)
    for note in plan.guardrails:
        if note.kind in budgets and note.binding:  # what the budget left out is known only now (not in the ledger)
            console.print(f"[yellow]Budget:[/] {escape(note.message)}.")
    unmet = [note for note in plan.guardrails if note.infeasible]
    for note in unmet[:max_notes]:
        console.print(f"[yellow]Cannot be met:[/] {escape(note.message)}")
    if len(unmet) > max_notes:
        console.print(f"[yellow]… {len(unmet) - max_notes} more guardrails cannot be met[/] (`--json` lists them).")


def _consignments(plan: Plan, problem: PlanningProblem, console: Console, *, top: int) -> None:
    """The queue as a manager decides it: one row per consignment (lane, shipment or buffer location)."""
    cur = plan.base_currency
    cons = plan.consignments[:top]
    by_id = {r.id: r for r in plan.recommendations}
    table = Table(
        header_style="bold", title="Consignments (one per lane; `hedgerow decide CON_ID --approve` decides all)"
    )
    for name in ("#", "id", "consignment", "lines", f"value {cur}", f"capital {cur}"):
        if name == "id":
            add_id_column(table, name, (c.id for c in cons))
            continue
        table.add_column(name, justify="left" if name == "consignment" else "right")
    for c in cons:
        only = by_id[c.recommendation_ids[0]] if c.lines == 1 else None
        what = describe_action(problem, only.action) if only else describe_consignment(problem, c)
        table.add_row(str(c.rank), c.id, what, str(c.lines), _money(c.value), _money(c.capital))
    console.print(table)
    if len(plan.consignments) > top:
        console.print(f"… and {len(plan.consignments) - top} more consignments (`hedgerow queue` lists them).")


def render_gaps(plan: Plan, console: Console) -> None:
    """What the plan was made without and what it assumed instead, each with its import command."""
    if not plan.gaps:
        return
    n = len(plan.gaps)
    console.print(
        f"[bold yellow]Planned with {n} data gap{'s' if n > 1 else ''}: the figures below rest on "
        f"{'these assumptions' if n > 1 else 'this assumption'}.[/]",
        soft_wrap=True,
    )
    for gap in plan.gaps:
        console.print(
            f"  [yellow]gap[/] {escape(gap.line)} ({gap.item_locations:,} item-location"
            + ("s)" if gap.item_locations != 1 else ")"),
            soft_wrap=True,
        )
        console.print(f"      fix: [bold]{escape(gap.fix)}[/]", soft_wrap=True)


def _alternatives(expl: Explanation, cur: str) -> Table:
    table = Table(title="Alternatives (same scenarios)", header_style="bold", title_justify="left")
    for name in ("option", f"expected cost {cur}", f"CVaR {cur}", "P(out)", f"capital {cur}"):
        table.add_column(name, justify="left" if name == "option" else "right")
    for alt in expl.alternatives:
        table.add_row(
            alt.label,
            _money(alt.expected_cost),
            _money(alt.cvar),
            _pct(alt.stockout_probability),
            _money(alt.capital),
        )
    return table


def _drivers(expl: Explanation) -> Table:
    table = Table(title="Top drivers", header_style="bold", title_justify="left")
    table.add_column("driver")
    table.add_column("probability", justify="right")
    table.add_column("impact", justify="right")
    for d in expl.drivers:
        table.add_row(d.label, _pct(d.probability), _money(d.impact))
    return table


def render_explanation(rec_id: str, expl: Explanation, console: Console, *, currency: str) -> None:
    """One explanation: the plain summary, alternatives, cost breakdown, drivers, freight, break-even, guardrails,
    data."""
    console.print(Panel(escape(expl.summary), title=f"Why {rec_id}", title_align="left"))
    console.print(_alternatives(expl, currency))
    lines = cost_lines(expl.breakdown)
    if lines:
        parts = ", ".join(f"{label} {_money(value)}" for label, value in lines)
        console.print(f"Cost breakdown with the action ({currency}): {parts}.", soft_wrap=True)
    if expl.drivers:
        console.print(_drivers(expl))
    if expl.freight:
        console.print(f"Freight: {escape(expl.freight)}")
    if expl.break_even and expl.break_even.label:
        console.print(f"Break-even: it {escape(expl.break_even.label)}.")
    for g in expl.guardrails:
        console.print(f"Guardrail: {escape(g.message)}")
    if expl.data:
        stale = [d.table for d in expl.data if d.stale]
        console.print(
            f"Data: {len(expl.data)} snapshots ("
            + ", ".join(f"{d.table} {d.snapshot_sha256[:8]}" for d in expl.data)
            + ")"
            + (f"; [yellow]stale: {', '.join(stale)}[/]" if stale else "; all fresh")
            + "."
        )
    for gap in expl.gaps:
        console.print(f"[yellow]{escape(gap.line)}.[/] Fix: {escape(gap.fix)}", soft_wrap=True)
