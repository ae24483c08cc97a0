"""`hedgerow forecast-eval`: how good are the demand distributions, next to standard baselines?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from hedgerow.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    handle_errors,
    opened_workspace,
    print_json,
    progress_bar,
)
from hedgerow.demand.evaluation import ENGINE, EvalReport, Windows
from hedgerow.errors import DemandDataError
from hedgerow.services.forecasting import evaluate_workspace


def _levels(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        levels = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise DemandDataError(
            f"--quantiles must be comma-separated numbers such as 0.5,0.9,0.99, got {text!r}"
        ) from None
    if not levels:
        raise DemandDataError("--quantiles must name at least one level")
    return levels


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or value != value else f"{value:.{digits}f}"


def render_eval(report: EvalReport, windows: Windows | None = None) -> None:
    """Print the evaluation as a table, the engine first, and the verdict against the best baseline."""
    cfg = report.config
    if windows is not None:
        console.print(f"Rolling origins: {windows.describe()}.")
    console.print(
        f"Origins {', '.join(report.origin_dates)} · horizon {cfg.horizon} · "
        f"{report.n_series:,} series, scored per origin: {', '.join(f'{n:,}' for n in report.n_scored)}"
        + (
            f" · CrostonSBA conformal windows {', '.join(map(str, report.conformal_windows))}"
            if report.conformal_windows
            else ""
        )
    )
    table = Table(header_style="bold")
    table.add_column("method", no_wrap=True, min_width=13)
    for name in ("SPL", "CRPS", *(f"cover {p}%" for p in cfg.intervals), "bias", "rel. bias", "seconds"):
        table.add_column(name, justify="right")
    for m in report.methods:
        table.add_row(
            f"[bold]{m.name}[/]" if m.name == ENGINE else m.name,
            _fmt(m.spl, 4),
            _fmt(m.crps),
            *(_fmt(m.coverage.get(p), 3) for p in cfg.intervals),
            _fmt(m.bias),
            _fmt(m.relative_bias),
            _fmt(m.seconds, 1),
        )
    console.print(table)
    verdict = report.verdict()
    if verdict is not None:
        console.print(f"{verdict}; SPL levels {', '.join(map(str, cfg.levels))}.")


@handle_errors
def forecast_eval(
    horizon: Annotated[
        int | None,
        typer.Option(
            help="Periods forecast from each origin (default: the workspace horizon, shorter if the history is short)."
        ),
    ] = None,
    origins: Annotated[
        int | None, typer.Option(help="Number of rolling origins (default: as many as the history holds, at most 3).")
    ] = None,
    step: Annotated[
        int | None,
        typer.Option(help="Periods between origins (default: the horizon, or half of it for a short history)."),
    ] = None,
    quantiles: Annotated[
        str | None, typer.Option(help="Quantile levels of the scaled pinball loss (default 0.5,0.8,0.9,0.95,0.99).")
    ] = None,
    baselines: Annotated[bool, typer.Option(help="Run the statsforecast baselines side by side.")] = True,
    jobs: Annotated[int, typer.Option(help="Processes statsforecast may use.")] = 1,
    workspace: WorkspaceOption = None,
    json_output: JsonOption = False,
) -> None:
    """Backtest the demand engine on rolling origins next to SeasonalNaive, AutoETS and CrostonSBA."""
    levels = _levels(quantiles)
    with opened_workspace(workspace) as ws, progress_bar(not json_output) as progress:
        result = evaluate_workspace(
            ws,
            horizon=horizon,
            origins=origins,
            step=step,
            levels=levels,
            baselines=baselines,
            jobs=jobs,
            progress=progress,
        )
    if json_output:
        windows = result.windows
        print_json(
            {
                "ok": True,
                **result.report.to_dict(),
                "windows_chosen": windows.chosen,
                "history_periods": windows.history,
            }
        )
    else:
        render_eval(result.report, result.windows)


def register(app: typer.Typer) -> None:
    """Add the forecasting commands to the CLI."""
    app.command("forecast-eval")(forecast_eval)
