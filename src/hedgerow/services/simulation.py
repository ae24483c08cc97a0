"""Backtest and stress reports on a workspace: the use case behind the API's ``backtest`` and ``stress`` jobs.

Reads the current snapshots, builds the simulator's recorded world (:func:`hedgerow.sim.frames.inputs_from_frames`:
the last ``periods`` periods of the demand history, lead-time draws seeded by ``[risk] seed`` unless given), replays
the policies (:func:`hedgerow.sim.backtest.run_backtest`) — for a stress test twice, without and with the named
shock — and returns the report figures (:mod:`hedgerow.sim.report`; plain JSON, from which
:func:`hedgerow.sim.report.render_html` draws the self-contained HTML page). The same steps as ``hedgerow
backtest`` and ``hedgerow stress NAME`` (docs/sim.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hedgerow.config import Settings
from hedgerow.errors import SimulationInputError
from hedgerow.services.workspace import Workspace
from hedgerow.sim.backtest import DEFAULT_POLICIES, BacktestSettings, run_backtest
from hedgerow.sim.engine import ApprovalRule
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.inputs import SimInputs, UnmetDemand
from hedgerow.sim.policies.base import PolicyName
from hedgerow.sim.policies.hedgerow import HedgerowSettings
from hedgerow.sim.report import backtest_figures, stress_figures
from hedgerow.sim.stress import AppliedShock, StressName, apply_shock

Progress = Callable[[str, int, int], None]

#: What ``target`` and ``size`` mean for each shock (the keyword of :func:`apply_shock` they set).
SHOCK_OPTIONS: dict[StressName, tuple[str | None, str | None]] = {
    StressName.PORT_CLOSURE: ("port", None),
    StressName.STRIKE: ("country", "delay_days"),
    StressName.SUPPLIER_FAILURE: ("supplier", None),
    StressName.DEMAND_SHIFT: ("region", "factor"),
    StressName.FX_SHOCK: ("currency", "change"),
    StressName.FIELD_STORY: ("port", "surge"),
}


def simulation_inputs(ws: Workspace, *, periods: int, lookahead: int, seed: int | None) -> SimInputs:
    """The recorded world of the workspace's current data (the last ``periods`` periods of demand)."""
    options = FrameOptions(
        periods=periods, driver_lookahead=lookahead, seed=ws.settings.risk.seed if seed is None else seed
    )
    return inputs_from_frames(ws.current_frames(), ws.settings, options)


def backtest_settings(
    settings: Settings, unmet: UnmetDemand, policies: Sequence[PolicyName] | None
) -> BacktestSettings:
    """Backtest settings from the workspace's: CVaR level, auto-approval limit and hedgerow's policy settings;
    default every built-in policy."""
    return BacktestSettings(
        unmet=unmet,
        policies=tuple(policies) if policies else DEFAULT_POLICIES,
        cvar_level=settings.risk.cvar_level,
        approval=ApprovalRule(settings.approval.auto_approve_max_value),
        hedgerow=HedgerowSettings(config=settings, seed=settings.risk.seed),
    )


def apply_named_shock(
    inputs: SimInputs,
    name: StressName,
    *,
    weeks: int | None = None,
    start: int | None = None,
    target: str | None = None,
    size: float | None = None,
) -> AppliedShock:
    """Apply the shock ``name`` with the generic settings of :func:`stress_report` (``start`` counts from the first
    simulated period; ``target`` and ``size`` mean what :data:`SHOCK_OPTIONS` says for the shock).

    Raises
    ------
    SimulationInputError
        A setting the shock does not take, or a target the network lacks (named in the message).
    """
    target_key, size_key = SHOCK_OPTIONS[name]
    kwargs: dict[str, object] = {}
    if weeks is not None:
        if name in (StressName.DEMAND_SHIFT, StressName.FX_SHOCK):
            raise SimulationInputError(f"{name.value} lasts to the end of the backtest; weeks does not apply")
        kwargs["weeks"] = weeks
    if start is not None:
        kwargs["start"] = inputs.start + start
    if target is not None:
        kwargs[str(target_key)] = target
    if size is not None:
        if size_key is None:
            raise SimulationInputError(f"{name.value} takes no size; use weeks for its length")
        kwargs[size_key] = size
    return apply_shock(inputs, name, **kwargs)


def backtest_report(
    ws: Workspace,
    *,
    periods: int = 52,
    unmet: UnmetDemand = UnmetDemand.LOST,
    policies: Sequence[PolicyName] | None = None,
    lookahead: int = 4,
    seed: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Replay the demand history under each policy; the report figures (``kind`` = ``backtest``).

    Raises
    ------
    SimulationInputError
        Data the simulator cannot replay (too few periods, missing tables), named in the message.
    """
    inputs = simulation_inputs(ws, periods=periods, lookahead=lookahead, seed=seed)
    result = run_backtest(inputs, backtest_settings(ws.settings, unmet, policies), progress=progress)
    return backtest_figures(result)


def _half(progress: Progress | None, label: str, index: int) -> Progress | None:
    """Progress of one of the stress test's two replays as a half of the whole (``index`` 0 or 1)."""
    if progress is None:
        return None
    report = progress
    return lambda step, done, total: report(f"{label}: {step}", index * total + done, 2 * total)


def stress_report(
    ws: Workspace,
    name: StressName,
    *,
    weeks: int | None = None,
    start: int | None = None,
    target: str | None = None,
    size: float | None = None,
    periods: int = 52,
    unmet: UnmetDemand = UnmetDemand.LOST,
    policies: Sequence[PolicyName] | None = None,
    lookahead: int = 4,
    seed: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Compare the policies without and with the shock ``name``; the report figures (``kind`` = ``stress``).

    Parameters
    ----------
    weeks:
        Periods the shock lasts (not for ``demand_shift`` and ``fx_shock``, which last to the end).
    start:
        Simulated period the shock starts in (default: a third of the way in).
    target:
        What it hits: a port, country, supplier, region or currency (see :data:`SHOCK_OPTIONS`); default the busiest.
    size:
        Its strength: extra days (strike), demand factor (demand_shift), currency change (fx_shock), demand surge
        (field_story); the other shocks take none.

    Raises
    ------
    SimulationInputError
        A setting the shock does not take, or a target the network lacks (named in the message).
    """
    inputs = simulation_inputs(ws, periods=periods, lookahead=lookahead, seed=seed)
    shock = apply_named_shock(inputs, name, weeks=weeks, start=start, target=target, size=size)
    cfg = backtest_settings(ws.settings, unmet, policies)
    base = run_backtest(inputs, cfg, progress=_half(progress, "without the shock", 0))
    stressed = run_backtest(shock.inputs, cfg, progress=_half(progress, "with the shock", 1))
    return stress_figures(shock, base, stressed)
