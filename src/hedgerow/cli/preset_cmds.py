"""`hedgerow import-preset NAME PATH`: map a public data set into the contract and import it atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

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
from hedgerow.cli.import_cmds import AcceptFxJumpsOption, AppendOption, ForceOption, ModeOption, chosen_mode
from hedgerow.presets import RECIPES, Preset
from hedgerow.services.presets import PresetImportOutcome, import_preset


def outcome_dict(result: PresetImportOutcome) -> dict[str, Any]:
    """JSON form of a preset import: summary, timings, tables and report groups.

    Every finding is left out (a monthly data set in a weekly workspace has one gap warning per row); the
    groups carry each kind of warning with its count and first row, and ``hedgerow status`` the trust scores.
    """
    outcome = result.outcome
    return {
        "ok": True,
        "preset": result.preset.value,
        "source": str(result.source),
        "batch_id": outcome.batch_id,
        "summary": result.summary,
        "seconds": {k: round(v, 3) for k, v in result.seconds.items()},
        "tables": [
            {"table": t.table.value, "rows": t.rows, "snapshot": t.snapshot_sha256, "trust_score": t.trust_score}
            for t in outcome.tables
        ],
        "reports": [{k: v for k, v in r.to_dict().items() if k != "findings"} for r in outcome.reports],
    }


_COMMAND_HELP = (
    "Import a public data set through the normal import (validation, all-or-nothing, lineage). Every mapping "
    "and assumed value is documented in docs/presets.md.\n\n"
    + "\n\n".join(f"{p.value}: {RECIPES[p].description}" for p in Preset)
)


@handle_errors
def import_preset_cmd(
    name: Annotated[Preset, typer.Argument(help="Which data set PATH holds.", show_default=False)],
    path: Annotated[
        Path,
        typer.Argument(help="The data set's folder (e.g. ../shared/data/breakfast_at_the_frat), or its parent."),
    ],
    mode: ModeOption = None,
    force: ForceOption = False,
    accept_fx_jumps: AcceptFxJumpsOption = False,
    append: AppendOption = False,
    workspace: WorkspaceOption = None,
    user: UserOption = None,
    json_output: JsonOption = False,
) -> None:
    """Import a public data set through the normal import (validation, all-or-nothing, lineage).

    Every mapping and assumed value is documented in docs/presets.md.
    """
    with opened_workspace(workspace) as ws, progress_bar(not json_output) as progress:
        result = import_preset(
            ws,
            name,
            path,
            user=current_user(user),
            now=now_utc(),
            mode=chosen_mode(mode, append),
            force=force,
            accept_fx_jumps=accept_fx_jumps,
            progress=progress,
        )
    if json_output:
        print_json(outcome_dict(result))
        return
    for report in result.outcome.reports:
        style = "yellow" if report.warnings else "green"
        head, *lines = report.summary().splitlines()
        console.print(f"[{style}]{head}[/]")
        for line in lines:
            console.print(line, markup=False, soft_wrap=True)
    for t in result.outcome.tables:
        console.print(
            f"[green]imported[/] {t.table.value} as import {t.import_id}: {t.change_text()}, snapshot "
            f"{t.snapshot_sha256[:12]} (trust {t.trust_score:.1f})",
            soft_wrap=True,
        )
    details = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in result.summary.items())
    console.print(f"[bold]{result.preset.value}[/] from {result.source}: {details}")
    took = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items())
    console.print(f"took {sum(result.seconds.values()):.1f} s ({took})")


def register(app: typer.Typer) -> None:
    """Add the preset import command to ``app``."""
    app.command("import-preset", help=_COMMAND_HELP)(import_preset_cmd)
