"""FX cover recommendations in the ledger: record them for a person to decide, list them, approve or reject.

Recording writes one ``fx_cover_recommendations`` row per currency and horizon (those with a cover ratio of 0
too: "leave it uncovered" is a recommendation a person may overrule) and supersedes the proposed rows of earlier
recordings, in one audited transaction. A decision is version-checked like a recommendation's
(:mod:`hedgerow.services.recommendations`): of two concurrent decisions exactly one wins. Covering more than
``[approval] approver_required_above`` (base currency, at the forward) needs the approver role.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.fx_cover import FxCoverStatus, allowed_fx_decisions, next_fx_status
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.decide.roles import Permission, require
from hedgerow.errors import ConcurrentUpdate, NotFound
from hedgerow.plan.fx_cover import CoverChoice
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.fx_cover import FxCoverReport
from hedgerow.services.users import acting_user
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import FxCoverRow, as_utc


@dataclass(frozen=True)
class FxCoverView:
    """A recorded FX cover recommendation as people see it (money in the base currency)."""

    id: str
    plan_id: str
    currency: str
    first_period: int
    last_period: int
    period_days: int
    amount_local: float
    exposure_base: float
    forward_rate: float
    cover_ratio: float
    cover_cost_base: float
    var_base: float
    cvar_base: float
    expected_none_base: float
    cvar_none_base: float
    expected_full_base: float
    cvar_full_base: float
    expected_recommended_base: float
    cvar_recommended_base: float
    headline: str
    alternatives: dict[str, str]
    status: str
    version: int
    reason: str | None
    decided_by: str | None
    decided_at: datetime | None
    created_by: str
    created_at: datetime
    allowed: tuple[str, ...]

    @property
    def covered_base(self) -> float:
        """Value the recommended cover buys forward, base currency at the forward rate."""
        return self.cover_ratio * self.exposure_base

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = dict(self.__dict__)
        out["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        out["created_at"] = self.created_at.isoformat()
        out["allowed"] = list(self.allowed)
        out["covered_base"] = self.covered_base
        return out


def fx_view_of(row: FxCoverRow) -> FxCoverView:
    """The view of a stored FX cover recommendation."""
    return FxCoverView(
        id=row.id,
        plan_id=row.plan_id,
        currency=row.currency,
        first_period=row.first_period,
        last_period=row.last_period,
        period_days=row.period_days,
        amount_local=row.amount_local,
        exposure_base=row.exposure_base,
        forward_rate=row.forward_rate,
        cover_ratio=row.cover_ratio,
        cover_cost_base=row.cover_cost_base,
        var_base=row.var_base,
        cvar_base=row.cvar_base,
        expected_none_base=row.expected_none_base,
        cvar_none_base=row.cvar_none_base,
        expected_full_base=row.expected_full_base,
        cvar_full_base=row.cvar_full_base,
        expected_recommended_base=row.expected_recommended_base,
        cvar_recommended_base=row.cvar_recommended_base,
        headline=row.headline,
        alternatives=dict(json.loads(row.explanation_json)),
        status=row.status,
        version=row.version,
        reason=row.reason_text,
        decided_by=row.decided_by,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        created_by=row.created_by,
        created_at=as_utc(row.created_at),
        allowed=tuple(k.value for k in allowed_fx_decisions(FxCoverStatus(row.status))),
    )


def _event_payload(row: FxCoverRow, action: str) -> dict[str, Any]:
    return {
        "action": action,
        "plan_id": row.plan_id,
        "currency": row.currency,
        "first_period": row.first_period,
        "last_period": row.last_period,
        "cover_ratio": row.cover_ratio,
        "status": row.status,
    }


def record_fx_cover(ws: Workspace, report: FxCoverReport, *, user: str, now: datetime) -> list[FxCoverView]:
    """Record one proposed row per currency and horizon of ``report``; supersede the proposed rows before them.

    Raises
    ------
    PermissionDenied
        When ``user`` may not record plans.
    """
    with ledger_write(ws, actor=user, at=now) as session:
        actor = acting_user(session, user, Permission.RECORD_PLAN, "record FX cover recommendations")
        open_rows = session.scalars(
            select(FxCoverRow).where(FxCoverRow.status == FxCoverStatus.PROPOSED.value).order_by(FxCoverRow.id)
        ).all()
        for old in open_rows:
            old.status = next_fx_status(FxCoverStatus.PROPOSED, DecisionKind.SUPERSEDE, None).value
            old.version += 1
            old.updated_at = now
        if open_rows:
            append_event(
                session, kind=EventKind.FX_COVER, subject="fx_cover", payload={"action": "supersede",
                "ids": [r.id for r in open_rows]}, actor=actor.name, at=now, rows=list(open_rows),
            )  # fmt: skip
        rows = []
        for bucket, words in zip(report.plan.buckets, report.words, strict=True):
            outcome = {a.choice: a.outcome for a in bucket.alternatives}
            row = FxCoverRow(
                id=f"FX-{uuid.uuid4().hex[:12]}",
                plan_id=report.plan_id,
                currency=bucket.currency,
                first_period=bucket.first_period,
                last_period=bucket.last_period,
                period_days=report.period_days,
                amount_local=bucket.amount_local,
                exposure_base=bucket.exposure_base,
                forward_rate=bucket.forward_rate,
                cover_ratio=bucket.cover_ratio,
                cover_cost_base=bucket.cover_cost_base,
                var_base=bucket.var_base,
                cvar_base=bucket.cvar_base,
                expected_none_base=outcome[CoverChoice.NONE].expected_cost_base,
                cvar_none_base=outcome[CoverChoice.NONE].cvar_base,
                expected_full_base=outcome[CoverChoice.FULL].expected_cost_base,
                cvar_full_base=outcome[CoverChoice.FULL].cvar_base,
                expected_recommended_base=outcome[CoverChoice.RECOMMENDED].expected_cost_base,
                cvar_recommended_base=outcome[CoverChoice.RECOMMENDED].cvar_base,
                headline=words.headline,
                explanation_json=json.dumps(
                    {k.value: v for k, v in words.alternatives.items()}, sort_keys=True, ensure_ascii=False
                ),
                status=FxCoverStatus.PROPOSED.value,
                version=1,
                created_by=actor.name,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            rows.append(row)
            append_event(
                session, kind=EventKind.FX_COVER, subject=row.id, payload=_event_payload(row, "record"),
                actor=actor.name, at=now, rows=[row],
            )  # fmt: skip
        return [fx_view_of(r) for r in rows]


def list_fx_cover(ws: Workspace, *, status: FxCoverStatus | None = None, limit: int = 200) -> list[FxCoverView]:
    """Recorded FX cover recommendations, newest first (of one ``status``)."""
    query = select(FxCoverRow).order_by(
        FxCoverRow.created_at.desc(), FxCoverRow.currency, FxCoverRow.first_period, FxCoverRow.id
    )
    if status is not None:
        query = query.where(FxCoverRow.status == status.value)
    with ws.session() as session:
        return [fx_view_of(r) for r in session.scalars(query.limit(limit)).all()]


def get_fx_cover(ws: Workspace, cover_id: str) -> FxCoverView:
    """One recorded FX cover recommendation.

    Raises
    ------
    NotFound
        When the id is not in the ledger.
    """
    with ws.session() as session:
        row = session.get(FxCoverRow, cover_id)
    if row is None:
        raise NotFound(f"no FX cover recommendation {cover_id!r}; `hedgerow fx-cover --recorded` lists them")
    return fx_view_of(row)


def decide_fx_cover(
    ws: Workspace,
    cover_id: str,
    kind: DecisionKind,
    *,
    reason: str | None,
    user: str,
    now: datetime,
    expected_version: int | None = None,
) -> FxCoverView:
    """Approve or reject an FX cover recommendation (a rejection needs a reason).

    Raises
    ------
    NotFound
        When the id is not in the ledger.
    InvalidTransition
        When it is no longer proposed, or ``kind`` is not approve / reject.
    PermissionDenied
        When ``user`` may not decide, or the cover exceeds [approval] approver_required_above and the user is
        not an approver.
    ConcurrentUpdate
        When the row changed since ``expected_version`` (or since it was read).
    """
    with ledger_write(ws, actor=user, at=now) as session:
        actor = acting_user(session, user, Permission.DECIDE, "decide FX cover recommendations")
        row = session.get(FxCoverRow, cover_id)
        if row is None:
            raise NotFound(f"no FX cover recommendation {cover_id!r}; `hedgerow fx-cover --recorded` lists them")
        read_version = row.version
        if expected_version is not None and expected_version != read_version:
            raise ConcurrentUpdate(
                f"FX cover {cover_id} is at version {read_version}, not {expected_version}: reload and decide again"
            )
        after = next_fx_status(FxCoverStatus(row.status), kind, reason)
        limit = ws.settings.approval.approver_required_above
        if actor.role is not None and row.cover_ratio * row.exposure_base > limit:
            require(actor.name, actor.role, Permission.DECIDE_ANY_SIZE, f"decide FX cover above {limit:,.0f}")
        result = session.execute(
            update(FxCoverRow)
            .where(FxCoverRow.id == cover_id, FxCoverRow.version == read_version)
            .values(
                status=after.value,
                version=read_version + 1,
                reason_text=(reason or "").strip() or None,
                decided_by=actor.name,
                decided_at=now,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate(f"FX cover {cover_id} changed while deciding: reload and decide again")
        session.expire(row)
        append_event(
            session, kind=EventKind.FX_COVER, subject=cover_id, payload={**_event_payload(row, kind.value),
            "reason": row.reason_text, "role": actor.role_text}, actor=actor.name, at=now, rows=[row],
        )  # fmt: skip
        return fx_view_of(row)
