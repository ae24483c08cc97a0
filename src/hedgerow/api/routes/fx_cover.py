"""FX cover recommendations: list the recorded ones, approve or reject one (hedgerow recommends; it never trades).

Recording them (`hedgerow fx-cover --record`) fits the supply side and draws the FX scenarios, so it stays a
command for now; the API reads and decides what is recorded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from hedgerow.api.deps import Decider, NowDep, Reader, WorkspaceDep
from hedgerow.api.errors import ERROR_RESPONSES
from hedgerow.api.schemas import FxCoverDecision, FxCoverDecisionIn, FxCoverOut
from hedgerow.decide.fx_cover import FxCoverStatus
from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.services.fx_cover_ledger import FxCoverView, decide_fx_cover, list_fx_cover

router = APIRouter(prefix="/api", tags=["fx-cover"], responses=ERROR_RESPONSES)

FxCoverId = Annotated[str, Path(min_length=1, max_length=64)]

_KIND = {FxCoverDecision.APPROVE: DecisionKind.APPROVE, FxCoverDecision.REJECT: DecisionKind.REJECT}


def fx_cover_out(view: FxCoverView) -> FxCoverOut:
    """The API form of a recorded FX cover recommendation."""
    return FxCoverOut.model_validate(view.to_dict())


@router.get("/fx-cover", response_model=list[FxCoverOut])
def fx_cover(
    _user: Reader,
    ws: WorkspaceDep,
    status: Annotated[FxCoverStatus | None, Query(description="Only this status.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[FxCoverOut]:
    """Recorded FX cover recommendations, newest first, one per currency and horizon."""
    return [fx_cover_out(v) for v in list_fx_cover(ws, status=status, limit=limit)]


@router.post("/fx-cover/{cover_id}/decision", response_model=FxCoverOut)
def decision(cover_id: FxCoverId, body: FxCoverDecisionIn, user: Decider, ws: WorkspaceDep, now: NowDep) -> FxCoverOut:
    """Approve or reject an FX cover recommendation (reject needs a reason). Large ones need an approver; 409 if
    it changed."""
    view = decide_fx_cover(
        ws, cover_id, _KIND[body.decision], reason=body.reason, user=user.name, now=now,
        expected_version=body.expected_version,
    )  # fmt: skip
    return fx_cover_out(view)
