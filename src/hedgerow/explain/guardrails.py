"""Guardrail notes: which guardrails and limits shaped a plan, and which could not be met — in words that name
the hedgerow.toml setting (or the data) involved.

Notes are derived from the *final* decision (so they hold whichever method chose it) plus the ladder's record
of floors it could not meet and transfers it held back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hedgerow.domain.plan import GuardrailKind, GuardrailNote
from hedgerow.explain.budget_use import next_best_use
from hedgerow.explain.words import describe_action, duration, money, percent, percents_apart, place, units
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.evaluate import Evaluation
from hedgerow.plan.ladder import LadderEvent
from hedgerow.plan.limits import warehouse_headroom
from hedgerow.plan.model import PlanModel
from hedgerow.plan.smoothing import Smoothed

_FLOORS = (GuardrailKind.SERVICE_FLOOR, GuardrailKind.BUNDLE_COMPONENT)

#: The hedgerow.toml key of the total budget.
TOTAL_BUDGET_SETTING = "[finance] budget_total"


def region_budget_setting(region: str) -> str:
    """The hedgerow.toml key of a region's budget, e.g. ``[finance] budget_per_region.EU``."""
    return f"[finance] budget_per_region.{region}"


def _floor_setting(model: PlanModel, row: int) -> tuple[str, str]:
    """(setting name, words) of the floor that applies to a row (the bundle's when it is higher)."""
    problem = model.problem
    pol = problem.policy
    item = problem.item(model.il_items[row])
    own = pol.service_floor(item.item_class)
    if model.floor[row] > own + 1e-12:
        bundles = [b.bundle_item_id for b in problem.bundles if b.component_item_id == item.item_id]
        for b in bundles:
            cls = problem.item(b).item_class
            if abs(pol.service_floor(cls) - model.floor[row]) < 1e-12:
                names = ", ".join(sorted({problem.item(x).name for x in bundles}))
                return pol.floor_setting_name(cls), f"the floor of bundle {names} (class {cls})"
    return pol.floor_setting_name(item.item_class), f"the class {item.item_class} floor"


def _where(model: PlanModel, row: int) -> str:
    problem = model.problem
    return f"{problem.item(model.il_items[row]).name} at {place(problem, model.il_locations[row])}"


def _blocking_setting(model: PlanModel, row: int, blocked_by: GuardrailKind | None) -> tuple[str, str]:
    """(setting, words) of what stops a floor from being met."""
    problem = model.problem
    pol = problem.policy
    cur = problem.base_currency
    loc = model.il_locations[row]
    if blocked_by is GuardrailKind.BUDGET_TOTAL:
        return TOTAL_BUDGET_SETTING, f"within the total budget of {money(pol.budget_total, cur)}"
    if blocked_by is GuardrailKind.BUDGET_REGION:
        region = problem.location(loc).region
        amount = pol.budget_per_region.get(region, math.inf)
        return region_budget_setting(region), f"within the {region} budget of {money(amount, cur)}"
    if blocked_by is GuardrailKind.MAX_ORDER_CHANGE:
        return "[orders] max_change_per_period", "with orders limited by the bounded order change"
    if blocked_by is GuardrailKind.LANE_CAPACITY:
        lanes = [lane.lane_id for lane in model.lanes.lanes if lane.destination_id == loc]
        return f"lanes capacity_units_per_period ({', '.join(lanes)})", "with the capacity of the lanes into it"
    if blocked_by is GuardrailKind.WAREHOUSE_CAPACITY:
        return f"locations capacity_units ({loc})", "with the space left in the warehouse"
    if blocked_by is GuardrailKind.HOLD:
        return "holds", "because the stock that could be moved is under holds"
    if blocked_by is GuardrailKind.SOURCE_PROTECTED:
        return (
            "service floors of the source locations",
            "without breaking the floors of the locations it could come from",
        )
    into = [lane for lane in model.lanes.lanes if lane.destination_id == loc]
    if into:
        li = min(
            range(len(model.lanes.lanes)),
            key=lambda k: (model.lanes.lanes[k].destination_id != loc, model.lanes.median_lead_periods[k]),
        )
        fastest = model.lanes.lanes[li]
        return (
            f"lanes ({', '.join(lane.lane_id for lane in into)})",
            f"because no lane delivers in time (the fastest, {fastest.lane_id}, takes about "
            f"{int(model.lanes.median_lead_periods[li])} periods)",
        )
    return "lanes", "because no lane serves it"


def budget_sentence(
    scope: str,
    amount: float,
    committed: float,
    setting: str,
    currency: str,
    *,
    left_out: str | None = None,
) -> str:
    """One sentence saying a budget binds, with figures: "The EU budget of $400,000 ([finance]
    budget_per_region.EU) binds: $399,870 committed; the next best use, $12,000 to order …, was left out."

    ``scope`` is a region name or ``"total"``; ``left_out`` the next best use in words (None: not known, as for a plan
    read back from the ledger, which does not record it)."""
    text = f"The {scope} budget of {money(amount, currency)} ({setting}) binds: {money(committed, currency)} committed"
    return text + (f"; the next best use, {left_out}, was left out" if left_out else "")


