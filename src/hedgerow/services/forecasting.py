"""Forecasting use cases on a workspace: read the current snapshots, build the panel, run the demand engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from hedgerow.demand.bundles import BundleLinks
from hedgerow.demand.engine import EngineConfig
from hedgerow.demand.evaluation import EvalConfig, EvalReport, evaluate
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
    panel = build_panel(demand, freq=freq, drivers=frames.get(TableName.DRIVERS))
    return DemandInputs(panel, BundleLinks.from_frame(frames.get(TableName.BUNDLES)), frames.get(TableName.SIGNALS))


def evaluate_workspace(
    ws: Workspace,
    *,
    horizon: int | None = None,
    origins: int = 3,
    step: int | None = None,
    levels: tuple[float, ...] | None = None,
    baselines: bool = True,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> EvalReport:
    """Rolling-origin evaluation of the demand engine and the baselines on the workspace's demand history.

    ``horizon`` defaults to the workspace's planning horizon ([workspace] horizon_periods).
    """
    inputs = demand_inputs(ws)
    h = horizon or ws.settings.workspace.horizon_periods
    base = EvalConfig()
    config = EvalConfig(
        horizon=h,
        origins=origins,
        step=step,
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
    return report
