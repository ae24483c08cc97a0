"""Replenishment policies the simulator compares: baselines, an external peer, references and hedgerow's adapter."""

from hedgerow.sim.policies.base import Policy, PolicyName
from hedgerow.sim.policies.clairvoyant import ClairvoyantPlan, FixedPlanPolicy, clairvoyant_plan, clairvoyant_policy
from hedgerow.sim.policies.hindsight import HindsightSettings, best_stationary_levels, best_stationary_policy
from hedgerow.sim.policies.order_up_to import (
    BaseStockPolicy,
    MarginMaximiserPolicy,
    MarginMaximiserSettings,
    OrderUpToPolicy,
    OrderUpToSettings,
)
from hedgerow.sim.policies.planner import PlannerBackend, PlannerPolicy
from hedgerow.sim.policies.stockpyl_peer import StockpylBaseStockPolicy, StockpylSettings, stockpyl_available

__all__ = [
    "BaseStockPolicy",
    "ClairvoyantPlan",
    "FixedPlanPolicy",
    "HindsightSettings",
    "MarginMaximiserPolicy",
    "MarginMaximiserSettings",
    "OrderUpToPolicy",
    "OrderUpToSettings",
    "PlannerBackend",
    "PlannerPolicy",
    "Policy",
    "PolicyName",
    "StockpylBaseStockPolicy",
    "StockpylSettings",
    "best_stationary_levels",
    "best_stationary_policy",
    "clairvoyant_plan",
    "clairvoyant_policy",
    "stockpyl_available",
]
