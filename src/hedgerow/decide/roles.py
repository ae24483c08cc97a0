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


def decision_permission(decision: DecisionKind, capital_base: float, approver_required_above: float) -> Permission:
    """The permission a decision needs.

    Parameters
    ----------
    decision:
        The decision taken.
    capital_base:
        Capital the recommendation commits (for a modification: the larger of the proposed and the modified
        action), in base currency.
    approver_required_above:
        ``approval.approver_required_above`` from the settings, base currency.
    """
    if decision in HUMAN_DECISIONS:
        return Permission.DECIDE_ANY_SIZE if capital_base > approver_required_above else Permission.DECIDE
    if decision is DecisionKind.SUPERSEDE:
        return Permission.RECORD_PLAN
    return Permission.EXPORT
