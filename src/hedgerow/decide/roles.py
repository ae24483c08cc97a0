"""Who may do what in the ledger: a pure role → permission table and the checks that use it.

=========  ====================================================================================
role       may
=========  ====================================================================================
viewer     read: the queue, plans, holds, audit log, scoreboard, exports
planner    viewer + record plans; approve / reject / modify recommendations committing at most
           ``approval.approver_required_above`` (base currency); holds; export; close; reconcile
approver   planner + decide recommendations of any size
admin      approver + manage users and API keys
=========  ====================================================================================
"""

from __future__ import annotations

import math
from enum import StrEnum

from hedgerow.decide.lifecycle import HUMAN_DECISIONS, DecisionKind
from hedgerow.domain.actions import Role
from hedgerow.errors import PermissionDenied


class Permission(StrEnum):
    """Things a ledger user can do."""

    READ = "read"
    RECORD_PLAN = "record_plan"
    DECIDE = "decide"  # approve / reject / modify up to the approver threshold
    DECIDE_ANY_SIZE = "decide_any_size"  # ... above it too
    MANAGE_HOLDS = "manage_holds"
    EXPORT = "export"  # export accepted actions, close exported ones
    RECONCILE = "reconcile"
    MANAGE_USERS = "manage_users"


_VIEWER = frozenset({Permission.READ})
_PLANNER = _VIEWER | {
    Permission.RECORD_PLAN,
    Permission.DECIDE,
    Permission.MANAGE_HOLDS,
    Permission.EXPORT,
    Permission.RECONCILE,
}
_APPROVER = _PLANNER | {Permission.DECIDE_ANY_SIZE}
_ADMIN = _APPROVER | {Permission.MANAGE_USERS}

#: What each role may do.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.PLANNER: frozenset(_PLANNER),
    Role.APPROVER: frozenset(_APPROVER),
    Role.ADMIN: frozenset(_ADMIN),
}


def has_permission(role: Role, permission: Permission) -> bool:
    """Whether ``role`` includes ``permission``."""
    return permission in ROLE_PERMISSIONS[role]


def require(user: str, role: Role, permission: Permission, what: str) -> None:
    """Raise unless ``role`` includes ``permission``.

    Raises
    ------
    PermissionDenied
        Naming the user, their role, what they tried and which roles may do it.
    """
    if not has_permission(role, permission):
        allowed = ", ".join(r.value for r in Role if has_permission(r, permission))
        raise PermissionDenied(f"user {user!r} has role {role.value}, which may not {what}; roles that may: {allowed}")


def modified_capital(
    proposed_capital: float, proposed_qty: float, decided_qty: float, unit_value: float | None
) -> float:
    """Capital (base currency) a modification commits, for the size check: the proposed action's, plus each unit
    added at the proposed capital per unit.

    A proposed action that commits no capital (a buffer to keep, doing nothing) values the added units at
    ``unit_value`` (the item's cost in base currency); when that is unknown (None), any growth counts as
    unbounded (``math.inf``), so that only a role that may decide any size can make it. A modification that
    does not add units commits no more than the proposed action.
    """
    added = max(decided_qty - proposed_qty, 0.0)
    if added == 0:
        return proposed_capital
    per_unit = proposed_capital / proposed_qty if proposed_qty > 0 and proposed_capital > 0 else unit_value
    if per_unit is None:
        return math.inf
    return proposed_capital + added * per_unit


def decision_permission(decision: DecisionKind, capital_base: float, approver_required_above: float) -> Permission:
    """The permission a decision needs.

    Parameters
    ----------
    decision:
        The decision taken.
    capital_base:
        Capital the recommendation commits (for a modification: :func:`modified_capital`), in base currency.
    approver_required_above:
        ``approval.approver_required_above`` from the settings, base currency.
    """
    if decision in HUMAN_DECISIONS:
        return Permission.DECIDE_ANY_SIZE if capital_base > approver_required_above else Permission.DECIDE
    if decision is DecisionKind.SUPERSEDE:
        return Permission.RECORD_PLAN
    return Permission.EXPORT
