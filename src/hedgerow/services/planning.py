"""Make a plan on a workspace and record it: the use case behind `hedgerow plan`, the API's plan job and the demo.

Reads the current snapshots, replaces the imported ``holds`` table by the ledger's holds in force (the ledger is
where people create, extend and release holds, so the plan never counts a released buffer or misses a new
one), runs the pure chain (:func:`hedgerow.pipeline.chain.run_chain`) and records the plan and its recommendations
in the ledger with the scenario seed, the snapshot hashes and a digest of the settings.

Missing data is loud: before planning, the frames are checked for what the plan would have to assume
(:func:`hedgerow.services.readiness.plan_gaps`): no counts at all refuse the plan unless zero stock is assumed
on purpose; uncounted item-locations, no shipments and no signals are planned on a stated assumption that the
plan lists at its top and each affected explanation repeats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

from hedgerow.config import Settings, settings_digest
from hedgerow.contract.as_of import tables_as_of
from hedgerow.contract.scope import tables_for_item_locations
from hedgerow.decide.records import PlanRecord, RecommendationRecord
from hedgerow.domain.enums import Period, TableName
from hedgerow.domain.plan import AlternativeKind, Plan, Recommendation
from hedgerow.explain.narrative import plan_headline
from hedgerow.pipeline.chain import PlanRun, Progress, run_chain
from hedgerow.plan.adapter import SnapshotLineage
from hedgerow.plan.planner import PlannerOptions
from hedgerow.services.holds import holds_frame
from hedgerow.services.readiness import leave_out_unquoted, plan_gaps, refuse_unplannable
from hedgerow.services.recommendations import RecordedPlan, record_plan
from hedgerow.services.workspace import Workspace


@dataclass(frozen=True)
class PlanOutcome:
    """A plan made on a workspace and what recording it did."""

    run: PlanRun
    recorded: RecordedPlan
    as_of: date

    @property
    def plan(self) -> Plan:
        """The plan."""
        return self.run.plan

    @property
    def awaiting_approval(self) -> int:
        """Recommendations of the plan that a person must decide (not auto-approved)."""
        return len(self.plan.recommendations) - len(self.recorded.auto_approved)

    @property
    def headline(self) -> str:
        """The plan's headline sentence (:func:`hedgerow.explain.narrative.plan_headline`)."""
        return plan_headline(self.plan, awaiting_approval=self.awaiting_approval)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the headline, the plan (ranked recommendations with explanations) and the ledger outcome."""
        return {
            "as_of": self.as_of.isoformat(),
            "headline": self.headline,
            "gaps": [g.to_dict() for g in self.plan.gaps],
            "recorded": self.recorded.to_dict(),
            "plan": self.plan.to_dict(),
        }


def holds_lineage(holds: pd.DataFrame) -> SnapshotLineage:
    """Lineage of the ledger's holds in force: the SHA-256 of their canonical CSV form (sorted by hold id).

    Holds change in the ledger between imports (created, extended, released), so the imported snapshot's hash
    would not tell two plans with different holds apart.
    """
    text = holds.sort_values("hold_id").to_csv(index=False, date_format="%Y-%m-%d")
    return SnapshotLineage(hashlib.sha256(text.encode("utf-8")).hexdigest())


def _record_of(rec: Recommendation) -> RecommendationRecord:
    chosen = next((a for a in rec.explanation.alternatives if a.kind is AlternativeKind.RECOMMENDED), None)
    expected = chosen.expected_cost if chosen is not None else 0.0
    cvar = chosen.cvar if chosen is not None else 0.0
    return RecommendationRecord(
        rec_id=rec.id,
        rank=rec.rank,
        action=rec.action,
        expected_cost_base=float(expected),
        cvar_base=float(cvar),
        stockout_probability=min(1.0, max(0.0, float(rec.stockout_after))),
        capital_base=max(0.0, float(rec.capital)),
        explanation=rec.explanation.to_dict(),
    )


def plan_record(plan: Plan, settings: Settings, *, created_at: datetime) -> PlanRecord:
    """The ledger's record of a plan: id, seed, scenario count, horizon, snapshots, settings digest, ranked recs."""
    return PlanRecord(
        plan_id=plan.id,
        created_at=created_at,
        seed=plan.seed,
        scenario_count=settings.risk.scenarios,
        horizon_periods=settings.workspace.horizon_periods,
        base_currency=plan.base_currency,
        snapshots=dict(plan.snapshots),
        settings_digest=settings_digest(settings),
        recommendations=tuple(_record_of(r) for r in plan.recommendations),
    )


