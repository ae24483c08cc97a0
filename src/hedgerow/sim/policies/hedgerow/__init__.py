"""hedgerow's own planner as a simulator policy (the backend of :class:`~hedgerow.sim.policies.planner.PlannerPolicy`).

:func:`hedgerow_policy` builds the policy for a network; :class:`HedgerowBackend` does the work each period
(demand engine → scenario set → ``hedgerow plan``'s planner → orders). See docs/simulator.md.
"""

from hedgerow.sim.policies.hedgerow.backend import (
    HedgerowBackend,
    HedgerowSettings,
    PeriodPlan,
    hedgerow_backend,
    hedgerow_policy,
)
from hedgerow.sim.policies.hedgerow.demand import FAST_FAMILIES, DemandSettings
from hedgerow.sim.policies.hedgerow.network import NetworkSpec

__all__ = [
    "FAST_FAMILIES",
    "DemandSettings",
    "HedgerowBackend",
    "HedgerowSettings",
    "NetworkSpec",
    "PeriodPlan",
    "hedgerow_backend",
    "hedgerow_policy",
]
