"""A backtest: every policy replayed over the same recorded world, side by side, with its figures.

The policies are hedgerow's own (the planner through :class:`~hedgerow.sim.policies.planner.PlannerPolicy` and
:class:`~hedgerow.sim.policies.hedgerow.HedgerowBackend`), the baselines (textbook order-up-to, margin maximiser,
stockpyl's base stock when installed), the two references (clairvoyant LP lower bound, best stationary base stock
in hindsight), and any policy passed in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hedgerow.sim.costs import CostArrays, cost_arrays
from hedgerow.sim.engine import ApprovalRule, SimRun, simulate
from hedgerow.sim.inputs import SimInputs, UnmetDemand
from hedgerow.sim.metrics import PolicyMetrics, compute_metrics
from hedgerow.sim.policies.base import Policy, PolicyName
from hedgerow.sim.policies.clairvoyant import FixedPlanPolicy, clairvoyant_plan
from hedgerow.sim.policies.hedgerow import HedgerowSettings, hedgerow_policy
from hedgerow.sim.policies.hindsight import HindsightSettings, best_stationary_policy
from hedgerow.sim.policies.order_up_to import (
    MarginMaximiserPolicy,
    MarginMaximiserSettings,
    OrderUpToPolicy,
    OrderUpToSettings,
)
from hedgerow.sim.policies.stockpyl_peer import StockpylBaseStockPolicy, StockpylSettings, stockpyl_available

#: The policies a backtest runs unless told otherwise.
DEFAULT_POLICIES: tuple[PolicyName, ...] = (
    PolicyName.ORDER_UP_TO,
    PolicyName.MARGIN_MAXIMISER,
    PolicyName.STOCKPYL,
    PolicyName.HEDGEROW,
    PolicyName.BEST_STATIONARY,
    PolicyName.CLAIRVOYANT,
)

#: The policies that know the future; they are references, never "the best baseline".
REFERENCES: frozenset[str] = frozenset({PolicyName.CLAIRVOYANT.value, PolicyName.BEST_STATIONARY.value})


@dataclass(frozen=True)
class BacktestSettings:
    """How a backtest runs.

    Attributes
    ----------
    unmet:
        Lost sales or backorders.
    policies:
        Built-in policies to run.
    cvar_level:
        Tail level of the CVaR of period cost (hedgerow.toml ``[risk] cvar_level``).
    approval:
        Which orders need a person.
    order_up_to, margin_maximiser, stockpyl, hindsight, hedgerow:
        Settings of the built-in policies.
    """

    unmet: UnmetDemand = UnmetDemand.LOST
    policies: tuple[PolicyName, ...] = DEFAULT_POLICIES
    cvar_level: float = 0.95
    approval: ApprovalRule = field(default_factory=ApprovalRule)
    order_up_to: OrderUpToSettings = field(default_factory=OrderUpToSettings)
    margin_maximiser: MarginMaximiserSettings = field(default_factory=MarginMaximiserSettings)
    stockpyl: StockpylSettings = field(default_factory=StockpylSettings)
    hindsight: HindsightSettings = field(default_factory=HindsightSettings)
    hedgerow: HedgerowSettings = field(default_factory=HedgerowSettings)


@dataclass(frozen=True)
class BacktestResult:
    """The figures of every policy, in the order run.

    Attributes
    ----------
    metrics:
        One entry per policy.
    lower_bound:
        The clairvoyant LP's objective (NaN when the clairvoyant was not run).
    skipped:
        Policies asked for but not run, with the reason (e.g. stockpyl not installed).
    seconds:
        Wall-clock seconds per policy (including any search or LP), for the record.
    summary:
        Size and span of the run (item-locations, periods, first and last period, unmet-demand rule, currency).
    runs:
        The full trajectories (kept for plots and tests; not serialised).
    """

    metrics: tuple[PolicyMetrics, ...]
    lower_bound: float
    skipped: dict[str, str]
    seconds: dict[str, float]
    summary: dict[str, object]
    runs: dict[str, SimRun] = field(default_factory=dict, repr=False, compare=False)

    def by_policy(self, name: str) -> PolicyMetrics:
        """The metrics of one policy."""
        for m in self.metrics:
            if m.policy == name:
                return m
        raise KeyError(f"no policy {name!r} in this backtest; ran: {', '.join(m.policy for m in self.metrics)}")

    def best_baseline(self) -> PolicyMetrics | None:
        """The cheapest policy that does not know the future and is not hedgerow's own."""
        candidates = [m for m in self.metrics if m.policy not in REFERENCES and m.policy != PolicyName.HEDGEROW]
        return min(candidates, key=lambda m: m.total_cost) if candidates else None