def default_as_of(now: datetime, period: Period) -> date:
    """The plan's as-of date when none is given: the first day of the current period (a Monday for weeks)."""
    return period.first_day(now.date())


def make_workspace_plan(
    ws: Workspace,
    *,
    user: str,
    now: datetime,
    as_of: date | None = None,
    options: PlannerOptions | None = None,
    progress: Progress | None = None,
    assume_zero_stock: bool = False,
    item_locations: Collection[tuple[str, str]] | None = None,
    known_then: bool = False,
) -> PlanOutcome:
    """Plan on the workspace's current data and record the plan (idempotent: same data, same plan id).

    Parameters
    ----------
    ws:
        The workspace.
    user:
        Who records the plan (needs the record-plans permission).
    now:
        The recording time (UTC).
    as_of:
        The plan's first day (default :func:`default_as_of` of ``now`` and the workspace's period): demand before
        it is history. An earlier day plans in the past: the tables are cut to what was known then
        (:func:`hedgerow.contract.as_of.tables_as_of`).
    options:
        Planner tuning.
    progress:
        Called as ``progress(step, done, total)``.
    assume_zero_stock:
        Plan even with no inventory count at all, on 0 units on hand everywhere (said at the plan's top and in
        every explanation); without it such a plan is refused.
    item_locations:
        Plan only these (item id, location id) pairs, a review of part of the network
        (:func:`hedgerow.contract.scope.tables_for_item_locations`); None plans them all.
    known_then:
        Cut the tables at ``as_of`` even when ``now`` falls in its period: a plan recorded at a past moment on
        tables imported later (a replayed review) sees only what was known then.

    Raises
    ------
    PlanningError, SupplyInputError, DemandDataError
        Inputs that cannot make a plan (the message names the table, column or series), among them no
        inventory counts without ``assume_zero_stock`` and every blocking readiness gap (a missing table, demand
        coarser than the period or older than the horizon), raised before demand is fitted. A currency without
        a rate leaves out what it touches (said in the plan's gaps) and fails only when nothing is left.
    PermissionDenied
        ``user`` may not record plans.
    """
    current = default_as_of(now, ws.settings.workspace.period)
    day = as_of or current
    frames = ws.current_frames()
    if day < current or known_then:
        # planning in the past (a replay): only what was known then
        frames = tables_as_of(frames, datetime(day.year, day.month, day.day))
    lineage = {
        t: SnapshotLineage(rec.snapshot_sha256, rec.imported_at.replace(tzinfo=None) if rec.imported_at else None)
        for t, rec in ws.current_imports().items()
    }
    frames, unquoted = leave_out_unquoted(frames, ws.settings.workspace.base_currency, day)
    gaps = plan_gaps(frames, day, assume_zero_stock=assume_zero_stock)
    if unquoted is not None:
        gaps = (*gaps, unquoted)
    refuse_unplannable(frames, ws.settings, day)
    frames[TableName.HOLDS] = holds_frame(ws, day)
    if item_locations is not None:
        frames = tables_for_item_locations(frames, item_locations)
    lineage[TableName.HOLDS] = holds_lineage(frames[TableName.HOLDS])
    run = run_chain(
        frames,
        ws.settings,
        as_of=datetime(day.year, day.month, day.day),
        lineage=lineage,
        options=options,
        progress=progress,
        gaps=gaps,
    )
    recorded = record_plan(ws, plan_record(run.plan, ws.settings, created_at=now), user=user, now=now)
    return PlanOutcome(run=run, recorded=recorded, as_of=day)
