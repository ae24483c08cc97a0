"""Forecasting use cases on a workspace: read the current snapshots, build the panel, run the demand engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from hedgerow.demand.bundles import BundleLinks
from hedgerow.demand.engine import EngineConfig
from hedgerow.demand.evaluation import EvalConfig, EvalReport, Windows, evaluate, fit_to_history
from hedgerow.demand.frequency import normalize_freq
from hedgerow.demand.series import SeriesPanel, build_panel
from hedgerow.domain.enums import TableName
from hedgerow.errors import DemandDataError
from hedgerow.services.workspace import Workspace


@dataclass(frozen=True)
class DemandInputs:
    """What the demand engine reads from a workspace."""

    panel: SeriesPanel
    bundles: BundleLinks
    signals: pd.DataFrame | None


def demand_inputs(ws: Workspace) -> DemandInputs:
    """The workspace's current demand, drivers, bundles and signals, as engine inputs.

    Raises
    ------
    DemandDataError
        When no demand table has been imported.
    """
    frames = ws.current_frames([TableName.DEMAND, TableName.DRIVERS, TableName.BUNDLES, TableName.SIGNALS])
    demand = frames.get(TableName.DEMAND)
    if demand is None or demand.empty:
        raise DemandDataError(f"workspace {ws.root} has no demand table; import one with `hedgerow import demand.csv`")
    freq = normalize_freq(ws.settings.workspace.period)
    panel = build_panel(
        demand, freq=freq, drivers=frames.get(TableName.DRIVERS), missing_periods=ws.settings.demand.missing_periods
    )
    return DemandInputs(panel, BundleLinks.from_frame(frames.get(TableName.BUNDLES)), frames.get(TableName.SIGNALS))


@dataclass(frozen=True)
class WorkspaceEval:
    """A forecast evaluation on a workspace and the windows it used (chosen from the history when not named)."""

    report: EvalReport
    windows: Windows


def evaluate_workspace(
    ws: Workspace,
    *,
    horizon: int | None = None,
    origins: int | None = None,
    step: int | None = None,
    levels: tuple[float, ...] | None = None,
    baselines: bool = True,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> WorkspaceEval:
    """Rolling-origin evaluation of the demand engine and the baselines on the workspace's demand history.

    Unnamed ``horizon``, ``origins`` and ``step`` are chosen from the history's length
    (:func:`hedgerow.demand.evaluation.fit_to_history`), the horizon starting from the workspace's planning
    horizon ([workspace] horizon_periods).
    """
    inputs = demand_inputs(ws)
    windows = fit_to_history(
        inputs.panel.n_periods,
        default_horizon=ws.settings.workspace.horizon_periods,
        season=inputs.panel.season_length,
        horizon=horizon,
        origins=origins,
        step=step,
    )
    base = EvalConfig()
    config = EvalConfig(
        horizon=windows.horizon,
        origins=windows.origins,
        step=windows.step,
        levels=levels or base.levels,
        baselines=baselines,
        baseline_jobs=jobs,
        engine=replace(EngineConfig(), seed=ws.settings.risk.seed, statsforecast_jobs=jobs),
    )
    if progress is not None:
        progress("evaluating forecasts", 0, 1)
    report = evaluate(inputs.panel, config, bundles=inputs.bundles, signals=inputs.signals)
    if progress is not None:
        progress("evaluating forecasts", 1, 1)
    return WorkspaceEval(report, windows)
