"""Policy simulator: replay history under a policy, compare baselines, stress the network, study herding.

The public API: build :class:`SimInputs` from a workspace's tables (:func:`inputs_from_frames`) or by hand, with
the signals it replays (:class:`ReplaySignals`, each seen from its ``observed_at``); replay one policy
(:func:`simulate`) or compare several (:func:`run_backtest`), apply a named shock (:func:`apply_shock`), run the
herding experiment (:func:`run_herding`) and render reports (:func:`backtest_figures`, :func:`stress_figures`,
:func:`herding_figures`, :func:`render_html`). Policies live in :mod:`hedgerow.sim.policies`. See
docs/simulator.md.
"""

from hedgerow.sim.backtest import BacktestResult, BacktestSettings, run_backtest
from hedgerow.sim.costs import CostArrays, cost_arrays
from hedgerow.sim.engine import ApprovalRule, PolicyError, SimRun, simulate
from hedgerow.sim.frames import FrameOptions, inputs_from_frames
from hedgerow.sim.herding import HerdingResult, HerdingSettings, HerdingStrategy, run_herding
from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs, UnmetDemand, take_item_locations
from hedgerow.sim.metrics import PolicyMetrics, compute_metrics, cvar
from hedgerow.sim.report import backtest_figures, herding_figures, render_html, stress_figures
from hedgerow.sim.signals import ReplaySignals
from hedgerow.sim.stress import AppliedShock, StressName, apply_shock

__all__ = [
    "AppliedShock",
    "ApprovalRule",
    "BacktestResult",
    "BacktestSettings",
    "CostArrays",
    "Decision",
    "FrameOptions",
    "HerdingResult",
    "HerdingSettings",
    "HerdingStrategy",
    "HistoryView",
    "PolicyError",
    "PolicyMetrics",
    "ReplaySignals",
    "SimInputs",
    "SimRun",
    "StressName",
    "UnmetDemand",
    "apply_shock",
    "backtest_figures",
    "compute_metrics",
    "cost_arrays",
    "cvar",
    "herding_figures",
    "inputs_from_frames",
    "render_html",
    "run_backtest",
    "run_herding",
    "simulate",
    "stress_figures",
    "take_item_locations",
]
