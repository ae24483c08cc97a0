"""What the planner hands back: a plan, its ranked recommendations and their explanations.

Pure frozen values with a ``to_dict()`` JSON form (the ledger stores recommendations and explanations as
JSON; ``hedgerow plan --json`` and ``hedgerow explain --json`` print them). An explanation and its parts read back
with ``from_dict``: ``from_dict(d).to_dict() == d`` for every ``d`` that ``to_dict`` wrote (numbers are rounded once,
when written), keys added since an explanation was recorded take their defaults, and a value of the wrong type
raises :class:`~hedgerow.errors.RecordFormatError` naming the field. Money is in the plan's base currency;
quantities are in units; probabilities are fractions in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.consignment import Consignment, Line, consolidate
from hedgerow.domain.enums import Mode
from hedgerow.domain.fields import Fields
from hedgerow.domain.gaps import DataGap
from hedgerow.errors import RecordFormatError


class CostTerm(StrEnum):
    """Terms of the cost of being wrong (base currency, expected over the scenarios)."""

    TRANSPORT = "transport"  # freight of new orders, transfers and expedites
    ORDER_COST = "order_cost"  # fixed cost of each order, transfer or expedite line (lanes order_cost)
    PURCHASE_FX = "purchase_fx"  # purchase price at the scenario's exchange rate minus book cost
    CAPITAL_IN_TRANSIT = "capital_in_transit"  # cost of capital on new goods while they travel
    HOLDING = "holding"  # storage + cost of capital on stock at the end of each period
    LOST_MARGIN = "lost_margin"  # lost sales × unit margin
    GOODWILL = "goodwill"  # lost sales × goodwill multiplier × unit margin
    LOST_BUNDLE_MARGIN = "lost_bundle_margin"  # bundles not sold because a component was missing
    # stock left at the end of the window × (1 - value fraction) of book cost, less the regular freight it has paid
    LEFTOVER_WRITEDOWN = "leftover_writedown"


class GuardrailKind(StrEnum):
    """The guardrails (and hard limits) a plan reports on."""

    SERVICE_FLOOR = "service_floor"
    BUNDLE_COMPONENT = "bundle_component"
    MAX_ORDER_CHANGE = "max_order_change"
    ORDER_SMOOTHING = "order_smoothing"
    MIN_ORDER_QTY = "min_order_qty"
    LANE_CAPACITY = "lane_capacity"
    WAREHOUSE_CAPACITY = "warehouse_capacity"
    BUDGET_TOTAL = "budget_total"
    BUDGET_REGION = "budget_region"
    HOLD = "hold"
    SOURCE_PROTECTED = "source_protected"
    LEAD_TIME = "lead_time"


class PlanStatus(StrEnum):
    """Whether every guardrail could be met."""

    FEASIBLE = "feasible"
    BEST_FEASIBLE = "best_feasible"  # some guardrail cannot be met; the plan is the best that respects the rest


class PlanMethod(StrEnum):
    """How the quantities were chosen."""

    LADDER = "ladder"
    EXACT = "exact"


class AlternativeKind(StrEnum):
    """The options an explanation compares."""

    RECOMMENDED = "recommended"
    DO_NOTHING = "do_nothing"
    OTHER_ROUTE = "other_route"  # the same units another way (other mode, source or a transfer)
    HALF = "half"  # half the quantity


class DriverKind(StrEnum):
    """What moves the value of an action."""

    DEMAND_SHIFT = "demand_shift"
    DEMAND_LEVEL = "demand_level"
    LANE_DISRUPTION = "lane_disruption"
    LEAD_TIME = "lead_time"
    SHIPMENT_DELAY = "shipment_delay"
    SOURCE_DEMAND = "source_demand"
    BUNDLE = "bundle"
    FX = "fx"


def _num(value: float | None, digits: int = 6) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def action_to_dict(action: Action) -> dict[str, Any]:
    """JSON form of an :class:`~hedgerow.domain.actions.Action`."""
    return {
        "kind": action.kind.value,
        "item_id": action.item_id,
        "location_id": action.location_id,
        "qty": _num(action.qty),
        "origin_id": action.origin_id,
        "lane_id": action.lane_id,
        "mode": action.mode.value if action.mode else None,
        "shipment_id": action.shipment_id,
    }


def action_from_dict(fields: Fields) -> Action:
    """The :class:`~hedgerow.domain.actions.Action` of its JSON form (:func:`action_to_dict`)."""
    try:
        return Action(
            kind=fields.enum("kind", ActionKind),
            item_id=fields.text("item_id"),
            location_id=fields.text("location_id"),
            qty=fields.number("qty"),
            origin_id=fields.opt_text("origin_id"),
            lane_id=fields.opt_text("lane_id"),
            mode=fields.opt_enum("mode", Mode),
            shipment_id=fields.opt_text("shipment_id"),
        )
    except ValueError as exc:
        raise RecordFormatError(f"{fields.path or 'action'}: {exc}") from None


@dataclass(frozen=True)
class CostBreakdown:
    """Expected cost per term (base currency); ``total`` is their sum."""

    terms: tuple[tuple[CostTerm, float], ...]

    @property
    def total(self) -> float:
        """Sum of the terms."""
        return float(sum(v for _, v in self.terms))

    def get(self, term: CostTerm) -> float:
        """The value of one term."""
        return dict(self.terms).get(term, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: each term to the cent, and ``total`` the sum of the terms as written (so that reading it
        back and writing it again gives the same figures)."""
        terms = {t.value: _num(v, 2) for t, v in self.terms}
        return terms | {"total": _num(sum(v for v in terms.values() if v is not None), 2)}

    @classmethod
    def from_dict(cls, fields: Fields) -> CostBreakdown:
        """Read back from :meth:`to_dict`, the terms in the order :class:`CostTerm` lists them (the ledger stores
        keys sorted); ``total`` is derived from the terms, so it is not read."""
        terms = {fields.key_as(k, CostTerm): fields.number(k) for k in fields if k != "total"}
        return cls(tuple((t, terms[t]) for t in CostTerm if t in terms))


