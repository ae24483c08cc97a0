"""Holds: buffers people keep on purpose."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from hedgerow.api.deps import HoldManager, NowDep, Reader, WorkspaceDep
from hedgerow.api.errors import ERROR_RESPONSES
from hedgerow.api.schemas import HoldExtendIn, HoldIn, HoldOut, HoldReleaseIn
from hedgerow.decide.holds import Hold
from hedgerow.services import holds as svc
from hedgerow.services.workspace import Workspace

router = APIRouter(prefix="/api", tags=["holds"], responses=ERROR_RESPONSES)

HoldId = Annotated[str, Path(min_length=1, max_length=200)]


def hold_out(hold: Hold, today: date, warn_days: int, value: float | None) -> HoldOut:
    """The API form of a hold as of ``today``, ``value`` its worth in base currency."""
    expiring = hold.in_force(today) and hold.days_left(today) <= warn_days
    return HoldOut.model_validate(hold.to_dict(today) | {"expiring": expiring, "value_base": value})


def _one(ws: Workspace, hold: Hold, today: date) -> HoldOut:
    money = svc.holds_money(ws, [hold], today)
    return hold_out(hold, today, ws.settings.approval.hold_expiry_warning_days, money.values[hold.hold_id])


@router.get("/holds", response_model=list[HoldOut])
def holds(
    _user: Reader,
    ws: WorkspaceDep,
    now: NowDep,
    include_released: Annotated[bool, Query(alias="all", description="Include released holds.")] = False,
) -> list[HoldOut]:
    """Holds by expiry day; ``expiring`` flags those within approval.hold_expiry_warning_days."""
    warn = ws.settings.approval.hold_expiry_warning_days
    held = svc.list_holds(ws, include_released=include_released)
    money = svc.holds_money(ws, held, now.date())
    return [hold_out(h, now.date(), warn, money.values[h.hold_id]) for h in held]


@router.post("/holds", response_model=HoldOut, status_code=201)
def create(body: HoldIn, user: HoldManager, ws: WorkspaceDep, now: NowDep) -> HoldOut:
    """Create a hold (owner defaults to the caller)."""
    hold = svc.create_hold(
        ws,
        item_id=body.item_id,
        location_id=body.location_id,
        qty=body.qty,
        owner=body.owner or user.name,
        reason=body.reason,
        expires_on=body.expires_on,
        user=user.name,
        now=now,
        hold_id=body.hold_id,
    )
    return _one(ws, hold, now.date())


@router.post("/holds/{hold_id}/extend", response_model=HoldOut)
def extend(hold_id: HoldId, body: HoldExtendIn, user: HoldManager, ws: WorkspaceDep, now: NowDep) -> HoldOut:
    """Move a hold's expiry day later."""
    hold = svc.extend_hold(ws, hold_id, body.until, user=user.name, now=now, expected_version=body.expected_version)
    return _one(ws, hold, now.date())


@router.post("/holds/{hold_id}/release", response_model=HoldOut)
def release(
    hold_id: HoldId, user: HoldManager, ws: WorkspaceDep, now: NowDep, body: HoldReleaseIn | None = None
) -> HoldOut:
    """Release a hold: its units become free stock again."""
    version = body.expected_version if body else None
    hold = svc.release_hold(ws, hold_id, user=user.name, now=now, expected_version=version)
    return _one(ws, hold, now.date())
