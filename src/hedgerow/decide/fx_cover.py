"""The lifecycle of an FX cover recommendation in the ledger (pure).

hedgerow recommends forward cover; a person decides, and the treasury (not hedgerow) trades. A recorded cover
recommendation is ``proposed``; a person with the ``decide`` permission approves it or rejects it (a rejection needs
a reason); recording newer ones supersedes the proposed ones still open. Decided ones stay as they are.
"""

from __future__ import annotations

from enum import StrEnum

from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.errors import HedgerowError, InvalidTransition


class FxCoverStatus(StrEnum):
    """Where an FX cover recommendation stands."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"


#: The decisions a person may take on an FX cover recommendation.
FX_COVER_DECISIONS: tuple[DecisionKind, ...] = (DecisionKind.APPROVE, DecisionKind.REJECT)

_NEXT: dict[tuple[FxCoverStatus, DecisionKind], FxCoverStatus] = {
    (FxCoverStatus.PROPOSED, DecisionKind.APPROVE): FxCoverStatus.APPROVED,
    (FxCoverStatus.PROPOSED, DecisionKind.REJECT): FxCoverStatus.REJECTED,
    (FxCoverStatus.PROPOSED, DecisionKind.SUPERSEDE): FxCoverStatus.SUPERSEDED,
}


def allowed_fx_decisions(status: FxCoverStatus) -> tuple[DecisionKind, ...]:
    """The human decisions allowed from ``status``."""
    return tuple(k for k in FX_COVER_DECISIONS if (status, k) in _NEXT)


def next_fx_status(status: FxCoverStatus, kind: DecisionKind, reason: str | None) -> FxCoverStatus:
    """The status after ``kind``.

    Raises
    ------
    InvalidTransition
        When ``kind`` is not allowed from ``status`` (naming what is).
    HedgerowError
        When a rejection comes without a reason.
    """
    after = _NEXT.get((status, kind))
    if after is None:
        allowed = ", ".join(k.value for k in allowed_fx_decisions(status)) or "none"
        raise InvalidTransition(
            f"an FX cover recommendation that is {status.value} cannot be {kind.value}d; allowed: {allowed}"
        )
    if kind is DecisionKind.REJECT and not (reason or "").strip():
        raise HedgerowError("rejecting an FX cover recommendation needs a reason (--reason TEXT)")
    return after
