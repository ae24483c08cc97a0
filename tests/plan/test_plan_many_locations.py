"""No decision depends on how many locations sell an item (issue 13).

Risk is measured per item-location and the ladder moves every item-location of an item in the same round, so a
store's order is the same whether its item is sold in 1 store or in 300: a newsvendor per location, solved at 200
locations at once, lands on each location's own optimum, and splitting one item across N identical locations
gives N times the one-location answer.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plan_cases import PLAIN, many_locations

from hedgerow.plan.evaluate import evaluate
from hedgerow.plan.exact import ExactOptions, SolverStatus, solve_sample_average
from hedgerow.plan.ladder import LadderOptions, run_ladder
from hedgerow.plan.model import build_model
from hedgerow.plan.problem import PlannerPolicy
from hedgerow.scenarios.rng import Stream, stream_rng

#: Relative gap to the exact optimum the ladder must stay within (issue 13's "within 1 %").
OPTIMALITY_GAP = 0.01
#: Relative tolerance when comparing objectives that must be equal up to floating-point rounding.
SAME = 1e-9


def _per_location(model: object, x: np.ndarray) -> np.ndarray:
    c = model.candidates  # type: ignore[attr-defined]
    return np.bincount(c.target, weights=x, minlength=model.n_il)  # type: ignore[attr-defined]


def _saa_quantile(samples: np.ndarray, ratio: float) -> float:
    """The smallest sample at which the empirical CDF reaches ``ratio``: the sample-average newsvendor optimum."""
    ordered = np.sort(samples)
    return float(ordered[math.ceil(ratio * samples.size) - 1])


#: The ladder's speed setting the simulator uses (a coarser tolerance): it must not change the answer's scale.
LADDERS = {"default": LadderOptions(), "fast": LadderOptions(swap_passes=2, rel_tol=1e-4, polish_rounds=60)}


@pytest.mark.parametrize("ladder_name", sorted(LADDERS))
def test_a_newsvendor_at_200_locations_lands_on_every_locations_optimum(ladder_name: str) -> None:
    n, s = 200, 401  # odd scenario count: ratio × S is never whole, so every optimum is unique
    rng = stream_rng(13, Stream.DEMAND, "200-locations")
    lam = rng.uniform(2.0, 40.0, n)
    demand = rng.poisson(lam[:, None, None], (n, s, 1)).astype(float)
    price = rng.uniform(11.0, 30.0, n)
    cost, salvage = 10.0, 4.0
    problem, scen = many_locations(demand, price=price, cost=cost)
    problem = replace(problem, policy=replace(PLAIN, leftover_value_fraction=salvage / cost))
    model = build_model(problem, scen)
    ladder = run_ladder(model, options=LADDERS[ladder_name])
    got = _per_location(model, ladder.x)
    # underage: the lost margin; overage: the write-down to salvage plus a period of holding (Porteus 2002, ch. 1)
    over = (cost - salvage) + model.holding[:, 0]
    ratio = (price - cost) / (price - cost + over)
    want = np.array([_saa_quantile(demand[k, :, 0], ratio[k]) for k in range(n)])
    np.testing.assert_array_equal(got, want)
    exact = solve_sample_average(model, ExactOptions(floors=False))
    assert exact.status is SolverStatus.OPTIMAL
    opt = evaluate(model, exact.x).total_objective
    assert evaluate(model, ladder.x).total_objective <= opt + OPTIMALITY_GAP * abs(opt)


def test_200_locations_with_risk_and_lead_time_stay_within_1_percent_of_the_exact_optimum() -> None:
    n, s = 200, 101
    rng = stream_rng(14, Stream.DEMAND, "200-locations-risk")
    lam = rng.uniform(2.0, 25.0, n)
    demand = rng.poisson(lam[:, None, None], (n, s, 3)).astype(float)
    price = rng.uniform(12.0, 30.0, n)
    policy = replace(PLAIN, risk_aversion=0.3, cost_of_capital_per_year=0.08, leftover_value_fraction=0.7)
    problem, scen = many_locations(demand, price=price, on_hand=np.floor(lam), lead_days=7.0, policy=policy)
    model = build_model(problem, scen)
    ladder = run_ladder(model)
    exact = solve_sample_average(model, ExactOptions(floors=False))
    assert exact.status is SolverStatus.OPTIMAL
    opt = evaluate(model, exact.x).total_objective
    got = evaluate(model, ladder.x).total_objective
    assert opt - 1e-6 * abs(opt) <= got <= opt + OPTIMALITY_GAP * abs(opt)


def _split(n: int, lam: float, price: float, on_hand: float, lead_days: float, policy: PlannerPolicy, seed: int):  # type: ignore[no-untyped-def]
    rng = stream_rng(seed, Stream.DEMAND, "split")
    one = rng.poisson(lam, (1, 60, 3)).astype(float)
    copies = np.repeat(one, n, axis=0)
    args = {"cost": 10.0, "lead_days": lead_days, "policy": policy}
    single = many_locations(one, price=np.array([price]), on_hand=np.array([on_hand]), **args)
    many = many_locations(copies, price=np.full(n, price), on_hand=np.full(n, on_hand), **args)
    return single, many


POLICIES = {
    "plain": PLAIN,
    "default": PlannerPolicy(max_change_per_period=math.inf),
    "risk averse": PlannerPolicy(risk_aversion=0.6, max_change_per_period=math.inf),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(2, 40),
    lam=st.floats(0.5, 30.0),
    price=st.floats(10.5, 40.0),
    on_hand=st.integers(0, 30),
    lead_days=st.sampled_from([0.0, 7.0, 14.0]),
    policy=st.sampled_from(sorted(POLICIES)),
    seed=st.integers(0, 10_000),
)
def test_splitting_an_item_across_n_identical_locations_gives_n_times_the_answer(
    n: int, lam: float, price: float, on_hand: int, lead_days: float, policy: str, seed: int
) -> None:
    (p1, s1), (pn, sn) = _split(n, lam, price, float(on_hand), lead_days, POLICIES[policy], seed)
    m1, mn = build_model(p1, s1), build_model(pn, sn)
    x1, xn = run_ladder(m1).x, run_ladder(mn).x
    one = _per_location(m1, x1)[0]
    np.testing.assert_array_equal(_per_location(mn, xn), np.full(n, one))
    assert evaluate(mn, xn).total_objective == pytest.approx(n * evaluate(m1, x1).total_objective, rel=SAME)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(2, 25), seed=st.integers(0, 10_000), policy=st.sampled_from(sorted(POLICIES)))
def test_each_location_of_an_item_gets_what_it_would_get_alone(n: int, seed: int, policy: str) -> None:
    rng = stream_rng(seed, Stream.DEMAND, "alone")
    lam = rng.uniform(1.0, 20.0, n)
    demand = rng.poisson(lam[:, None, None], (n, 80, 2)).astype(float)
    price = rng.uniform(12.0, 30.0, n)
    on_hand = np.floor(rng.uniform(0.0, 2.0, n) * lam)
    args = {"lead_days": 7.0, "policy": POLICIES[policy]}
    problem, scen = many_locations(demand, price=price, on_hand=on_hand, **args)  # type: ignore[arg-type]
    model = build_model(problem, scen)
    joint = _per_location(model, run_ladder(model).x)
    for k in range(n):
        pk, sk = many_locations(demand[k : k + 1], price=price[k : k + 1], on_hand=on_hand[k : k + 1], **args)  # type: ignore[arg-type]
        mk = build_model(pk, sk)
        assert joint[k] == run_ladder(mk).x.sum()
