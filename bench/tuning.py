"""Baselines tuned as a competent planner would: the settings that were cheapest on a year the planner has seen.

The textbook order-up-to rule and the margin maximiser each get their trailing window ``W`` and whether their safety
stock adds the lead-time variance (``σ_P² = (L + R)σ² + μ²σ_L²``, Silver, Pyke & Thomas eq. 6.11) chosen by
backtesting the tuning year; the figures of every candidate go to stderr, so a report can show what was tried.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from hedgerow.sim.backtest import BacktestSettings, run_backtest
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.policies import MarginMaximiserSettings, OrderUpToSettings, PolicyName


@dataclass(frozen=True)
class Tuned:
    """A baseline's settings chosen on the tuning year: trailing window (periods), lead-time variance on or off."""

    window: int
    lead_time_variance: bool

    def label(self) -> str:
        """``W=52, lead-time variance off`` for a report."""
        return f"W={self.window}, lead-time variance {'on' if self.lead_time_variance else 'off'}"

    def as_dict(self) -> dict[str, object]:
        """The settings for a JSON report."""
        return {"window": self.window, "lead_time_variance": self.lead_time_variance}

    def order_up_to(self) -> OrderUpToSettings:
        """The textbook rule's settings."""
        return OrderUpToSettings(window=self.window, lead_time_variance=self.lead_time_variance)

    def margin_maximiser(self) -> MarginMaximiserSettings:
        """The margin maximiser's settings."""
        return MarginMaximiserSettings(window=self.window, lead_time_variance=self.lead_time_variance)


def tune(tuning: SimInputs, policies: Sequence[PolicyName], windows: Sequence[int]) -> dict[str, Tuned]:
    """Each of ``policies`` (textbook or margin maximiser) with the settings cheapest on ``tuning``."""
    chosen: dict[str, Tuned] = {}
    for name in policies:
        costs: dict[Tuned, float] = {}
        for w in windows:
            for variance in (False, True):
                k = Tuned(w, variance)
                cfg = BacktestSettings(
                    policies=(name,), order_up_to=k.order_up_to(), margin_maximiser=k.margin_maximiser()
                )
                costs[k] = run_backtest(tuning, cfg).metrics[0].total_cost
        chosen[name.value] = min(costs, key=lambda k: costs[k])
        print(
            f"  tuning {name.value}: " + ", ".join(f"{k.label()}: {c:,.0f}" for k, c in costs.items()), file=sys.stderr
        )
    return chosen
