"""Plain words for numbers: money, shares, units, time, cost terms and actions (deterministic, no language model)."""

from __future__ import annotations

import math

from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.consignment import Consignment
from hedgerow.domain.plan import CostBreakdown, CostTerm
from hedgerow.plan.problem import PlanningProblem

#: Plain-language names of the cost terms: the one set of labels the CLI and the web show.
COST_TERM_LABELS: dict[CostTerm, str] = {
    CostTerm.TRANSPORT: "transport",
    CostTerm.ORDER_COST: "fixed cost of the order line",
    CostTerm.PURCHASE_FX: "exchange-rate effect on purchases",
    CostTerm.CAPITAL_IN_TRANSIT: "cost of money tied up in transit",
    CostTerm.HOLDING: "storage and cost of money tied up in stock",
    CostTerm.LOST_MARGIN: "margin of lost sales",
    CostTerm.GOODWILL: "goodwill of customers turned away",
    CostTerm.LOST_BUNDLE_MARGIN: "margin of bundles that could not be sold",
    CostTerm.LEFTOVER_WRITEDOWN: "leftover stock (write-down less the freight it saves)",
}

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "AUD": "A$", "CAD": "C$"}


def money(amount: float, currency: str) -> str:
    """``$1,840``, ``-€250``, ``1,840 CHF``: whole units of money, grouped by thousands."""
    if not math.isfinite(amount):
        return "n/a"
    sign = "-" if amount < -0.5 else ""
    value = f"{abs(amount):,.0f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


def unit_money(amount: float, currency: str) -> str:
    """``$4.10``, ``€0.85``, ``4.10 CHF``: a price per unit, to the cent."""
    if not math.isfinite(amount):
        return "n/a"
    sign = "-" if amount < -0.005 else ""
    value = f"{abs(amount):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{value}" if symbol else f"{sign}{value} {currency}"


def percent(p: float) -> str:
    """``62 %``; shares under 1 % keep one decimal (``0.4 %``)."""
    if not math.isfinite(p):
        return "n/a"
    v = 100.0 * p
    if 0 < v < 1:
        return f"{v:.1f} %"
    return f"{v:.0f} %"


#: Most decimals :func:`percents_apart` shows to tell two shares apart.
MAX_PERCENT_DECIMALS = 2


def percents_apart(a: float, b: float) -> tuple[str, str]:
    """``a`` and ``b`` as :func:`percent` would print them, with as many decimals (up to
    :data:`MAX_PERCENT_DECIMALS`) as it takes for two different shares not to print the same ("2.4 %" and "2 %"
    rather than "2 %" and "2 %")."""
    first, second = percent(a), percent(b)
    if first != second or a == b or not (math.isfinite(a) and math.isfinite(b)):
        return first, second
    for digits in range(1, MAX_PERCENT_DECIMALS + 1):
        first, second = f"{100.0 * a:.{digits}f} %", f"{100.0 * b:.{digits}f} %"
        if first != second:
            break
    return first, second


def units(qty: float) -> str:
    """``1,200 units``, ``1 unit``, ``12.5 units``, ``0.094 units`` (two significant digits under 10)."""
    if not math.isfinite(qty):
        return "n/a"
    if abs(qty - round(qty)) < 1e-9:
        n = round(qty)
        return f"{n:,} unit" if n == 1 else f"{n:,} units"
    if abs(qty) < 10:
        return f"{qty:.2g} units"
    return f"{qty:,.1f} units"


def duration(periods: float, period_days: int) -> str:
    """``6 weeks`` / ``1 week`` / ``10 days``."""
    if period_days == 7:
        n = round(periods)
        return "1 week" if n == 1 else f"{n} weeks"
    n = round(periods * period_days)
    return "1 day" if n == 1 else f"{n} days"


def period_noun(period_days: int) -> str:
    """``week`` or ``day``."""
    return "week" if period_days == 7 else "day"


def gerund(sentence: str) -> str:
    """ "Move 70 units …" → "Moving 70 units …" (for an action named inside a sentence)."""
    first, _, rest = sentence.partition(" ")
    forms = {"Order": "Ordering", "Move": "Moving", "Send": "Sending", "Keep": "Keeping", "Do": "Doing"}
    return f"{forms.get(first, first)} {rest}" if rest else forms.get(first, first)


def days(value: float) -> str:
    """``9 days`` / ``1 day``."""
    n = round(value)
    return "1 day" if n == 1 else f"{n} days"


def place(problem: PlanningProblem, location_id: str) -> str:
    """Display name of a location (its id when unknown)."""
    try:
        return problem.location(location_id).name
    except KeyError:
        return location_id


def item_name(problem: PlanningProblem, item_id: str) -> str:
    """Display name of an item."""
    try:
        return problem.item(item_id).name
    except KeyError:
        return item_id


def mode_word(mode: str | None) -> str:
    """``by air`` / ``by sea`` / ``by truck`` / ``by rail``."""
    return {"air": "by air", "ocean": "by sea", "truck": "by truck", "rail": "by rail"}.get(mode or "", "")


def cost_lines(breakdown: CostBreakdown) -> list[tuple[str, float]]:
    """The terms of a cost breakdown in plain words with their amounts, largest first, leaving out those under half
    a cent (the cost lines of an explanation, on every surface)."""
    lines = [(COST_TERM_LABELS[t], v) for t, v in breakdown.terms if math.isfinite(v) and abs(v) >= 0.005]
    return sorted(lines, key=lambda line: -abs(line[1]))


def _sentence(
    problem: PlanningProblem,
    kind: ActionKind,
    what: str,
    *,
    dest: str,
    origin_id: str | None,
    mode: str | None,
    shipment: str | None,
    keep: str,
) -> str:
    """The imperative fragment shared by an action and a consignment: ``what`` is "N units of Widget" or
    "12 items (340 units)", ``keep`` the wording of a buffer kept at ``dest``."""
    how = mode_word(mode)
    if kind is ActionKind.ORDER:
        supplier = problem.supplier_names.get(origin_id or "", origin_id or "the supplier")
        return f"Order {what} for {dest} from {supplier} {how}".strip()
    if kind is ActionKind.TRANSFER:
        return f"Move {what} from {place(problem, origin_id or '')} to {dest} {how}".strip()
    if kind is ActionKind.EXPEDITE:
        return f"Send {what} of shipment {shipment} to {dest} {how} instead".strip()
    if kind is ActionKind.KEEP_BUFFER:
        return keep
    return "Do nothing"


def describe_action(problem: PlanningProblem, action: Action) -> str:
    """One imperative sentence fragment naming the action, e.g. "Move 120 units of Widget from Los Angeles to
    Tokyo by air"."""
    what = f"{units(action.qty)} of {item_name(problem, action.item_id)}"
    dest = place(problem, action.location_id)
    return _sentence(
        problem,
        action.kind,
        what,
        dest=dest,
        origin_id=action.origin_id,
        mode=action.mode.value if action.mode else None,
        shipment=action.shipment_id,
        keep=f"Keep {what} at {dest} as a protective buffer",
    )


def describe_consignment(problem: PlanningProblem, con: Consignment) -> str:
    """One fragment naming a consignment, e.g. "Order 12 items (340 units) for Tokyo from Huaxin by sea"."""
    n = con.lines
    what = f"{n} item{'s' if n != 1 else ''} ({units(con.units)})"
    dest = place(problem, con.location_id) if con.location_id else "several locations"
    return _sentence(
        problem,
        con.kind,
        what,
        dest=dest,
        origin_id=con.origin_id,
        mode=con.mode,
        shipment=con.key,
        keep=f"Keep buffers of {what} at {dest}",
    )
