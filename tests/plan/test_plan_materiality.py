"""The materiality rule leaves out small actions, never a guardrail's, and decides per item-location (issue 14).

An action's value is what removing it would cost: the objective with the action taken out minus the objective
with it, the rest of the plan unchanged. Every action the rule keeps must clear ``max(min_value, share ×
capital)`` unless a service floor needs it, and a store's action must not depend on how many stores share its
item.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from plan_cases import PLAIN, many_locations

from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.materiality import Materiality, fold_immaterial
from hedgerow.plan.model import PlanModel
from hedgerow.plan.planner import plan_partition
from hedgerow.plan.problem import PlannerPolicy
from hedgerow.scenarios.rng import Stream, stream_rng

#: Objectives that must agree up to floating-point rounding (base currency).
SAME = 1e-6
N_STORES = 24
SCENARIOS = 301


def _stores(policy: PlannerPolicy, *, n: int = N_STORES) -> tuple[PlanModel, np.ndarray]:
    """``n`` stores of one item, from a few units a week to dozens (fixed seed), planned without the rule."""
    rng = stream_rng(21, Stream.DEMAND, "materiality")
    lam = np.geomspace(0.05, 40.0, N_STORES)
    demand = rng.poisson(lam[:, None, None], (N_STORES, SCENARIOS, 1)).astype(float)[:n]
    problem, scen = many_locations(demand, price=np.full(n, 18.0), cost=10.0)
    problem = replace(problem, policy=replace(policy, leftover_value_fraction=0.4))
    plan = plan_partition(problem, scen)
    return plan.model, plan.x


def _values(model: PlanModel, x: np.ndarray) -> dict[int, float]:
    """Each action's value measured by evaluating the plan without it (base currency)."""
    base = float(evaluate(model, x).objective.sum())
    out = {}
    for j in np.flatnonzero(x > 0).tolist():
        without = x.copy()
        without[j] = 0.0
        out[j] = float(evaluate(model, without).objective.sum()) - base
    return out


def test_every_kept_action_clears_the_bar_and_the_small_ones_are_counted() -> None:
    model, x = _stores(PLAIN)
    values = _values(model, x)
    bar = float(np.median(list(values.values())))
    kept, folded = fold_immaterial(model, x, Materiality(min_value=bar))
    after = _values(model, kept)
    assert after, "the large orders stay"
    assert all(v >= bar - SAME for v in after.values())
    assert folded.actions == len(values) - len(after) > 0
    assert set(after) <= set(values)
    # What was folded is worth what the plan lost by folding it.
    lost = float(evaluate(model, kept).objective.sum() - evaluate(model, x).objective.sum())
    assert abs(folded.value - lost) <= SAME * max(1.0, lost)
    # A store keeps its own order untouched: the rule removes actions, it never resizes them.
    touched = np.flatnonzero(kept != x)
    assert np.all(kept[touched] == 0.0)


def test_a_share_of_capital_scales_the_bar_with_the_action() -> None:
    model, x = _stores(PLAIN)
    values = _values(model, x)
    c = model.candidates
    share = 0.5
    kept, _ = fold_immaterial(model, x, Materiality(min_value_share=share))
    for j, v in _values(model, kept).items():
        assert v >= share * kept[j] * float(c.capital[j]) - SAME
    dropped = [j for j in values if kept[j] == 0.0]
    assert dropped, "some orders are worth less than half the capital they tie up"


def test_an_order_a_service_floor_needs_is_never_folded() -> None:
    floored = replace(PLAIN, service_floors={"A": 0.9}, default_service_floor=0.9)
    model, x = _stores(floored)
    kept, _ = fold_immaterial(model, x, Materiality(min_value=1e12))
    needed = [j for j in np.flatnonzero(x > 0).tolist() if _breaks_floor_without(model, x, j)]
    assert needed, "the case must have orders the floor needs"
    assert all(kept[j] == x[j] for j in needed)


def _breaks_floor_without(model: PlanModel, x: np.ndarray, j: int) -> bool:
    without = x.copy()
    without[j] = 0.0
    row = int(model.candidates.target[j])
    return bool(evaluate(model, without).stockout_probability[row] > 1.0 - model.floor[row])


def test_a_stores_action_does_not_depend_on_how_many_stores_share_its_item() -> None:
    rule = Materiality(min_value=25.0)
    model, x = _stores(PLAIN)
    kept_all, _ = fold_immaterial(model, x, rule)
    per_store_all = np.bincount(model.candidates.target, weights=kept_all, minlength=model.n_il)
    for n in (1, 6, 13):
        sub_model, sub_x = _stores(PLAIN, n=n)
        kept_sub, _ = fold_immaterial(sub_model, sub_x, rule)
        per_store = np.bincount(sub_model.candidates.target, weights=kept_sub, minlength=sub_model.n_il)
        np.testing.assert_array_equal(per_store, per_store_all[:n])


def test_a_rule_with_no_bar_changes_nothing() -> None:
    model, x = _stores(PLAIN)
    kept, folded = fold_immaterial(model, x, Materiality())
    np.testing.assert_array_equal(kept, x)
    assert folded.actions == 0