def _left_out(model: PlanModel, x: np.ndarray, covered: np.ndarray) -> str | None:
    """The next best use a budget left out, in words: "$12,000 to order 300 units of Gadget for Tokyo by air,
    worth $4,100"."""
    use = next_best_use(model, x, covered)
    if use is None:
        return None
    cur = model.problem.base_currency
    what = describe_action(model.problem, use.action)
    return f"{money(use.capital, cur)} to {what[0].lower()}{what[1:]}, worth {money(use.value, cur)}"


def guardrail_notes(
    model: PlanModel,
    x: np.ndarray,
    final: Evaluation,
    events: Sequence[LadderEvent],
    smoothed: Sequence[Smoothed] = (),
) -> tuple[GuardrailNote, ...]:
    """Every guardrail or limit that binds in the final plan, and every one that cannot be met (``smoothed``:
    the orders order smoothing changed)."""
    problem = model.problem
    pol = problem.policy
    c = model.candidates
    cur = problem.base_currency
    notes: list[GuardrailNote] = []
    prob = final.stockout_probability
    limit = 1.0 - model.floor
    floor_rows_acted = {e.row for e in events if e.kind in _FLOORS and not e.infeasible}
    infeasible = {e.row: e for e in events if e.kind in _FLOORS and e.infeasible}

    for row in range(model.n_il):
        if model.floor[row] <= 0:
            continue
        setting, words = _floor_setting(model, row)
        kind = GuardrailKind.BUNDLE_COMPONENT if "bundle" in words else GuardrailKind.SERVICE_FLOOR
        item, loc = model.il_items[row], model.il_locations[row]
        if prob[row] > limit[row] + 1e-9:
            left, allowed = percents_apart(float(prob[row]), float(limit[row]))
            ev = infeasible.get(row)
            blocked_setting, why = _blocking_setting(model, row, ev.blocked_by if ev else None)
            notes.append(
                GuardrailNote(
                    kind=kind,
                    message=(
                        f"The service floor of {percent(model.floor[row])} ({setting}, {words}) cannot be met for "
                        f"{_where(model, row)} {why}: the best plan leaves a {left} chance of running out, the floor "
                        f"allows {allowed}. This plan is the best feasible one."
                    ),
                    binding=True,
                    infeasible=True,
                    settings=(setting, blocked_setting),
                    item_id=item,
                    location_id=loc,
                )
            )
            continue
        if row in floor_rows_acted:
            notes.append(
                GuardrailNote(
                    kind=kind,
                    message=(
                        f"The service floor of {percent(model.floor[row])} ({setting}, {words}) keeps "
                        f"{_where(model, row)} above its cheapest level: {percent(prob[row])} chance of running out"
                    ),
                    binding=True,
                    settings=(setting,),
                    item_id=item,
                    location_id=loc,
                )
            )
        elif kind is GuardrailKind.BUNDLE_COMPONENT:
            notes.append(
                GuardrailNote(
                    kind=kind,
                    message=(
                        f"{_where(model, row)} completes bundles: it is protected at {words} of "
                        f"{percent(model.floor[row])} ({setting}) and a missing unit costs the bundle margin"
                    ),
                    binding=False,
                    settings=(setting,),
                    item_id=item,
                    location_id=loc,
                )
            )

    # bounded order change
    bounded = math.isfinite(pol.max_change_per_period)
    delta = pol.max_change_per_period * model.mean_demand if bounded else np.zeros(model.n_il)
    for row in np.flatnonzero(~np.isnan(model.last_order) if bounded else np.zeros(0, dtype=bool)).tolist():
        ordered = float(x[(c.target == row) & (c.kind == CandidateKind.ORDER)].sum())
        last = float(model.last_order[row])
        hi, lo = last + delta[row], max(last - delta[row], 0.0)
        item, loc = model.il_items[row], model.il_locations[row]
        if ordered >= hi - 1e-6:
            msg = (
                f"Orders of {_where(model, row)} are capped at {units(hi)}: last period's {units(last)} plus "
                f"{percent(pol.max_change_per_period)} of mean demand ([orders] max_change_per_period)"
            )
        elif lo > 0 and ordered <= lo + 1e-6:
            msg = (
                f"At least {units(lo)} of {_where(model, row)} are ordered: last period's {units(last)} minus "
                f"{percent(pol.max_change_per_period)} of mean demand ([orders] max_change_per_period)"
            )
        else:
            continue
        notes.append(
            GuardrailNote(
                GuardrailKind.MAX_ORDER_CHANGE,
                msg,
                True,
                settings=("[orders] max_change_per_period",),
                item_id=item,
                location_id=loc,
            )
        )

    # order smoothing
    for sm in smoothed:
        more = sm.ordered > sm.planned
        msg = (
            f"Orders of {_where(model, sm.row)} are smoothed: {units(sm.ordered)} instead of the plan's best "
            f"{units(sm.planned)}, so that a change of level is spread over {duration(pol.smoothing_periods, model.scenarios.period_days)} "
            f"around expected demand of {units(sm.rate)} a period ([orders] smoothing_periods)"
        )
        notes.append(
            GuardrailNote(
                GuardrailKind.ORDER_SMOOTHING,
                msg + ("; the extra units keep orders steady for the supplier" if more else ""),
                True,
                settings=("[orders] smoothing_periods",),
                item_id=model.il_items[sm.row],
                location_id=model.il_locations[sm.row],
            )
        )

    # minimum order quantities
    for j in np.flatnonzero((c.moq > 0) & (np.abs(x - c.moq) < 1e-6)).tolist():
        row = int(c.target[j])
        lane = model.lanes.lanes[c.lane[j]]
        notes.append(
            GuardrailNote(
                GuardrailKind.MIN_ORDER_QTY,
                f"The order of {_where(model, row)} on lane {lane.lane_id} is at its minimum order quantity of "
                f"{units(c.moq[j])} (lanes min_order_qty)",
                True,
                settings=(f"lanes min_order_qty ({lane.lane_id})",),
                item_id=model.il_items[row],
                location_id=model.il_locations[row],
            )
        )

    # lane capacity
    for li, lane in enumerate(model.lanes.lanes):
        cap = model.lanes.capacity[li]
        used = float(x[c.lane == li].sum())
        if math.isfinite(cap) and used >= cap - 1e-6 and used > 0:
            notes.append(
                GuardrailNote(
                    GuardrailKind.LANE_CAPACITY,
                    f"Lane {lane.lane_id} is full: {units(cap)} this period (lanes capacity_units_per_period)",
                    True,
                    settings=(f"lanes capacity_units_per_period ({lane.lane_id})",),
                    location_id=lane.destination_id,
                )
            )

    # warehouse headroom
    room = warehouse_headroom(model)
    for loc, free in room.items():
        inbound = float(
            x[
                (c.kind != CandidateKind.EXPEDITE)
                & np.isin(c.target, [k for k, lid in enumerate(model.il_locations) if lid == loc])
            ].sum()
        )
        if inbound > 0 and inbound >= free - 1e-6:
            notes.append(
                GuardrailNote(
                    GuardrailKind.WAREHOUSE_CAPACITY,
                    f"{place(problem, loc)} is full: only {units(free)} more fit (locations capacity_units)",
                    True,
                    settings=(f"locations capacity_units ({loc})",),
                    location_id=loc,
                )
            )

    # budgets: binding ones say what they left out
    spent = x * c.capital
    smallest = float(c.capital[c.capital > 0].min()) if (c.capital > 0).any() else 0.0
    if math.isfinite(pol.budget_total) and spent.sum() >= pol.budget_total - max(smallest, 1e-6):
        everywhere = np.ones(c.n, dtype=bool)
        notes.append(
            GuardrailNote(
                GuardrailKind.BUDGET_TOTAL,
                budget_sentence(
                    "total",
                    pol.budget_total,
                    float(spent.sum()),
                    TOTAL_BUDGET_SETTING,
                    cur,
                    left_out=_left_out(model, x, everywhere),
                ),
                True,
                settings=(TOTAL_BUDGET_SETTING,),
            )
        )
    for region, amount in pol.budget_per_region.items():
        in_region = np.array([problem.location(model.il_locations[t]).region == region for t in c.target], dtype=bool)
        used = float(spent[in_region].sum()) if c.n else 0.0
        if math.isfinite(amount) and in_region.any() and used >= amount - max(smallest, 1e-6):
            setting = region_budget_setting(region)
            notes.append(
                GuardrailNote(
                    GuardrailKind.BUDGET_REGION,
                    budget_sentence(
                        region, amount, used, setting, cur, left_out=_left_out(model, x, in_region.astype(bool))
                    ),
                    True,
                    settings=(setting,),
                )
            )

    # holds: counted in stock, never moved
    for h in problem.holds:
        try:
            row = model.il_row(h.item_id, h.location_id)
        except KeyError:
            continue
        limited = any(e.kind is GuardrailKind.HOLD and e.row == row for e in events) or bool(
            (x[(c.source == row)].sum() >= model.movable[row] - 1e-6) and (x[c.source == row] > 0).any()
        )
        notes.append(
            GuardrailNote(
                GuardrailKind.HOLD,
                f"{units(h.qty)} of {_where(model, row)} are held (hold {h.hold_id}, {h.owner}: {h.reason}); they count "
                f"as stock and are never moved",
                limited,
                settings=(f"holds ({h.hold_id})",),
                item_id=h.item_id,
                location_id=h.location_id,
            )
        )

    # transfers held back by the source's own floor
    seen: set[int] = set()
    for e in events:
        if e.kind is GuardrailKind.SOURCE_PROTECTED and e.row not in seen:
            seen.add(e.row)
            setting, _ = _floor_setting(model, e.row)
            notes.append(
                GuardrailNote(
                    GuardrailKind.SOURCE_PROTECTED,
                    f"Stock of {_where(model, e.row)} is not moved below what its own service floor of "
                    f"{percent(model.floor[e.row])} needs ({setting})",
                    True,
                    settings=(setting,),
                    item_id=model.il_items[e.row],
                    location_id=model.il_locations[e.row],
                )
            )
    return tuple(notes)