@dataclass(frozen=True)
class Alternative:
    """One option an explanation compares, evaluated on the same scenarios as the plan.

    Attributes
    ----------
    kind, label:
        What the option is, and a short plain description.
    action:
        The action of the option (None for doing nothing).
    expected_cost, cvar, objective:
        Expected cost of the item (all its locations), its CVaR at the plan's level and the risk-adjusted
        objective, with every other action of the plan unchanged (base currency).
    stockout_probability:
        Probability of running out at the destination in its protection window.
    capital:
        Capital the option commits (base currency).
    breakdown:
        Expected cost per term.
    """

    kind: AlternativeKind
    label: str
    action: Action | None
    expected_cost: float
    cvar: float
    objective: float
    stockout_probability: float
    capital: float
    breakdown: CostBreakdown

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind.value,
            "label": self.label,
            "action": action_to_dict(self.action) if self.action else None,
            "expected_cost": _num(self.expected_cost, 2),
            "cvar": _num(self.cvar, 2),
            "objective": _num(self.objective, 2),
            "stockout_probability": _num(self.stockout_probability, 4),
            "capital": _num(self.capital, 2),
            "breakdown": self.breakdown.to_dict(),
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> Alternative:
        """Read back from :meth:`to_dict`."""
        action = fields.obj("action")
        breakdown = fields.obj("breakdown")
        return cls(
            kind=fields.enum("kind", AlternativeKind),
            label=fields.text("label"),
            action=action_from_dict(action) if action else None,
            expected_cost=fields.number("expected_cost"),
            cvar=fields.number("cvar"),
            objective=fields.number("objective"),
            stockout_probability=fields.number("stockout_probability"),
            capital=fields.number("capital"),
            breakdown=CostBreakdown.from_dict(breakdown) if breakdown else CostBreakdown(()),
        )


