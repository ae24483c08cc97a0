"""Is a plan consistent? The invariants every plan must keep, checked on the plan itself (pure).

A manager trusts a queue only if it never contradicts itself (issue 14). :func:`plan_issues` lists every breach:

* **whole packs** — every order and transfer ships a whole multiple of its item's pack size (an ERP never sees
  39.9 laptops); a buffer keeps stock already on hand and an expedite moves a shipment already placed, so their
  quantities are whatever is there;
* **not dominated** — no listed option is at least as good as the recommended one on expected cost, bad-case cost
  (CVaR), chance of running out and capital, and better on one of them;
* **a reason** — when a listed option costs less on average, or the action costs more than doing nothing, the
  explanation says why in one sentence (``Explanation.reason``);
* **ranked by value** — the queue is in order of value, largest first;
* **consolidated** — every recommendation sits in exactly one consignment of its lane (shipment, buffer
  location), whose capital is the sum of its lines', and consignments are in order of value.

The test suite runs it on every plan it makes (``tests/conftest.py``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.consignment import consignment_key
from hedgerow.domain.plan import Alternative, AlternativeKind, Plan, Recommendation
from hedgerow.explain.narrative import cheaper_options
from hedgerow.plan.alternatives import MONEY_TIE, Standing

#: Actions that ship new units, so in whole packs; the others act on stock or shipments already there.
SHIPPED_IN_PACKS = frozenset({ActionKind.ORDER, ActionKind.TRANSFER})
#: A quantity this close to a whole number of packs is whole (rounding of stored figures).
PACK_TIE = 1e-6


def standing(alt: Alternative) -> Standing:
    """An option's expected cost, bad-case cost, chance of running out and capital."""
    return Standing(alt.expected_cost, alt.cvar, alt.stockout_probability, alt.capital)


def dominating(alternatives: tuple[Alternative, ...]) -> Alternative | None:
    """A listed option at least as good as the recommended one on every count and better on one, if any."""
    rec = next(a for a in alternatives if a.kind is AlternativeKind.RECOMMENDED)
    return next((a for a in alternatives if a is not rec and standing(rec).dominated_by(standing(a))), None)


def recommendation_issues(rec: Recommendation, pack_size: float = 1.0) -> list[str]:
    """Every invariant one recommendation breaks (module docstring)."""
    out: list[str] = []
    packs = rec.action.qty / pack_size
    if rec.action.kind in SHIPPED_IN_PACKS and abs(packs - round(packs)) > PACK_TIE:
        out.append(
            f"{rec.id}: {rec.action.qty} units is not a whole number of packs of {pack_size} "
            f"({rec.action.kind.value} {rec.action.item_id} at {rec.action.location_id})"
        )
    alts = rec.explanation.alternatives
    dominant = dominating(alts)
    if dominant is not None:
        out.append(f"{rec.id}: dominated by {dominant.kind.value} ({dominant.label})")
    nothing = rec.explanation.alternative(AlternativeKind.DO_NOTHING)
    recommended = rec.explanation.alternative(AlternativeKind.RECOMMENDED)
    costs_more = (
        nothing is not None
        and recommended is not None
        and recommended.expected_cost > nothing.expected_cost + MONEY_TIE
    )
    if (cheaper_options(alts) or costs_more) and not rec.explanation.reason:
        out.append(f"{rec.id}: a cheaper option is listed but the explanation gives no reason")
    return out


def plan_issues(plan: Plan, pack_sizes: Mapping[str, float] | None = None) -> list[str]:
    """Every invariant the plan breaks (module docstring); ``pack_sizes``: item → units per pack (default 1)."""
    out: list[str] = []
    packs = pack_sizes or {}
    for rec in plan.recommendations:
        out += recommendation_issues(rec, packs.get(rec.action.item_id, 1.0))
    values = [r.value for r in plan.recommendations]
    if any(b > a + MONEY_TIE for a, b in pairwise(values)):
        out.append("the queue is not in order of value")
    out += consignment_issues(plan)
    return out


def consignment_issues(plan: Plan) -> list[str]:
    """Breaches of consolidation: every recommendation in exactly one consignment, a consignment's lines on one
    lane (or shipment, or buffer location), its capital the sum of its lines', consignments in order of value."""
    out: list[str] = []
    by_id = {r.id: r for r in plan.recommendations}
    cons = plan.consignments
    seen = [rid for c in cons for rid in c.recommendation_ids]
    if sorted(seen) != sorted(by_id):
        out.append("the consignments do not hold every recommendation exactly once")
        return out
    for c in cons:
        keys = {consignment_key(by_id[rid].line) for rid in c.recommendation_ids}
        if len(keys) != 1:
            out.append(f"{c.id}: lines of {len(keys)} lanes, shipments or locations in one consignment")
        capital = math.fsum(by_id[rid].capital for rid in c.recommendation_ids)
        if abs(capital - c.capital) > MONEY_TIE * max(1.0, abs(capital)):
            out.append(f"{c.id}: capital {c.capital} is not the sum of its lines' {capital}")
    if any(b.value > a.value + MONEY_TIE for a, b in pairwise(cons)):
        out.append("the consignments are not in order of value")
    return out
