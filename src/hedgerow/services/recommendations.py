"""Recommendations in the ledger: record plans, list the queue, take decisions with optimistic locking.

A decision reads the recommendation (and its ``version``), checks the lifecycle and the user's role, then writes
``UPDATE recommendations SET ..., version = version + 1 WHERE id = :id AND version = :read_version``. When the
row changed in between, no row matches and :class:`~hedgerow.errors.ConcurrentUpdate` is raised: of two
concurrent decisions exactly one wins, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.lifecycle import DecisionKind, allowed_decisions, next_status
from hedgerow.decide.policy import AUTO_APPROVER, auto_approvable
from hedgerow.decide.reconcile import trust_note, unit_values_base
from hedgerow.decide.records import DecisionRequest, PlanRecord, PlanStatus, RecommendationRecord
from hedgerow.decide.roles import Permission, decision_permission, modified_capital, require
from hedgerow.domain.actions import ActionKind, RecommendationStatus
from hedgerow.domain.enums import TableName
from hedgerow.errors import ConcurrentUpdate, HedgerowError, InvalidTransition, NotFound, PermissionDenied
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.users import ActingUser, acting_user
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import DecisionRow, LocationTrustRow, PlanRow, RecommendationRow, as_utc

S = RecommendationStatus


@dataclass(frozen=True)
class RecommendationView:
    """A recommendation as the queue shows it."""

    id: str
    plan_id: str
    rank: int
    kind: str
    item_id: str
    location_id: str
    qty: float
    origin_id: str | None
    lane_id: str | None
    mode: str | None
    shipment_id: str | None
    expected_cost_base: float
    cvar_base: float
    stockout_probability: float
    capital_base: float
    status: str
    version: int
    auto_approved: bool
    decided_qty: float | None
    decided_mode: str | None
    decided_location_id: str | None
    decided_lane_id: str | None
    decided_by: str | None
    decided_at: datetime | None
    export_id: str | None
    trust_note: str | None
    created_at: datetime
    allowed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = dict(self.__dict__)
        out["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        out["created_at"] = self.created_at.isoformat()
        out["allowed"] = list(self.allowed)
        return out


def view_of(row: RecommendationRow) -> RecommendationView:
    """The queue view of a stored recommendation."""
    return RecommendationView(
        id=row.id,
        plan_id=row.plan_id,
        rank=row.rank,
        kind=row.kind,
        item_id=row.item_id,
        location_id=row.location_id,
        qty=row.qty,
        origin_id=row.origin_id,
        lane_id=row.lane_id,
        mode=row.mode,
        shipment_id=row.shipment_id,
        expected_cost_base=row.expected_cost_base,
        cvar_base=row.cvar_base,
        stockout_probability=row.stockout_probability,
        capital_base=row.capital_base,
        status=row.status,
        version=row.version,
        auto_approved=row.auto_approved,
        decided_qty=row.decided_qty,
        decided_mode=row.decided_mode,
        decided_location_id=row.decided_location_id,
        decided_lane_id=row.decided_lane_id,
        decided_by=row.decided_by,
        decided_at=as_utc(row.decided_at) if row.decided_at else None,
        export_id=row.export_id,
        trust_note=row.trust_note,
        created_at=as_utc(row.created_at),
        allowed=tuple(k.value for k in allowed_decisions(S(row.status))),
    )


@dataclass(frozen=True)
class RecordedPlan:
    """What :func:`record_plan` did."""

    plan_id: str
    already_recorded: bool
    recommendations: int
    superseded: tuple[str, ...]
    auto_approved: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "plan_id": self.plan_id,
            "already_recorded": self.already_recorded,
            "recommendations": self.recommendations,
            "superseded": list(self.superseded),
            "auto_approved": list(self.auto_approved),
        }


def _current_trust(session: Session) -> dict[str, LocationTrustRow]:
    rows = session.execute(select(LocationTrustRow).order_by(LocationTrustRow.id)).scalars().all()
    return {r.location_id: r for r in rows}  # the newest row per location wins


def _rec_row(plan: PlanRecord, rec: RecommendationRecord, note: str | None, now: datetime) -> RecommendationRow:
    a = rec.action
    return RecommendationRow(
        id=rec.rec_id,
        plan_id=plan.plan_id,
        rank=rec.rank,
        kind=a.kind.value,
        item_id=a.item_id,
        location_id=a.location_id,
        qty=float(a.qty),
        origin_id=a.origin_id,
        lane_id=a.lane_id,
        mode=a.mode.value if a.mode else None,
        shipment_id=a.shipment_id,
        expected_cost_base=rec.expected_cost_base,
        cvar_base=rec.cvar_base,
        stockout_probability=rec.stockout_probability,
        capital_base=rec.capital_base,
        explanation_json=json.dumps(dict(rec.explanation), sort_keys=True, ensure_ascii=False),
        trust_note=note,
        status=S.PROPOSED.value,
        version=1,
        auto_approved=False,
        created_at=now,
        updated_at=now,
    )


def apply_transition(
    session: Session,
    row: RecommendationRow,
    kind: DecisionKind,
    *,
    read_version: int,
    actor: ActingUser | str,
    now: datetime,
    request: DecisionRequest | None = None,
    decided: dict[str, Any] | None = None,
    auto: bool = False,
    columns: dict[str, Any] | None = None,
    note: dict[str, Any] | None = None,
) -> DecisionRow:
    """Move ``row`` to its next status with a version-checked UPDATE, record the decision and its event."""
    before = S(row.status)
    after = next_status(before, kind)
    name = actor.name if isinstance(actor, ActingUser) else actor
    role = actor.role_text if isinstance(actor, ActingUser) else "system"
    values: dict[str, Any] = {"status": after.value, "version": read_version + 1, "updated_at": now}
    if kind in (DecisionKind.APPROVE, DecisionKind.MODIFY, DecisionKind.REJECT):
        values.update(decided_by=name, decided_at=now, auto_approved=auto)
        values.update(decided or {})
    if columns:
        values.update(columns)
    result = session.execute(
        update(RecommendationRow)
        .where(RecommendationRow.id == row.id, RecommendationRow.version == read_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(session, row.id, read_version)
    decision = DecisionRow(
        recommendation_id=row.id,
        kind=kind.value,
        from_status=before.value,
        to_status=after.value,
        user_name=name,
        role=role,
        auto=auto,
        reason_category=request.reason_category.value if request and request.reason_category else None,
        reason_text=request.reason if request else None,
        qty=(decided or {}).get("decided_qty"),
        mode=(decided or {}).get("decided_mode"),
        location_id=(decided or {}).get("decided_location_id"),
        lane_id=(decided or {}).get("decided_lane_id"),
        version=read_version + 1,
        at=now,
    )
    session.add(decision)
    payload: dict[str, Any] = {
        "recommendation": row.id,
        "plan": row.plan_id,
        "decision": kind.value,
        "from": before.value,
        "to": after.value,
        "role": role,
        "auto": auto,
        "version": read_version + 1,
    }
    if request is not None and request.reason_category is not None:
        payload["reason_category"] = request.reason_category.value
    if request is not None and request.reason:
        payload["reason"] = request.reason  # an approval's reason too, when one was given
    if request is not None and request.consignment_id:
        payload["consignment"] = request.consignment_id  # decided with the other lines of its consignment
    if decided:
        payload["action"] = decided
    payload.update(columns or {})
    payload.update(note or {})
    append_event(
        session, kind=EventKind.DECISION, subject=row.id, payload=payload, actor=name, at=now, rows=[row, decision]
    )
    return decision


def _conflict(session: Session, rec_id: str, read_version: int) -> ConcurrentUpdate:
    latest = session.execute(
        select(DecisionRow).where(DecisionRow.recommendation_id == rec_id).order_by(DecisionRow.id.desc()).limit(1)
    ).scalar_one_or_none()
    by = f" by {latest.user_name} ({latest.kind}, now {latest.to_status})" if latest else ""
    return ConcurrentUpdate(
        f"recommendation {rec_id} was changed{by} after you read it at version {read_version}; nothing was "
        "written: reload it and decide again"
    )


def record_plan(ws: Workspace, plan: PlanRecord, *, user: str, now: datetime) -> RecordedPlan:
    """Record a plan and its recommendations (status proposed), supersede what it replaces, auto-approve.

    Recording the same plan id twice changes nothing and reports ``already_recorded``. The open (proposed)
    recommendations of earlier plans for the same item-locations become superseded. Recommendations the
    auto-approval policy accepts are approved as user ``auto-approval``.
    """
    with ledger_write(ws, actor=user, at=now) as session:
        actor = acting_user(session, user, Permission.RECORD_PLAN, "record plans")
        if session.get(PlanRow, plan.plan_id) is not None:
            count = len(plan.recommendations)
            return RecordedPlan(plan.plan_id, True, count, (), ())
        clash = session.execute(
            select(RecommendationRow.id).where(RecommendationRow.id.in_([r.rec_id for r in plan.recommendations]))
        ).first()
        if clash is not None:
            raise HedgerowError(f"recommendation id {clash[0]} already belongs to another plan")
        plan_row = PlanRow(
            id=plan.plan_id,
            created_at=plan.created_at,
            recorded_at=now,
            recorded_by=actor.name,
            seed=plan.seed,
            scenario_count=plan.scenario_count,
            horizon_periods=plan.horizon_periods,
            base_currency=plan.base_currency,
            snapshots_json=json.dumps(dict(plan.snapshots), sort_keys=True),
            settings_digest=plan.settings_digest,
            status=PlanStatus.ACTIVE.value,
        )
        session.add(plan_row)
        trust = _current_trust(session)
        floor = ws.settings.quality.min_location_trust
        rows = []
        for rec in plan.recommendations:
            t = trust.get(rec.action.location_id)
            note = (
                trust_note(t.location_id, t.trust_score, t.abs_diff_value_base, plan.base_currency, floor)
                if t
                else None
            )
            rows.append(_rec_row(plan, rec, note, now))
        session.add_all(rows)
        session.flush()
        append_event(
            session,
            kind=EventKind.PLAN,
            subject=plan.plan_id,
            payload={
                "plan": plan.plan_id,
                "created_at": plan.created_at,
                "seed": plan.seed,
                "scenario_count": plan.scenario_count,
                "horizon_periods": plan.horizon_periods,
                "base_currency": plan.base_currency,
                "snapshots": dict(plan.snapshots),
                "settings_digest": plan.settings_digest,
                "recommendations": [r.rec_id for r in plan.recommendations],
            },
            actor=actor.name,
            at=now,
            rows=[plan_row, *rows],
        )
        superseded = _supersede(session, plan, actor, now)
        auto = []
        policy = ws.settings.approval
        for row in rows:
            if auto_approvable(ActionKind(row.kind), row.capital_base, row.stockout_probability, policy):
                apply_transition(
                    session,
                    row,
                    DecisionKind.APPROVE,
                    read_version=row.version,
                    actor=AUTO_APPROVER,
                    now=now,
                    auto=True,
                    decided=_decided_same(row),
                )
                auto.append(row.id)
    return RecordedPlan(plan.plan_id, False, len(rows), tuple(superseded), tuple(auto))


def _decided_same(row: RecommendationRow | RecommendationView) -> dict[str, Any]:
    return {
        "decided_qty": row.qty,
        "decided_mode": row.mode,
        "decided_location_id": row.location_id,
        "decided_lane_id": row.lane_id,
    }


def _supersede(session: Session, plan: PlanRecord, actor: ActingUser, now: datetime) -> list[str]:
    keys = {(r.action.item_id, r.action.location_id) for r in plan.recommendations}
    if not keys:
        return []
    items = sorted({k[0] for k in keys})
    old = session.execute(
        select(RecommendationRow)
        .where(
            RecommendationRow.plan_id != plan.plan_id,
            RecommendationRow.status == S.PROPOSED.value,
            RecommendationRow.item_id.in_(items),
        )
        .order_by(RecommendationRow.id)
    ).scalars()
    done: list[str] = []
    touched_plans: set[str] = set()
    for row in old:
        if (row.item_id, row.location_id) not in keys:
            continue
        apply_transition(
            session,
            row,
            DecisionKind.SUPERSEDE,
            read_version=row.version,
            actor=actor.name,
            now=now,
            note={"superseded_by": plan.plan_id},
        )
        done.append(row.id)
        touched_plans.add(row.plan_id)
    for plan_id in sorted(touched_plans):
        still_open = session.execute(
            select(RecommendationRow.id)
            .where(RecommendationRow.plan_id == plan_id, RecommendationRow.status == S.PROPOSED.value)
            .limit(1)
        ).first()
        if still_open is None:
            session.execute(update(PlanRow).where(PlanRow.id == plan_id).values(status=PlanStatus.SUPERSEDED.value))
            append_event(
                session,
                kind=EventKind.PLAN,
                subject=plan_id,
                payload={"plan": plan_id, "status": PlanStatus.SUPERSEDED.value, "superseded_by": plan.plan_id},
                actor=actor.name,
                at=now,
                rows=[session.get_one(PlanRow, plan_id)],
            )
    return done


def get_recommendation(ws: Workspace, rec_id: str) -> RecommendationView:
    """One recommendation.

    Raises
    ------
    NotFound
        When the ledger has no recommendation with that id.
    """
    with ws.session() as session:
        row = session.get(RecommendationRow, rec_id)
        if row is None:
            raise NotFound(f"no recommendation {rec_id!r} in the ledger; list them with `hedgerow recommendations`")
        return view_of(row)


def list_recommendations(
    ws: Workspace,
    *,
    statuses: Iterable[RecommendationStatus] | None = None,
    item_id: str | None = None,
    location_id: str | None = None,
    plan_id: str | None = None,
    kind: ActionKind | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[RecommendationView]:
    """The queue: recommendations filtered, newest plan first, then by rank (``offset`` rows skipped).

    The explanation JSON is not loaded (read it with :func:`hedgerow.services.queue.explanation_of`).
    """
    query = select(*_VIEW_COLUMNS).join(PlanRow, PlanRow.id == RecommendationRow.plan_id)
    if statuses is not None:
        query = query.where(RecommendationRow.status.in_([s.value for s in statuses]))
    if item_id is not None:
        query = query.where(RecommendationRow.item_id == item_id)
    if location_id is not None:
        query = query.where(RecommendationRow.location_id == location_id)
    if plan_id is not None:
        query = query.where(RecommendationRow.plan_id == plan_id)
    if kind is not None:
        query = query.where(RecommendationRow.kind == kind.value)
    query = query.order_by(PlanRow.recorded_at.desc(), PlanRow.id, RecommendationRow.rank, RecommendationRow.id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with ws.session() as session:
        return [_view_of_values(r) for r in session.execute(query)]


#: Columns of a queue row in the order of :class:`RecommendationView`'s fields (all but ``allowed``): read as plain
#: tuples, without building ORM objects (the queue lists thousands).
_VIEW_FIELDS = [f for f in RecommendationView.__dataclass_fields__ if f != "allowed"]
_VIEW_COLUMNS = [RecommendationRow.__table__.columns[f] for f in _VIEW_FIELDS]
_DECIDED_AT = _VIEW_FIELDS.index("decided_at")
_CREATED_AT = _VIEW_FIELDS.index("created_at")
_STATUS = _VIEW_FIELDS.index("status")
_AUTO = _VIEW_FIELDS.index("auto_approved")

_ALLOWED = {s.value: tuple(k.value for k in allowed_decisions(s)) for s in S}


def _view_of_values(values: Sequence[Any]) -> RecommendationView:
    row = list(values)
    if row[_DECIDED_AT] is not None:
        row[_DECIDED_AT] = as_utc(row[_DECIDED_AT])
    row[_CREATED_AT] = as_utc(row[_CREATED_AT])
    row[_AUTO] = bool(row[_AUTO])
    row.append(_ALLOWED[row[_STATUS]])
    return RecommendationView(*row)


def _lanes(ws: Workspace) -> list[dict[str, Any]]:
    frame = ws.current_frame(TableName.LANES)
    if frame is None:
        return []
    return [
        {str(k): v for k, v in r.items()}
        for r in frame[["lane_id", "origin_id", "destination_id", "mode"]].to_dict("records")
    ]


def resolve_lane(lanes: Sequence[dict[str, Any]], origin_id: str | None, destination_id: str, mode: str) -> str:
    """The lane from ``origin_id`` to ``destination_id`` by ``mode``.

    Raises
    ------
    NotFound
        When the lanes table has none, or more than one (then the lane must be given).
    """
    found = [
        str(r["lane_id"])
        for r in lanes
        if r["origin_id"] == origin_id and r["destination_id"] == destination_id and r["mode"] == mode
    ]
    if len(found) == 1:
        return found[0]
    what = "no lane" if not found else f"{len(found)} lanes ({', '.join(found)})"
    raise NotFound(f"{what} from {origin_id} to {destination_id} by {mode} in the lanes table; give lane=LANE_ID")


def _modified_action(ws: Workspace, row: RecommendationView, request: DecisionRequest) -> dict[str, Any]:
    qty = request.qty if request.qty is not None else row.qty
    mode = request.mode.value if request.mode is not None else row.mode
    destination = request.location_id or row.location_id
    lane = request.lane_id
    if lane is None:
        lane = row.lane_id
        if (mode != row.mode or destination != row.location_id) and row.lane_id is not None and mode is not None:
            lane = resolve_lane(_lanes(ws), row.origin_id, destination, mode)
    if lane is not None and request.lane_id is not None:
        match = [r for r in _lanes(ws) if r["lane_id"] == lane]
        if match:
            mode = str(match[0]["mode"])
            if match[0]["destination_id"] != destination:
                raise HedgerowError(
                    f"lane {lane} goes to {match[0]['destination_id']}, not to the destination {destination}"
                )
    return {
        "decided_qty": float(qty),
        "decided_mode": mode,
        "decided_location_id": destination,
        "decided_lane_id": lane,
    }


def _unit_value_base(ws: Workspace, item_id: str, now: datetime) -> float | None:
    """Cost of one unit of ``item_id`` in base currency at the newest FX rate by ``now``; None when unknown."""
    items = ws.current_frame(TableName.ITEMS)
    if items is None:
        return None
    item = items[items["item_id"] == item_id]
    if item.empty:
        return None
    at = pd.Timestamp(now).tz_convert("UTC").tz_localize(None)
    try:
        values = unit_values_base(item, ws.current_frame(TableName.FX_RATES), ws.settings.workspace.base_currency, at)
    except HedgerowError:  # the item's cost currency has no rate: the value is unknown
        return None
    value = values.get(item_id)
    return value if value is not None and math.isfinite(value) else None


def decide(
    ws: Workspace,
    rec_id: str,
    request: DecisionRequest,
    *,
    user: str,
    now: datetime,
    expected_version: int | None = None,
) -> RecommendationView:
    """Approve, reject, modify or close a recommendation as ``user``.

    Parameters
    ----------
    expected_version:
        The version the user saw; None reads it now. The write only happens if the recommendation is still at
        that version.

    Raises
    ------
    HedgerowError
        When the request is malformed (no reason for a rejection, nothing changed in a modification, ...).
    NotFound, InvalidTransition, PermissionDenied
        Unknown id; decision not allowed from the current status; role not allowed for this size.
    ConcurrentUpdate
        When someone else decided in between; nothing was written.
    """
    problems = request.problems()
    if problems:
        raise HedgerowError("; ".join(problems))
    if request.kind is DecisionKind.EXPORT or request.kind is DecisionKind.SUPERSEDE:
        raise InvalidTransition(f"{request.kind.value} is done by `hedgerow export` / a new plan, not by a decision")
    seen = get_recommendation(ws, rec_id)
    read_version = expected_version if expected_version is not None else seen.version
    decided: dict[str, Any] | None = None
    capital = seen.capital_base
    if request.kind is DecisionKind.MODIFY:
        decided = _modified_action(ws, seen, request)
        grows_uncosted = decided["decided_qty"] > seen.qty and not (seen.qty > 0 and seen.capital_base > 0)
        unit_value = _unit_value_base(ws, seen.item_id, now) if grows_uncosted else None
        capital = modified_capital(seen.capital_base, seen.qty, decided["decided_qty"], unit_value)
    with ledger_write(ws, actor=user, at=now) as session:
        row = session.get(RecommendationRow, rec_id, populate_existing=True)
        if row is None:  # pragma: no cover - recommendations are never deleted
            raise NotFound(f"no recommendation {rec_id!r} in the ledger")
        actor = acting_user(session, user, Permission.READ, "decide")
        if row.version != read_version:
            raise _conflict(session, rec_id, read_version)
        next_status(S(row.status), request.kind)
        permission = decision_permission(request.kind, capital, ws.settings.approval.approver_required_above)
        size = (
            f"capital unknown: {seen.item_id} has no unit_cost in the items table (or no FX rate) to value the "
            "added units"
            if math.isinf(capital)
            else f"capital {capital:,.0f} {ws.settings.workspace.base_currency}"
        )
        what = f"{request.kind.value} {rec_id} ({size})"
        if actor.role is None:  # pragma: no cover - READ is never granted in open mode
            raise PermissionDenied(f"{user!r} is not a ledger user")
        require(actor.name, actor.role, permission, what)
        if request.kind is DecisionKind.APPROVE:
            decided = _decided_same(row)
        elif request.kind is DecisionKind.REJECT:
            decided = {"decided_qty": 0.0}
        apply_transition(
            session,
            row,
            request.kind,
            read_version=read_version,
            actor=actor,
            now=now,
            request=request,
            decided=decided,
        )
    return get_recommendation(ws, rec_id)


def plan_of(ws: Workspace, plan_id: str) -> PlanRow:
    """A recorded plan row.

    Raises
    ------
    NotFound
        When the ledger has no such plan.
    """
    with ws.session() as session:
        row = session.get(PlanRow, plan_id)
    if row is None:
        raise NotFound(f"no plan {plan_id!r} in the ledger")
    return row


def decisions_of(ws: Workspace, rec_id: str) -> list[DecisionRow]:
    """Every decision on a recommendation, oldest first."""
    with ws.session() as session:
        return list(
            session.execute(select(DecisionRow).where(DecisionRow.recommendation_id == rec_id).order_by(DecisionRow.id))
            .scalars()
            .all()
        )