@dataclass(frozen=True)
class Driver:
    """A cause that moves the action's value.

    Attributes
    ----------
    kind, subject:
        What it is and what it concerns (an item-location key, a lane id, a currency).
    label:
        Plain words, e.g. "Tokyo demand-shift probability 62 %".
    value, unit:
        The driver's current value and its unit.
    probability:
        Probability of the driver's adverse state, when it has one.
    impact:
        Base currency of the action's expected value attributable to the driver (larger = more important).
    """

    kind: DriverKind
    subject: str
    label: str
    value: float
    unit: str
    probability: float | None
    impact: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind.value,
            "subject": self.subject,
            "label": self.label,
            "value": _num(self.value, 4),
            "unit": self.unit,
            "probability": _num(self.probability, 4),
            "impact": _num(self.impact, 2),
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> Driver:
        """Read back from :meth:`to_dict`."""
        return cls(
            kind=fields.enum("kind", DriverKind),
            subject=fields.text("subject"),
            label=fields.text("label"),
            value=fields.number("value"),
            unit=fields.text("unit"),
            probability=fields.opt_number("probability"),
            impact=fields.number("impact"),
        )


@dataclass(frozen=True)
class BreakEven:
    """The value of a driver at which the action stops paying.

    ``break_even_value`` is None when the action pays over the whole range searched (``searched_from`` to
    ``searched_to``); ``pays_when`` says on which side of it the action pays ("above" or "below").
    """

    driver: DriverKind
    subject: str
    label: str
    current_value: float
    break_even_value: float | None
    unit: str
    pays_when: str
    searched_from: float
    searched_to: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "driver": self.driver.value,
            "subject": self.subject,
            "label": self.label,
            "current_value": _num(self.current_value, 4),
            "break_even_value": _num(self.break_even_value, 4),
            "unit": self.unit,
            "pays_when": self.pays_when,
            "searched_from": _num(self.searched_from, 4),
            "searched_to": _num(self.searched_to, 4),
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> BreakEven:
        """Read back from :meth:`to_dict`."""
        return cls(
            driver=fields.enum("driver", DriverKind),
            subject=fields.text("subject"),
            label=fields.text("label"),
            current_value=fields.number("current_value"),
            break_even_value=fields.opt_number("break_even_value"),
            unit=fields.text("unit"),
            pays_when=fields.text("pays_when"),
            searched_from=fields.number("searched_from"),
            searched_to=fields.number("searched_to"),
        )


@dataclass(frozen=True)
class GuardrailNote:
    """A guardrail or limit that shaped the plan (``binding``) or could not be met (``infeasible``).

    ``settings`` names the hedgerow.toml keys (or data) involved, e.g. ``[service] floors.A``.
    """

    kind: GuardrailKind
    message: str
    binding: bool
    infeasible: bool = False
    settings: tuple[str, ...] = ()
    item_id: str | None = None
    location_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "kind": self.kind.value,
            "message": self.message,
            "binding": self.binding,
            "infeasible": self.infeasible,
            "settings": list(self.settings),
            "item_id": self.item_id,
            "location_id": self.location_id,
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> GuardrailNote:
        """Read back from :meth:`to_dict`."""
        return cls(
            kind=fields.enum("kind", GuardrailKind),
            message=fields.text("message"),
            binding=fields.flag("binding"),
            infeasible=fields.flag("infeasible", False),
            settings=fields.texts("settings"),
            item_id=fields.opt_text("item_id"),
            location_id=fields.opt_text("location_id"),
        )


@dataclass(frozen=True)
class DataFreshness:
    """One input snapshot an explanation rests on, and how old its newest data is."""

    table: str
    snapshot_sha256: str
    age_days: float | None
    stale: bool
    latest_record_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "table": self.table,
            "snapshot_sha256": self.snapshot_sha256,
            "age_days": _num(self.age_days, 1),
            "stale": self.stale,
            "latest_record_at": self.latest_record_at,
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> DataFreshness:
        """Read back from :meth:`to_dict`."""
        return cls(
            table=fields.text("table"),
            snapshot_sha256=fields.text("snapshot_sha256"),
            age_days=fields.opt_number("age_days"),
            stale=fields.flag("stale"),
            latest_record_at=fields.opt_text("latest_record_at"),
        )


#: Quantiles of a stock projection: name → level (fraction of the scenario weight below it).
PROJECTION_QUANTILES: tuple[tuple[str, float], ...] = (
    ("p05", 0.05),
    ("p25", 0.25),
    ("p50", 0.50),
    ("p75", 0.75),
    ("p95", 0.95),
)


