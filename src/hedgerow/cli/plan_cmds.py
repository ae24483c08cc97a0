"""`hedgerow plan` (the whole chain, recorded in the ledger) and `hedgerow explain REC_ID`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from hedgerow.cli.common import (
    JsonOption,
    UserOption,
    WorkspaceOption,
    console,
    current_user,
    handle_errors,
    now_utc,
    opened_workspace,
    print_json,
    progress_bar,
)
from hedgerow.cli.plan_render import render_explanation, render_plan
from hedgerow.errors import ConfigError
from hedgerow.services.planning import make_workspace_plan
from hedgerow.services.queue import explanation_of, typed_explanation_of
from hedgerow.services.readiness import ASSUME_ZERO_STOCK
from hedgerow.services.recommendations import get_recommendation, plan_of

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="First day of the plan, YYYY-MM-DD (default: the current period's first day)."),
]


def parse_as_of(text: str | None) -> date | None:
    """``--as-of`` as a date (None when not given).

    Raises
    ------
    ConfigError
        When the text is not a date.
    """
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--as-of must be a date YYYY-MM-DD, got {text!r}") from None


@handle_errors
def plan(
    workspace: WorkspaceOption = None,
    as_of: AsOfOption = None,
    top: Annotated[int, typer.Option(help="Recommendations shown in the table.", min=1)] = 15,
    assume_zero_stock: Annotated[
        bool,
        typer.Option(
            ASSUME_ZERO_STOCK,
            help="Plan even without any inventory count, on 0 units on hand everywhere (said at the plan's top and "
            "in every explanation); without it such a plan is refused.",
        ),
    ] = False,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Forecast demand, model supply, draw the joint scenarios, plan, and record the plan in the ledger; print
    the ranked recommendations (`hedgerow explain REC_ID` tells why)."""
    day = parse_as_of(as_of)
    now = now_utc()
    with opened_workspace(workspace) as ws, progress_bar(not json_output) as progress:
        outcome = make_workspace_plan(
            ws, user=current_user(user), now=now, as_of=day, progress=progress, assume_zero_stock=assume_zero_stock
        )
    if json_output:
        print_json(outcome.to_dict())
        return
    rec = outcome.recorded
    render_plan(outcome.plan, outcome.run.problem, console, top=top, awaiting_approval=outcome.awaiting_approval)
    done = "already recorded (same data and settings)" if rec.already_recorded else "recorded in the ledger"
    extra = []
    if rec.superseded:
        extra.append(f"{len(rec.superseded)} older open recommendations superseded")
    if rec.auto_approved:
        extra.append(f"{len(rec.auto_approved)} auto-approved")
    console.print(f"Plan {done}" + (f"; {', '.join(extra)}" if extra else "") + ".")
    if outcome.plan.recommendations:
        console.print(f"Why the first one: `hedgerow explain {outcome.plan.recommendations[0].id}`")


@handle_errors
def explain(
    rec_id: Annotated[str, typer.Argument(help="Recommendation id (from `hedgerow plan` or the queue).")],
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Print why a recommendation: alternatives incl. doing nothing, costs, drivers, break-even, data used."""
    with opened_workspace(workspace) as ws:
        view = get_recommendation(ws, rec_id)
        if json_output:
            print_json({"recommendation": view.to_dict(), "explanation": explanation_of(ws, rec_id)})
            return
        expl = typed_explanation_of(ws, rec_id)
        currency = plan_of(ws, view.plan_id).base_currency
    render_explanation(rec_id, expl, console, currency=currency)


def register(app: typer.Typer) -> None:
    """Add the plan and explain commands to ``app``."""
    app.command()(plan)
    app.command()(explain)
