"""`hedgerow demo [DIR]`: build the seeded demo network as a workspace and summarise it."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from hedgerow.cli.common import (
    JsonOption,
    UserOption,
    console,
    current_user,
    handle_errors,
    now_utc,
    print_json,
    progress_bar,
)
from hedgerow.cli.plan_render import render_explanation, render_plan
from hedgerow.cli.render import render_status
from hedgerow.demo import DemoSpec
from hedgerow.errors import ConfigError
from hedgerow.services.demo import DemoFileFormat, build_demo_workspace, record_demo_history, week_start
from hedgerow.services.planning import make_workspace_plan
from hedgerow.services.status import workspace_status


@handle_errors
def demo(
    directory: Annotated[Path, typer.Argument(help="Folder of the demo workspace.")] = Path("demo-workspace"),
    items: Annotated[int, typer.Option(help="Items in the catalogue.", min=10)] = 300,
    locations: Annotated[int, typer.Option(help="Warehouses (5 = LA, NJ, Rotterdam, Tokyo, Singapore).", min=1)] = 5,
    weeks: Annotated[int, typer.Option(help="Weeks of history.", min=8)] = 156,
    seed: Annotated[int, typer.Option(help="Random seed of the generator.", min=0)] = 42,
    as_of: Annotated[
        str | None, typer.Option(help="Monday the history ends before (default: this week's Monday).")
    ] = None,
    file_format: Annotated[
        DemoFileFormat, typer.Option("--format", help="Format of the generated inbox files.")
    ] = DemoFileFormat.CSV,
    force: Annotated[bool, typer.Option(help="Replace an existing demo workspace in DIR.")] = False,
    plan: Annotated[
        bool,
        typer.Option(
            help="End with a plan: the ranked recommendations and the explanation of the first, after a past "
            "review decided by demo users (you become the admin) for the scoreboard."
        ),
    ] = True,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Build a realistic multi-continent distributor (suppliers in CN/VN/MX, five warehouses, three years of
    history) as a workspace, import it like real data, summarise it, and plan on it."""
    now = now_utc()
    try:
        as_of_date = date.fromisoformat(as_of) if as_of else week_start(now)
    except ValueError:
        raise ConfigError(f"--as-of must be a date YYYY-MM-DD, got {as_of!r}") from None
    try:
        spec = DemoSpec(n_items=items, n_locations=locations, weeks=weeks, as_of=as_of_date)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"demo size: {exc}") from None
    with progress_bar(not json_output) as progress:
        result = build_demo_workspace(
            directory,
            spec,
            seed=seed,
            now=now,
            user=current_user(user),
            file_format=file_format,
            force=force,
            progress=progress,
        )
    outcome = history = None
    with result.workspace as ws:
        summary = workspace_status(ws, now)
        if plan:
            with progress_bar(not json_output) as progress:
                history = record_demo_history(ws, spec, user=current_user(user), progress=progress)
                outcome = make_workspace_plan(ws, user=current_user(user), now=now, as_of=as_of_date, progress=progress)
    if json_output:
        payload = {"ok": True, "seed": seed, "as_of": as_of_date.isoformat(), "status": summary.to_dict()}
        if history is not None:
            payload["history"] = history.to_dict()
        if outcome is not None:
            payload["plan"] = outcome.to_dict()
        print_json(payload)
        return
    console.print(
        f"[green]Demo workspace built[/] in {summary.root}: {items} items × {locations} warehouses, {weeks} weeks "
        f"up to {as_of_date.isoformat()}, seed {seed}."
    )
    render_status(summary, console)
    if history is not None:
        console.print(
            f"A past review for the scoreboard: plan {history.plan_id} as of {history.as_of.isoformat()} for the "
            f"{history.item_locations} item-locations counted last by then; {' and '.join(history.deciders)} "
            f"decided its {history.decisions} recommendations ({history.overrides} overrides). "
            f"See `hedgerow scoreboard`; you decide as the admin user {current_user(user)!r}."
        )
    if outcome is not None:
        console.rule("The plan")
        render_plan(outcome.plan, outcome.run.problem, console, top=10)
        if outcome.plan.recommendations:
            first = outcome.plan.recommendations[0]
            console.rule("Why the first recommendation")
            render_explanation(first.id, first.explanation, console, currency=outcome.plan.base_currency)
            console.print(f"Decide with `hedgerow decide {first.id} --approve` (or --reject, --modify) in {directory}.")


def register(app: typer.Typer) -> None:
    """Add the demo command to ``app``."""
    app.command()(demo)
