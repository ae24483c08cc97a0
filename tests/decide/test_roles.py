"""Role checks: the permission table and the size rule for planners."""

from __future__ import annotations

import itertools
import math

import pytest

from hedgerow.decide.lifecycle import DecisionKind
from hedgerow.decide.roles import (
    ROLE_PERMISSIONS,
    Permission,
    decision_permission,
    has_permission,
    modified_capital,
    require,
)
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


# proposed capital, proposed qty, modified qty, unit value (None: unknown), capital the size check uses
MODIFIED_CAPITAL = [
    (20_000.0, 100.0, 150.0, None, 30_000.0),  # an order grows at its own capital per unit
    (20_000.0, 100.0, 50.0, None, 20_000.0),  # a smaller order is checked as proposed
    (0.0, 50.0, 1e9, 10.0, 0.0 + (1e9 - 50) * 10.0),  # a buffer to keep grows at the item's unit value
    (0.0, 0.0, 3_000.0, 10.0, 30_000.0),  # doing nothing turned into 3,000 units
    (0.0, 50.0, 10.0, None, 0.0),  # a smaller buffer commits nothing, whatever the unit value
    (0.0, 50.0, 51.0, None, math.inf),  # growth that cannot be valued is not small
]


@pytest.mark.parametrize(("capital", "qty", "decided", "unit_value", "expected"), MODIFIED_CAPITAL)
def test_modified_capital(
    capital: float, qty: float, decided: float, unit_value: float | None, expected: float
) -> None:
    assert modified_capital(capital, qty, decided, unit_value) == expected
    permission = decision_permission(DecisionKind.MODIFY, expected, 25_000.0)
    assert (permission is Permission.DECIDE_ANY_SIZE) == (expected > 25_000.0)
