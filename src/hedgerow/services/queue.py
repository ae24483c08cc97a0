"""Read models of the decision queue for dashboards: plans, queue totals, a recommendation's explanation.

Aggregates are computed in the database (one grouped query each), so the overview stays fast with thousands
of recommendations. Writing (recording plans, deciding) stays in :mod:`hedgerow.services.recommendations`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hedgerow.domain.actions import RecommendationStatus
from hedgerow.domain.plan import Explanation
from hedgerow.errors import NotFound
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import PlanRow, RecommendationRow, as_utc


@dataclass(frozen=True)
class PlanSummary:
    """A recorded plan and how many of its recommendations are in each status."""

    plan_id: str
    created_at: datetime
    recorded_at: datetime
    recorded_by: str
    seed: int
    scenario_count: int
    horizon_periods: int
    base_currency: str
    settings_digest: str
    snapshots: dict[str, str]
    status: str
    recommendations: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = dict(self.__dict__)
        out["created_at"] = self.created_at.isoformat()
        out["recorded_at"] = self.recorded_at.isoformat()
        return out


def _plan_summary(row: PlanRow, counts: dict[str, int]) -> PlanSummary:
    return PlanSummary(
        plan_id=row.id,
        created_at=as_utc(row.created_at),
        recorded_at=as_utc(row.recorded_at),
        recorded_by=row.recorded_by,
        seed=row.seed,
        scenario_count=row.scenario_count,
        horizon_periods=row.horizon_periods,
        base_currency=row.base_currency,
        settings_digest=row.settings_digest,
        snapshots=json.loads(row.snapshots_json),
        status=row.status,
        recommendations=counts,
    )


def _status_counts(ws: Workspace, plan_ids: list[str]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {p: {} for p in plan_ids}
    if not plan_ids:
        return out
    query = (
        select(RecommendationRow.plan_id, RecommendationRow.status, func.count())
        .where(RecommendationRow.plan_id.in_(plan_ids))
        .group_by(RecommendationRow.plan_id, RecommendationRow.status)
    )
    with ws.session() as session:
        for plan_id, status, n in session.execute(query):
            out[str(plan_id)][str(status)] = int(n)
    return out


def list_plans(ws: Workspace, *, limit: int = 50, offset: int = 0) -> list[PlanSummary]:
    """Recorded plans, newest first, with their recommendation counts per status."""
    query = select(PlanRow).order_by(PlanRow.recorded_at.desc(), PlanRow.id).offset(offset).limit(limit)
    with ws.session() as session:
        rows = list(session.execute(query).scalars().all())
    counts = _status_counts(ws, [r.id for r in rows])
    return [_plan_summary(r, counts[r.id]) for r in rows]


def get_plan(ws: Workspace, plan_id: str) -> PlanSummary:
    """One recorded plan.

    Raises
    ------
    NotFound
        When the ledger has no such plan.
    """
    with ws.session() as session:
        row = session.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(f"no plan {plan_id!r} in the ledger")
    return _plan_summary(row, _status_counts(ws, [plan_id])[plan_id])


@dataclass(frozen=True)
class QueueSummary:
    """Totals of the decision queue (money in the base currency)."""

    by_status: dict[str, int]
    proposed_capital_base: float
    proposed_needing_approver: int
    approver_required_above: float
    oldest_proposed_at: datetime | None
    plans: int

    @property
    def proposed(self) -> int:
        """Recommendations waiting for a decision."""
        return self.by_status.get(RecommendationStatus.PROPOSED.value, 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = dict(self.__dict__)
        out["proposed"] = self.proposed
        out["oldest_proposed_at"] = self.oldest_proposed_at.isoformat() if self.oldest_proposed_at else None
        return out


def queue_summary(ws: Workspace) -> QueueSummary:
    """Counts per status, capital waiting for a decision, how much of it needs an approver."""
    threshold = ws.settings.approval.approver_required_above
    proposed = RecommendationStatus.PROPOSED.value
    with ws.session() as session:
        by_status = {
            str(s): int(n)
            for s, n in session.execute(
                select(RecommendationRow.status, func.count()).group_by(RecommendationRow.status)
            )
        }
        capital, big, oldest = session.execute(
            select(
                func.coalesce(func.sum(RecommendationRow.capital_base), 0.0),
                func.count().filter(RecommendationRow.capital_base > threshold),
                func.min(RecommendationRow.created_at),
            ).where(RecommendationRow.status == proposed)
        ).one()
        plans = int(session.execute(select(func.count()).select_from(PlanRow)).scalar_one())
    return QueueSummary(
        by_status=by_status,
        proposed_capital_base=float(capital),
        proposed_needing_approver=int(big or 0),
        approver_required_above=float(threshold),
        oldest_proposed_at=as_utc(oldest) if oldest is not None else None,
        plans=plans,
    )


def explanation_of(ws: Workspace, rec_id: str) -> dict[str, Any]:
    """The explanation JSON stored with a recommendation (as the planner produced it).

    Raises
    ------
    NotFound
        When the ledger has no recommendation with that id.
    """
    with ws.session() as session:
        text = session.execute(
            select(RecommendationRow.explanation_json).where(RecommendationRow.id == rec_id)
        ).scalar_one_or_none()
    if text is None:
        raise NotFound(f"no recommendation {rec_id!r} in the ledger; list them with `hedgerow recommendations`")
    value = json.loads(text)
    return value if isinstance(value, dict) else {"value": value}


def typed_explanation_of(ws: Workspace, rec_id: str) -> Explanation:
    """The explanation stored with a recommendation, read back as the planner's type (what the CLI renders).

    Raises
    ------
    NotFound
        When the ledger has no recommendation with that id.
    RecordFormatError
        When the stored explanation has a field of the wrong type (the message names it).
    """
    return Explanation.from_dict(explanation_of(ws, rec_id))
