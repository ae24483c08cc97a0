"""Role checks: the permission table and the size rule for planners."""

from __future__ import annotations

import itertools

import pytest

from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.decide.roles import ROLE_PERMISSIONS, Permission, decision_permission, has_permission, require
from hedgerow.domain.actions import Role
from hedgerow.errors import PermissionDenied

MATRIX = {
    Role.VIEWER: {Permission.READ},
    Role.PLANNER: {
        Permission.READ,
        Permission.RECORD_PLAN,
        Permission.DECIDE,
        Permission.MANAGE_HOLDS,
        Permission.EXPORT,
        Permission.RECONCILE,
    },
}
MATRIX[Role.APPROVER] = MATRIX[Role.PLANNER] | {Permission.DECIDE_ANY_SIZE}
MATRIX[Role.ADMIN] = MATRIX[Role.APPROVER] | {Permission.MANAGE_USERS}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_permission_matrix(role: Role, permission: Permission) -> None:
    assert has_permission(role, permission) == (permission in MATRIX[role])
    if permission in MATRIX[role]:
        require("someone", role, permission, "do it")
    else:
        with pytest.raises(PermissionDenied, match=f"has role {role.value}, which may not do it; roles that may: "):
            require("someone", role, permission, "do it")


def test_roles_are_nested() -> None:
    order = [Role.VIEWER, Role.PLANNER, Role.APPROVER, Role.ADMIN]
    for weaker, stronger in itertools.pairwise(order):
        assert ROLE_PERMISSIONS[weaker] < ROLE_PERMISSIONS[stronger]


@pytest.mark.parametrize("decision", [DecisionKind.APPROVE, DecisionKind.REJECT, DecisionKind.MODIFY])
def test_size_rule(decision: DecisionKind) -> None:
    assert decision_permission(decision, 25_000.0, 25_000.0) is Permission.DECIDE
    assert decision_permission(decision, 25_000.01, 25_000.0) is Permission.DECIDE_ANY_SIZE


def test_bookkeeping_permissions() -> None:
    assert decision_permission(DecisionKind.EXPORT, 1e9, 0.0) is Permission.EXPORT
    assert decision_permission(DecisionKind.CLOSE, 1e9, 0.0) is Permission.EXPORT
    assert decision_permission(DecisionKind.SUPERSEDE, 1e9, 0.0) is Permission.RECORD_PLAN
