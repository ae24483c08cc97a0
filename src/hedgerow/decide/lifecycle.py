"""The recommendation lifecycle as a pure state machine.

::

    proposed ──approve──▶ approved ──export──▶ exported ──close──▶ closed
        │  ──modify───▶ modified ──export──┘
        │  ──reject───▶ rejected
        └──supersede──▶ superseded

Every transition not in :data:`TRANSITIONS` is forbidden; :func:`next_status` raises
:class:`~hedgerow.errors.InvalidTransition` naming the status, the attempted decision and what is allowed.
Rejected, superseded and closed are final. A decision is never undone: a person who changes their mind asks for
a new plan (which supersedes what is still open).
"""

from __future__ import annotations

from enum import StrEnum

from hedgerow.domain.actions import RecommendationStatus
from hedgerow.errors import InvalidTransition

S = RecommendationStatus


class DecisionKind(StrEnum):
    """What happens to a recommendation in one ledger decision."""

    APPROVE = "approve"
    REJECT = "reject"
    MODIFY = "modify"
    EXPORT = "export"
    CLOSE = "close"
    SUPERSEDE = "supersede"


class ReasonCategory(StrEnum):
    """Why a person rejected or modified a recommendation; the scoreboard adds up value per category."""

    DEMAND_KNOWLEDGE = "demand_knowledge"  # knows something about customers the data does not show
    SUPPLIER_INFO = "supplier_info"  # supplier or carrier told them something (delay, allocation, price)
    CAPACITY = "capacity"  # warehouse, lane or handling capacity
    BUDGET = "budget"  # cash or budget constraint
    DATA_ERROR = "data_error"  # the input data is wrong (count, demand spike, master data)
    RISK_APPETITE = "risk_appetite"  # prefers more (or less) protection than the settings give
    POLICY = "policy"  # a company rule (minimum order, preferred mode, ...)
    OTHER = "other"

    @property
    def label(self) -> str:
        """The category in plain words (forms and messages)."""
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ReasonCategory.DEMAND_KNOWLEDGE: "I know something about demand the data does not show",
    ReasonCategory.SUPPLIER_INFO: "a supplier or carrier told us something",
    ReasonCategory.CAPACITY: "warehouse, lane or handling capacity",
    ReasonCategory.BUDGET: "cash or budget",
    ReasonCategory.DATA_ERROR: "the data is wrong",
    ReasonCategory.RISK_APPETITE: "I want more or less protection",
    ReasonCategory.POLICY: "a company rule",
    ReasonCategory.OTHER: "other",
}


#: (status before, decision) → status after. Everything else is forbidden.
TRANSITIONS: dict[tuple[RecommendationStatus, DecisionKind], RecommendationStatus] = {
    (S.PROPOSED, DecisionKind.APPROVE): S.APPROVED,
    (S.PROPOSED, DecisionKind.REJECT): S.REJECTED,
    (S.PROPOSED, DecisionKind.MODIFY): S.MODIFIED,
    (S.PROPOSED, DecisionKind.SUPERSEDE): S.SUPERSEDED,
    (S.APPROVED, DecisionKind.EXPORT): S.EXPORTED,
    (S.MODIFIED, DecisionKind.EXPORT): S.EXPORTED,
    (S.EXPORTED, DecisionKind.CLOSE): S.CLOSED,
}

#: Statuses no decision leaves.
FINAL_STATUSES: frozenset[RecommendationStatus] = frozenset({S.REJECTED, S.SUPERSEDED, S.CLOSED})

#: Statuses whose action a person has accepted (possibly changed) and that go to the ERP.
ACCEPTED_STATUSES: frozenset[RecommendationStatus] = frozenset({S.APPROVED, S.MODIFIED, S.EXPORTED, S.CLOSED})

#: Decisions that need a reason (category and free text).
NEEDS_REASON: frozenset[DecisionKind] = frozenset({DecisionKind.REJECT, DecisionKind.MODIFY})

#: Decisions a person makes about what to do (as opposed to bookkeeping: export, close, supersede).
HUMAN_DECISIONS: frozenset[DecisionKind] = frozenset({DecisionKind.APPROVE, DecisionKind.REJECT, DecisionKind.MODIFY})


def allowed_decisions(status: RecommendationStatus) -> tuple[DecisionKind, ...]:
    """Decisions that may be taken on a recommendation in ``status``, in declaration order."""
    return tuple(kind for (before, kind) in TRANSITIONS if before is status)


def next_status(status: RecommendationStatus, decision: DecisionKind) -> RecommendationStatus:
    """The status after ``decision`` on a recommendation in ``status``.

    Raises
    ------
    InvalidTransition
        When the transition is not allowed, naming what is.
    """
    after = TRANSITIONS.get((status, decision))
    if after is None:
        allowed = ", ".join(k.value for k in allowed_decisions(status)) or "none (it is final)"
        raise InvalidTransition(
            f"cannot {decision.value} a recommendation that is {status.value}; allowed from {status.value}: {allowed}"
        )
    return after