@dataclass(frozen=True)
class StockProjection:
    """Projected stock on hand at the action's destination, per period, with and without the action.

    Quantiles over the plan's scenarios of the units left on hand at the end of each period (after that
    period's sales) of the explanation window, from the planner's own inventory-flow kernel; "without" is the
    plan with this one action left out (every other action unchanged), as in the do-nothing alternative.

    Attributes
    ----------
    unit:
        Unit of the values ("units").
    period_days:
        Length of a period in days.
    periods:
        ISO date of the first day of each period (as many as the window's periods).
    with_action, without_action:
        Quantile name (``p05``, ``p25``, ``p50``, ``p75``, ``p95``) → one value per period (units).
    """

    unit: str
    period_days: int
    periods: tuple[str, ...]
    with_action: Mapping[str, tuple[float, ...]]
    without_action: Mapping[str, tuple[float, ...]]

    def __post_init__(self) -> None:
        for name, series in (("with_action", self.with_action), ("without_action", self.without_action)):
            for q, values in series.items():
                if len(values) != len(self.periods):
                    raise ValueError(f"projection {name}[{q}] has {len(values)} values for {len(self.periods)} periods")

    def to_dict(self) -> dict[str, Any]:
        """JSON form (docs/web.md, "projection")."""
        return {
            "unit": self.unit,
            "period_days": self.period_days,
            "periods": list(self.periods),
            "with_action": {q: [_num(v, 2) for v in vs] for q, vs in self.with_action.items()},
            "without_action": {q: [_num(v, 2) for v in vs] for q, vs in self.without_action.items()},
        }

    @classmethod
    def from_dict(cls, fields: Fields) -> StockProjection:
        """Read back from :meth:`to_dict`."""

        def series(key: str) -> dict[str, tuple[float, ...]]:
            quantiles = fields.obj(key)
            if quantiles is None:
                raise fields.error(key, "an object of quantiles", None)
            return {q: quantiles.numbers(q) for q in quantiles}

        try:
            return cls(
                unit=fields.text("unit"),
                period_days=fields.integer("period_days"),
                periods=fields.texts("periods"),
                with_action=series("with_action"),
                without_action=series("without_action"),
            )
        except ValueError as exc:
            raise RecordFormatError(f"{fields.path}: {exc}") from None