def summary_of(inputs: SimInputs, unmet: UnmetDemand) -> dict[str, object]:
    """Size and span of a run, for reports."""
    return {
        "item_locations": inputs.n_il,
        "customer_facing": int((inputs.echelon == 0).sum()),
        "echelons": int(inputs.echelon.max(initial=0)) + 1,
        "lanes": len(inputs.lane_ids),
        "periods": inputs.n_simulated,
        "warmup_periods": inputs.start,
        "period_days": inputs.period_days,
        "first_period": inputs.period_starts[inputs.start].isoformat(),
        "last_period": inputs.period_starts[-1].isoformat(),
        "unmet_demand": unmet.value,
        "base_currency": inputs.base_currency,
        "driver_lookahead": inputs.driver_lookahead,
    }


def _builders(inputs: SimInputs, cfg: BacktestSettings, costs: CostArrays) -> dict[PolicyName, Callable[[], Policy]]:
    def clairvoyant() -> Policy:
        plan = clairvoyant_plan(inputs, cfg.unmet, costs)
        return FixedPlanPolicy(plan.requested, objective=plan.objective)

    return {
        PolicyName.ORDER_UP_TO: lambda: OrderUpToPolicy(cfg.order_up_to),
        PolicyName.MARGIN_MAXIMISER: lambda: MarginMaximiserPolicy(cfg.margin_maximiser),
        PolicyName.STOCKPYL: lambda: StockpylBaseStockPolicy(cfg.stockpyl),
        PolicyName.BEST_STATIONARY: lambda: best_stationary_policy(inputs, cfg.unmet, costs, cfg.hindsight),
        PolicyName.CLAIRVOYANT: clairvoyant,
        PolicyName.HEDGEROW: lambda: hedgerow_policy(inputs, cfg.hedgerow),
    }


def _given(policy: Policy) -> Callable[[], Policy]:
    return lambda: policy


def _periods(
    progress: Callable[[str, int, int], None], name: str, before: int, total: int
) -> Callable[[int, int], None]:
    """A per-period callback of :func:`simulate` reporting to ``progress`` as periods over every policy."""
    return lambda done, _n: progress(name, before + done, total)


def run_backtest(
    inputs: SimInputs,
    settings: BacktestSettings | None = None,
    extra: Sequence[Policy] = (),
    *,
    progress: Callable[[str, int, int], None] | None = None,
    keep_runs: bool = False,
) -> BacktestResult:
    """Replay every policy over ``inputs`` and compute its figures.

    Parameters
    ----------
    inputs:
        The recorded world.
    settings:
        Which policies, lost sales or backorders, CVaR level, approval rule, policy settings.
    extra:
        More policies to run after the built-in ones.
    progress:
        Called as ``progress(policy_name, done, total)``, ``done`` and ``total`` counting simulated periods over
        every policy (so a long replay reports within each policy, once per period).
    keep_runs:
        Keep the full trajectories in ``BacktestResult.runs``.
    """
    cfg = settings or BacktestSettings()
    costs = cost_arrays(inputs)
    builders = _builders(inputs, cfg, costs)
    skipped: dict[str, str] = {}
    wanted: list[Callable[[], Policy]] = []
    for name in cfg.policies:
        if name is PolicyName.STOCKPYL and not stockpyl_available():
            skipped[name.value] = "optional dependency stockpyl is not installed (pip install 'hedgerow[sim]')"
        else:
            wanted.append(builders[name])
    wanted += [_given(p) for p in extra]
    metrics: list[PolicyMetrics] = []
    seconds: dict[str, float] = {}
    runs: dict[str, SimRun] = {}
    lower_bound = float("nan")
    periods = inputs.n_periods - inputs.start
    total = len(wanted) * periods
    for done, build in enumerate(wanted):
        began = time.perf_counter()
        policy = build()
        on_period = None
        if progress:
            progress(policy.name, done * periods, total)
            on_period = _periods(progress, policy.name, done * periods, total)
        run = simulate(inputs, policy, unmet=cfg.unmet, approval=cfg.approval, costs=costs, on_period=on_period)
        seconds[policy.name] = time.perf_counter() - began
        if isinstance(policy, FixedPlanPolicy) and policy.name == PolicyName.CLAIRVOYANT:
            lower_bound = policy.objective
        metrics.append(compute_metrics(inputs, run, costs, cvar_level=cfg.cvar_level))
        if keep_runs:
            runs[policy.name] = run
    if progress:
        progress("done", total, total)
    return BacktestResult(
        metrics=tuple(metrics),
        lower_bound=lower_bound,
        skipped=skipped,
        seconds=seconds,
        summary=summary_of(inputs, cfg.unmet),
        runs=runs,
    )
