"""The auto-approval policy: which recommendations may be approved without a person. Pure.

A recommendation is approved automatically when all hold:

* ``approval.auto_approve_max_value`` > 0 (0 switches the policy off);
* its capital is at most ``auto_approve_max_value`` (base currency);
* its stockout probability after the action is at most ``auto_approve_max_stockout_risk``;
* it commits something (order, transfer, expedite): buffers and do-nothing stay for a person to see.

It is recorded like any approval, with the user ``auto-approval`` and the flag ``auto``.
"""

from __future__ import annotations

from hedgerow.config import ApprovalSettings
from hedgerow.domain.actions import ActionKind

#: The user name auto-approvals are recorded under.
AUTO_APPROVER = "auto-approval"

#: Action kinds the policy may approve.
AUTO_APPROVABLE_KINDS = frozenset({ActionKind.ORDER, ActionKind.TRANSFER, ActionKind.EXPEDITE})


def auto_approvable(
    kind: ActionKind, capital_base: float, stockout_probability: float, policy: ApprovalSettings
) -> bool:
    """Whether the policy approves a recommendation of ``kind`` committing ``capital_base`` at that risk."""
    return (
        policy.auto_approve_max_value > 0
        and kind in AUTO_APPROVABLE_KINDS
        and capital_base <= policy.auto_approve_max_value
        and stockout_probability <= policy.auto_approve_max_stockout_risk
    )