@dataclass(frozen=True)
class Explanation:
    """Why a recommendation, in numbers and in plain words.

    Attributes
    ----------
    summary:
        At most 120 words for a manager: money and units, no jargon (deterministic templates).
    alternatives:
        The recommended option, doing nothing, and at least one other option, on the same scenarios.
    breakdown:
        Expected cost per term of the recommended option.
    drivers:
        Causes ranked by impact.
    break_even:
        Where the top driver stops the action from paying.
    guardrails:
        Guardrails and limits that bound this action.
    data:
        The snapshots used and their freshness.
    window_periods, period_days:
        The protection window the action is judged over.
    projection:
        Projected stock on hand at the destination over the window, with and without the action (None when
        not computed).
    reason:
        Why this option rather than a cheaper one, when a listed option costs less on average (a guardrail that
        needs it, the bad-case cost or the chance of running out it cuts), in one sentence with figures; None when
        it is the cheapest.
    gaps:
        The plan's data gaps this action relies on (its item-location had no count, say): part of the data section.
    freight:
        The recommended lane's freight rate today and in its bad case, in one sentence, when freight is uncertain
        and its tail worth telling (``Air freight costs $4.10 a unit today, $5.80 or more in 1 in 10 scenarios.``);
        the summary tells it too when its word limit leaves room.
    """

    summary: str
    alternatives: tuple[Alternative, ...]
    breakdown: CostBreakdown
    drivers: tuple[Driver, ...]
    break_even: BreakEven | None
    guardrails: tuple[GuardrailNote, ...]
    data: tuple[DataFreshness, ...]
    window_periods: int
    period_days: int
    projection: StockProjection | None = None
    reason: str | None = None
    gaps: tuple[DataGap, ...] = ()
    freight: str | None = None

    def alternative(self, kind: AlternativeKind) -> Alternative | None:
        """The first alternative of a kind."""
        return next((a for a in self.alternatives if a.kind is kind), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "summary": self.summary,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "breakdown": self.breakdown.to_dict(),
            "drivers": [d.to_dict() for d in self.drivers],
            "break_even": self.break_even.to_dict() if self.break_even else None,
            "guardrails": [g.to_dict() for g in self.guardrails],
            "data": [d.to_dict() for d in self.data],
            "window_periods": self.window_periods,
            "period_days": self.period_days,
            "projection": self.projection.to_dict() if self.projection else None,
            "reason": self.reason,
            "gaps": [g.to_dict() for g in self.gaps],
            "freight": self.freight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        """Read back from :meth:`to_dict` (as the ledger stores it); keys added since the explanation was recorded
        (``projection``, ``reason``, ``gaps``, ``freight``) take their defaults.

        Raises
        ------
        RecordFormatError
            When a required field is missing or a field has the wrong type (the message names it).
        """
        fields = Fields(data)
        breakdown = fields.obj("breakdown")
        break_even = fields.obj("break_even")
        projection = fields.obj("projection")
        return cls(
            summary=fields.text("summary"),
            alternatives=tuple(Alternative.from_dict(a) for a in fields.objects("alternatives")),
            breakdown=CostBreakdown.from_dict(breakdown) if breakdown else CostBreakdown(()),
            drivers=tuple(Driver.from_dict(d) for d in fields.objects("drivers")),
            break_even=BreakEven.from_dict(break_even) if break_even else None,
            guardrails=tuple(GuardrailNote.from_dict(g) for g in fields.objects("guardrails")),
            data=tuple(DataFreshness.from_dict(d) for d in fields.objects("data")),
            window_periods=fields.integer("window_periods"),
            period_days=fields.integer("period_days"),
            projection=StockProjection.from_dict(projection) if projection else None,
            reason=fields.opt_text("reason"),
            gaps=tuple(DataGap.from_dict(g) for g in fields.objects("gaps")),
            freight=fields.opt_text("freight"),
        )


@dataclass(frozen=True)
class Recommendation:
    """One action to take now, ranked, with its explanation.

    Attributes
    ----------
    id:
        Deterministic id (same inputs, seed and action → same id).
    rank:
        1 = first in line for capital.
    action:
        What to do.
    expected_saving:
        Expected cost without the action minus with it (base currency), other actions unchanged.
    value:
        Gain in the risk-adjusted objective (base currency).
    capital:
        Capital committed (base currency).
    value_per_capital:
        ``value / capital`` (the ladder's ranking key; None when no capital is committed).
    stockout_before, stockout_after:
        Stockout probability at the destination without and with the action.
    guardrail:
        The guardrail the action serves, when it is there because of one.
    explanation:
        Why.
    """

    id: str
    rank: int
    action: Action
    expected_saving: float
    value: float
    capital: float
    value_per_capital: float | None
    stockout_before: float
    stockout_after: float
    guardrail: GuardrailKind | None
    explanation: Explanation

    def to_dict(self) -> dict[str, Any]:
        """JSON form (what the ledger stores)."""
        return {
            "id": self.id,
            "rank": self.rank,
            "action": action_to_dict(self.action),
            "expected_saving": _num(self.expected_saving, 2),
            "value": _num(self.value, 2),
            "capital": _num(self.capital, 2),
            "value_per_capital": _num(self.value_per_capital, 4),
            "stockout_before": _num(self.stockout_before, 4),
            "stockout_after": _num(self.stockout_after, 4),
            "guardrail": self.guardrail.value if self.guardrail else None,
            "explanation": self.explanation.to_dict(),
        }

    @property
    def line(self) -> Line:
        """Its figures as a consignment line (:mod:`hedgerow.domain.consignment`)."""
        a = self.action
        return Line(
            id=self.id,
            kind=a.kind,
            location_id=a.location_id,
            origin_id=a.origin_id,
            lane_id=a.lane_id,
            mode=a.mode.value if a.mode else None,
            shipment_id=a.shipment_id,
            qty=a.qty,
            capital=self.capital,
            value=self.value,
        )


@dataclass(frozen=True)
class LadderStep:
    """One rung of the hedge ladder as shown to people: where the next money goes and what it buys."""

    position: int
    action: Action
    capital: float
    value: float
    value_per_capital: float | None
    cumulative_capital: float
    guardrail: GuardrailKind | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "position": self.position,
            "action": action_to_dict(self.action),
            "capital": _num(self.capital, 2),
            "value": _num(self.value, 2),
            "value_per_capital": _num(self.value_per_capital, 4),
            "cumulative_capital": _num(self.cumulative_capital, 2),
            "guardrail": self.guardrail.value if self.guardrail else None,
        }


