"""The plain-language summary: at most 120 words a manager reads in under a minute.

Deterministic templates (no language model): sentences in order of importance — what to do and what it costs,
what it saves, its value with the bad case counted (the figure the plan ranks by), the risk of running out
with and without it, why (the top drivers), the freight rate now and in the bad case when freight is uncertain,
the best other option, when it stops paying, any guardrail — dropped from the end until the text fits (the
other route, the break-even and the guardrails are also given apart from the summary). Money and units, no jargon.
"""

from __future__ import annotations

from collections.abc import Sequence

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.plan import Alternative, AlternativeKind, BreakEven, Driver, GuardrailNote, Plan
from hedgerow.explain.words import duration, gerund, money, percent, unit_money
from hedgerow.plan.alternatives import MONEY_TIE, PROBABILITY_TIE

MAX_WORDS = 120

#: The tail of freight is told when the 1-in-10 rate is at least this share above today's rate.
FREIGHT_TAIL_SHARE = 0.01
#: "1 in N scenarios": the freight sentence quotes the rate exceeded in this share of scenarios.
FREIGHT_TAIL_PROBABILITY = 0.1


def word_count(text: str) -> int:
    """Words as a reader counts them (whitespace-separated tokens)."""
    return len(text.split())


#: How each alternative is named inside a sentence.
_OPTION_WORDS = {
    AlternativeKind.DO_NOTHING: "doing nothing",
    AlternativeKind.OTHER_ROUTE: "the other route",
    AlternativeKind.HALF: "half the quantity",
}


def cheaper_options(alternatives: Sequence[Alternative]) -> list[Alternative]:
    """The listed options that cost less on average than the recommended one (beyond a tie), cheapest first."""
    rec = next(a for a in alternatives if a.kind is AlternativeKind.RECOMMENDED)
    out = [a for a in alternatives if a is not rec and a.expected_cost < rec.expected_cost - MONEY_TIE]
    return sorted(out, key=lambda a: a.expected_cost)


def reason_sentence(
    alternatives: Sequence[Alternative], guardrails: Sequence[GuardrailNote], currency: str
) -> str | None:
    """Why the recommended option and not the cheapest listed one, in one sentence with figures (None when the
    recommended option is the cheapest): a guardrail that binds here, else the bad-case cost it cuts, else the
    chance of running out it cuts, else the capital it saves. None as well when no reason holds — a dominated
    recommendation, which :func:`hedgerow.explain.consistency.plan_issues` reports."""
    cheaper = cheaper_options(alternatives)
    if not cheaper:
        return None
    rec = next(a for a in alternatives if a.kind is AlternativeKind.RECOMMENDED)
    best = cheaper[0]
    lead = f"It costs {money(rec.expected_cost - best.expected_cost, currency)} more on average than {_OPTION_WORDS[best.kind]}"
    binding = [g for g in guardrails if g.binding or g.infeasible]
    if binding:
        text = binding[0].message.rstrip(".")
        return f"{lead}, because {text[0].lower()}{text[1:]}."
    if rec.cvar < best.cvar - MONEY_TIE:
        return f"{lead} but cuts the bad-case cost (CVaR) by {money(best.cvar - rec.cvar, currency)}."
    if rec.stockout_probability < best.stockout_probability - PROBABILITY_TIE:
        return (
            f"{lead} but cuts the chance of running out from {percent(best.stockout_probability)} to "
            f"{percent(rec.stockout_probability)}."
        )
    if rec.capital < best.capital - MONEY_TIE:
        return f"{lead} but commits {money(best.capital - rec.capital, currency)} less capital."
    return None


def freight_sentence(mode: str, today: float, tail: float, currency: str) -> str | None:
    """``Air freight costs $4.10 a unit today, $5.80 or more in 1 in 10 scenarios.`` — the recommended lane's
    rate per unit now (``today``) and the rate it reaches or exceeds in :data:`FREIGHT_TAIL_PROBABILITY` of the
    scenarios (``tail``), both in the base currency; None when the tail is not above today's rate by
    :data:`FREIGHT_TAIL_SHARE` (freight at today's rate, or too steady to mention)."""
    if not (today > 0 and tail > today * (1.0 + FREIGHT_TAIL_SHARE)):
        return None
    one_in = round(1.0 / FREIGHT_TAIL_PROBABILITY)
    return (
        f"{mode.capitalize()} freight costs {unit_money(today, currency)} a unit today, "
        f"{unit_money(tail, currency)} or more in 1 in {one_in} scenarios."
    )


