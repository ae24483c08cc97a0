"""The whole chain on contract frames: demand engine → supply model → one joint scenario set → planner.

A pure function (frames, settings and the as-of moment in; frozen values out; no I/O, no clock): the CLI, the
REST API's plan job and the tests run exactly this, so a plan made anywhere is the plan made everywhere.
Randomness comes only from the settings' scenario seed (``[risk] seed``) through keyed streams, so the same
snapshots and settings give the same plan, recommendation ids included.

Steps (docs/planner.md, "From data to plan"):

1. **Demand.** The ``demand`` table (with ``drivers``, ``bundles`` and ``signals`` when present) becomes a
   series panel cut at the as-of date; the demand engine fits the families of ``[demand] profile`` and gives
   every item-location of the plan a predictive distribution over ``[workspace] horizon_periods`` periods
   (item-locations without history get zero own demand and a note; bundle components get their bundles' pull).
2. **Supply.** Lane lead times, disruption regimes, capacities, open shipments and FX paths are fitted on the
   same frames (:func:`hedgerow.supply.model.fit_supply`).
3. **Scenarios.** One :class:`~hedgerow.scenarios.scenario_set.ScenarioSet` of ``[risk] scenarios`` joint
   futures: demand paths of every item-location beside the lead times, capacities and FX of the same scenario.
4. **Plan.** The position and policy (:func:`~hedgerow.plan.adapter.problem_from_frames`) and the scenarios go
   to :func:`~hedgerow.pipeline.planning.make_plan`: ranked, explained recommendations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd

from hedgerow.config import Settings, settings_digest
from hedgerow.demand.bundles import BundleLinks
from hedgerow.demand.drivers import DriverEffectsConfig
from hedgerow.demand.engine import EngineConfig, FittedDemand, families_for, fit_demand
from hedgerow.demand.frequency import normalize_freq
from hedgerow.demand.series import build_panel
from hedgerow.domain.enums import TableName
from hedgerow.domain.gaps import DataGap
from hedgerow.domain.plan import Plan
from hedgerow.errors import PlanningError
from hedgerow.explain.gaps import with_gaps
from hedgerow.pipeline.planning import make_plan
from hedgerow.plan.adapter import SnapshotLineage, problem_from_frames
from hedgerow.plan.planner import PlannerOptions
from hedgerow.plan.problem import PlanningProblem
from hedgerow.scenarios.builder import BuildSettings, iter_scenario_sets
from hedgerow.scenarios.scenario_set import ScenarioSet
from hedgerow.supply.model import SupplyModel, fit_supply

#: Progress callback: (step name, done, total).
Progress = Callable[[str, int, int], None]

#: Key of the settings digest among a plan's snapshots.
SETTINGS_KEY = "settings"

#: The steps reported to ``progress``, in order.
STEPS = ("fitting demand", "fitting supply", "drawing scenarios", "planning")


@dataclass(frozen=True)
class PlanRun:
    """A plan and what it was computed from (for explanations, the ledger and tests).

    Attributes
    ----------
    plan:
        The ranked, explained plan.
    problem:
        Position, network and policy the plan answers.
    scenarios:
        The joint scenario set the plan was evaluated on.
    demand:
        The fitted demand engine (forecasts, chosen families, shift probabilities).
    supply:
        The fitted supply model (lead times, regimes, FX).
    """

    plan: Plan
    problem: PlanningProblem
    scenarios: ScenarioSet
    demand: FittedDemand
    supply: SupplyModel


def demand_config(settings: Settings, horizon: int | None = None) -> EngineConfig:
    """The demand engine settings a plan uses: horizon (default ``[workspace] horizon_periods``), families,
    workers, driver effects and seed from ``settings``."""
    return EngineConfig(
        horizon=horizon or settings.workspace.horizon_periods,
        families=families_for(settings.demand.profile),
        statsforecast_jobs=settings.demand.workers,
        drivers=DriverEffectsConfig() if settings.demand.driver_effects else None,
        seed=settings.risk.seed,
    )


def fit_plan_demand(
    frames: Mapping[TableName, pd.DataFrame],
    settings: Settings,
    *,
    as_of: datetime,
    item_locations: list[tuple[str, str]],
    horizon: int | None = None,
) -> FittedDemand:
    """Fit the demand engine on the history before ``as_of`` for (at least) ``item_locations``, over ``horizon``
    periods (default ``[workspace] horizon_periods``).

    Raises
    ------
    PlanningError
        When there is no demand table, or no demand before the as-of date.
    """
    demand = frames.get(TableName.DEMAND)
    if demand is None or demand.empty:
        raise PlanningError("a plan needs demand history: import a demand table with `hedgerow import`")
    cut = pd.Timestamp(as_of.date())
    history = demand[demand["period_start"] < cut]
    if history.empty:
        first = pd.Timestamp(demand["period_start"].min()).date()
        raise PlanningError(
            f"the demand table starts on {first}, after the plan's as-of date {as_of.date()}: "
            "nothing to learn from; plan as of a later date"
        )
    panel = build_panel(
        history,
        freq=normalize_freq(settings.workspace.period),
        drivers=frames.get(TableName.DRIVERS),
        end=(cut - timedelta(days=1)).date(),
        missing_periods=settings.demand.missing_periods,
    )
    return fit_demand(
        panel,
        demand_config(settings, horizon),
        bundles=BundleLinks.from_frame(frames.get(TableName.BUNDLES)),
        signals=frames.get(TableName.SIGNALS),
        extra_series=item_locations,
    )


def run_chain(
    frames: Mapping[TableName, pd.DataFrame],
    settings: Settings,
    *,
    as_of: datetime,
    lineage: Mapping[TableName, SnapshotLineage] | None = None,
    options: PlannerOptions | None = None,
    progress: Progress | None = None,
    gaps: Sequence[DataGap] = (),
) -> PlanRun:
    """Run the whole chain (module doc) and return the plan with its inputs.

    Parameters
    ----------
    frames:
        Current snapshot of each table (``items``, ``locations``, ``item_locations``, ``lanes`` and ``demand``
        are needed; the others are used when present). ``holds`` should be the ledger's holds in force.
    settings:
        Workspace settings (policy, horizon, scenarios, seed, demand profile).
    as_of:
        The plan's first moment (naive UTC): demand before it is history; counts, rates and holds are read as
        of its day.
    lineage:
        Snapshot hash and import time of each table (explanations' data block; the plan's snapshot ids).
    options:
        Planner tuning.
    progress:
        Called as ``progress(step, done, total)`` with the steps of :data:`STEPS`.
    gaps:
        Data the frames lack and what the plan assumes instead (found by the caller,
        :func:`hedgerow.services.readiness.plan_gaps`): listed on the plan and marked in each explanation that
        relies on one (:func:`hedgerow.explain.gaps.with_gaps`).

    Raises
    ------
    PlanningError
        A required table is missing or inconsistent (the message names it).
    SupplyInputError
        No lanes, or a currency without exchange rates.
    DemandDataError
        Demand history that cannot be modelled (the message names the series or column).
    """
    as_of = as_of.replace(tzinfo=None)

    def report(step: int, done: int = 0) -> None:
        if progress is not None:
            progress(STEPS[step], done, len(STEPS))

    problem = problem_from_frames(frames, settings, as_of=as_of.date(), lineage=lineage)
    pairs = [(il.item_id, il.location_id) for il in problem.item_locations]
    if not pairs:
        raise PlanningError("the item_locations table is empty: nothing to plan for")
    report(0)
    demand = fit_plan_demand(frames, settings, as_of=as_of, item_locations=pairs)
    report(1, 1)
    supply = fit_supply(
        frames,
        as_of=as_of,
        base_currency=settings.workspace.base_currency,
        period_days=settings.workspace.period.days,
        stale_signal_days=settings.quality.stale_signal_days,
    )
    report(2, 2)
    build = BuildSettings(
        n_scenarios=settings.risk.scenarios,
        horizon=settings.workspace.horizon_periods,
        seed=settings.risk.seed,
        period_days=settings.workspace.period.days,
        chunk_size=len(pairs),
        uncertain_freight=settings.risk.uncertain_freight,
    )
    # what the plan is made from: every table's snapshot and the settings (ids of plans and recommendations
    # derive from these, so a plan under other settings or holds never reuses a recommendation id)
    snapshots = {t.value: lin.snapshot_sha256 for t, lin in (lineage or {}).items()}
    snapshots[SETTINGS_KEY] = settings_digest(settings)
    scenarios = next(iter_scenario_sets(supply, pairs, demand, build, snapshots=snapshots))
    report(3, 3)

    def planning(_step: str, done: int, total: int) -> None:
        if progress is not None:
            progress(f"{STEPS[3]} ({done}/{total} partitions)", 3, len(STEPS))

    plan = with_gaps(make_plan(problem, scenarios, options=options, progress=planning), gaps)
    report(3, 4)
    return PlanRun(plan=plan, problem=problem, scenarios=scenarios, demand=demand, supply=supply)