@dataclass(frozen=True)
class PlanTotals:
    """Expected cost, CVaR, objective and capital of a whole plan or of doing nothing (base currency)."""

    expected_cost: float
    cvar: float
    objective: float
    capital: float
    lost_units: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "expected_cost": _num(self.expected_cost, 2),
            "cvar": _num(self.cvar, 2),
            "objective": _num(self.objective, 2),
            "capital": _num(self.capital, 2),
            "lost_units": _num(self.lost_units, 2),
        }


@dataclass(frozen=True)
class Plan:
    """The planner's answer for one run.

    Attributes
    ----------
    id:
        Deterministic id of the plan (seed, snapshots and recommendations).
    seed, as_of, snapshots:
        What it was computed from (scenario seed, first day, table → snapshot SHA-256).
    base_currency:
        Currency of every amount.
    status:
        FEASIBLE, or BEST_FEASIBLE when a guardrail cannot be met (see ``guardrails``).
    method, solver_status:
        How quantities were chosen (and HiGHS's status when the exact model was solved).
    recommendations:
        Ranked actions.
    ladder:
        The hedge ladder.
    guardrails:
        Every guardrail that binds or cannot be met.
    totals, do_nothing:
        Totals of the plan and of doing nothing at all.
    folded_actions, folded_value:
        Actions left out because their value was below the materiality rule (``[plan] min_value``,
        ``min_value_share``), and their value together when each was left out (base currency).
    gaps:
        Data the plan was made without and what it assumed instead (missing inventory, shipments, signals, FX).
    """

    id: str
    seed: int
    as_of: date
    base_currency: str
    status: PlanStatus
    method: PlanMethod
    solver_status: str | None
    recommendations: tuple[Recommendation, ...]
    ladder: tuple[LadderStep, ...]
    guardrails: tuple[GuardrailNote, ...]
    totals: PlanTotals
    do_nothing: PlanTotals
    snapshots: dict[str, str] = field(default_factory=dict)
    folded_actions: int = 0
    folded_value: float = 0.0
    gaps: tuple[DataGap, ...] = ()

    @property
    def feasible(self) -> bool:
        """True when every guardrail is met."""
        return self.status is PlanStatus.FEASIBLE

    @property
    def value(self) -> float:
        """What the plan saves against doing nothing, risk-adjusted (the objective of doing nothing less the
        plan's; base currency): the sum of what each action saves, the figure its queue is ranked by."""
        return self.do_nothing.objective - self.totals.objective

    @property
    def consignments(self) -> tuple[Consignment, ...]:
        """Its recommendations as the manager decides them: one consignment per lane, shipment or buffer location,
        largest value first (:mod:`hedgerow.domain.consignment`)."""
        return consolidate(r.line for r in self.recommendations)

    def recommendation(self, rec_id: str) -> Recommendation:
        """The recommendation with id ``rec_id``."""
        for r in self.recommendations:
            if r.id == rec_id:
                return r
        known = ", ".join(r.id for r in self.recommendations[:10])
        raise KeyError(f"no recommendation {rec_id!r} in plan {self.id}; it has: {known}")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "seed": self.seed,
            "as_of": self.as_of.isoformat(),
            "base_currency": self.base_currency,
            "status": self.status.value,
            "method": self.method.value,
            "solver_status": self.solver_status,
            "totals": self.totals.to_dict(),
            "do_nothing": self.do_nothing.to_dict(),
            "recommendations": [r.to_dict() for r in self.recommendations],
            "consignments": [c.to_dict() for c in self.consignments],
            "ladder": [s.to_dict() for s in self.ladder],
            "guardrails": [g.to_dict() for g in self.guardrails],
            "snapshots": dict(sorted(self.snapshots.items())),
            "folded": {"actions": self.folded_actions, "value": self.folded_value},
            "gaps": [g.to_dict() for g in self.gaps],
        }