def summary(
    *,
    headline: str,
    kind: ActionKind,
    currency: str,
    window_periods: int,
    period_days: int,
    place_name: str,
    alternatives: Sequence[Alternative],
    drivers: Sequence[Driver],
    break_even: BreakEven | None,
    guardrails: Sequence[GuardrailNote],
    cvar_level: float,
    freight: str | None = None,
) -> str:
    """Build the summary of one recommendation (see the module docstring); ``cvar_level`` is the plan's CVaR
    level (0.95: its bad case is the worst 5 % of scenarios); ``freight``: the :func:`freight_sentence` of the
    recommended lane, told after the main reasons and before the other route, break-even and guardrail sentences."""
    rec = next(a for a in alternatives if a.kind is AlternativeKind.RECOMMENDED)
    nothing = next(a for a in alternatives if a.kind is AlternativeKind.DO_NOTHING)
    when = duration(window_periods, period_days)
    saving = nothing.expected_cost - rec.expected_cost
    sentences: list[str] = []
    if kind is ActionKind.KEEP_BUFFER:
        sentences.append(f"{headline}.")
    else:
        sentences.append(f"{headline} now, committing {money(rec.capital, currency)}.")
    if saving >= 0.5:
        sentences.append(
            f"Over the next {when} it is expected to save {money(saving, currency)} against doing nothing."
        )
    elif saving <= -0.5:
        sentences.append(
            f"Over the next {when} it is expected to cost {money(-saving, currency)} more than doing nothing."
        )
    value = nothing.objective - rec.objective
    if abs(value - saving) >= MONEY_TIE:
        sentences.append(
            f"With the bad case counted (the worst {percent(1.0 - cvar_level)} of scenarios) it is worth "
            f"{money(value, currency)}, its value in the plan."
        )
    sentences.append(
        f"The chance of running out at {place_name} is {percent(rec.stockout_probability)} with it and "
        f"{percent(nothing.stockout_probability)} without."
    )
    reason = reason_sentence(alternatives, guardrails, currency)
    if reason is not None:
        sentences.append(reason)
    reasons = [d.label for d in drivers[:2] if d.impact > 0]
    if reasons:
        sentences.append("Main reasons: " + "; ".join(reasons) + ".")
    if freight is not None:
        sentences.append(freight)
    others = [a for a in alternatives if a.kind is AlternativeKind.OTHER_ROUTE]
    if others:
        o = others[0]
        diff = o.expected_cost - rec.expected_cost
        word = "more" if diff >= 0 else "less"
        sentences.append(
            f"{gerund(o.label)} instead would cost {money(abs(diff), currency)} {word} on average, with a "
            f"{percent(o.stockout_probability)} chance of running out."
        )
    if break_even is not None:
        sentences.append(f"It {break_even.label}.")
    for g in guardrails[:1]:
        sentences.append(g.message if g.message.endswith(".") else g.message + ".")
    text = " ".join(sentences)
    while word_count(text) > MAX_WORDS and len(sentences) > 1:
        sentences.pop()
        text = " ".join(sentences)
    if word_count(text) > MAX_WORDS:
        text = " ".join(text.split()[:MAX_WORDS])
    return text


def plan_headline(plan: Plan, *, awaiting_approval: int | None = None) -> str:
    """One sentence a manager reads first: what the plan saves against doing nothing, in how many decisions (its
    consignments, one per lane, shipment or buffer location: :mod:`hedgerow.domain.consignment`) holding how many
    actions, how many need an approver (when known: ``awaiting_approval``) and how many guardrails cannot be met."""
    cur = plan.base_currency
    actions = sum(1 for r in plan.recommendations if r.action.kind is not ActionKind.KEEP_BUFFER)
    keeps = len(plan.recommendations) - actions
    cons = plan.consignments
    shipments = sum(1 for c in cons if c.kind is not ActionKind.KEEP_BUFFER)
    places = len(cons) - shipments
    parts = [
        f"This plan saves {money(max(plan.value, 0.0), cur)} against doing nothing (expected cost and bad-case "
        f"risk together) in {len(cons)} decision{'s' if len(cons) != 1 else ''}: {actions} "
        f"action{'s' if actions != 1 else ''}"
        + (f" in {shipments} consignment{'s' if shipments != 1 else ''}" if actions else "")
        + (
            f" and {keeps} buffer{'s' if keeps != 1 else ''} to keep at {places} location{'s' if places != 1 else ''}"
            if keeps
            else ""
        )
        + f", committing {money(plan.totals.capital, cur)}"
    ]
    if awaiting_approval is not None:
        parts.append(
            f"{awaiting_approval} need{'s' if awaiting_approval == 1 else ''} an approver"
            if awaiting_approval
            else "none needs an approver"
        )
    unmet = sum(1 for n in plan.guardrails if n.infeasible)
    if unmet:
        parts.append(f"{unmet} guardrail{'s' if unmet != 1 else ''} cannot be met (best feasible plan)")
    if plan.folded_actions:
        n = plan.folded_actions
        parts.append(
            f"{n} smaller action{'s' if n != 1 else ''} worth {money(max(plan.folded_value, 0.0), cur)} together "
            f"{'were' if n != 1 else 'was'} left out ([plan] min_value)"
        )
    return "; ".join(parts) + "."
