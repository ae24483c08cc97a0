"""Capital and yield by region: what a plan commits, where, in which currency and item class, and what it buys.

Pure: a plan's actions (:class:`CapitalUse`, from a :class:`~hedgerow.domain.plan.Recommendation` or a recorded
recommendation), the network's names for them (:class:`Catalogue`) and, optionally, the stock already tied up and
the history figures per region in; one :class:`CapitalView` out. Money is in the plan's base currency.

**Where capital goes.** Capital is charged to the region of the action's destination (as the planner charges it
against ``[finance] budget_per_region``), to the item's class, and to the currency the money is paid in: the
item's purchase currency (``items.cost_currency``) for orders, the lane's freight currency (``lanes.cost_currency``)
for transfers and expedites. Each breakdown adds up to the plan's capital (``math.fsum`` of the same actions).

**What it buys.** An action's *value* is the risk-adjusted saving against doing nothing (the objective of the
do-nothing alternative minus the recommended one's: the figure the plan ranks by), its *expected saving* the same on
expected cost alone ("expected margin protected"). Per region: *return on capital* = expected saving / capital and
*value per dollar* = value / capital, over the plan's protection window (not annualised).

**The ladder.** The plan's actions ordered by value per dollar of capital, highest first (capital-free actions,
such as keeping a buffer, first by value; then ties by value and id), with cumulative capital and cumulative value:
reading down the ladder says where the next dollar goes and what it buys.

**History.** :func:`history_by_region`: gross margin of the units sold (demand ``qty`` × (price − unit cost)) over
a trailing window, the average inventory at cost over the counts in that window, and GMROI = gross margin per year
/ average inventory at cost (the margin is annualised by 365 / days of the window when the window is shorter than
a year).

**Budgets.** A budget binds when what the plan commits under it comes within the smallest unit's capital of it; the
sentence saying so is the plan's own guardrail note when the view has it (it names the next best use the budget
left out, :mod:`hedgerow.explain.budget_use`), else the same sentence without that clause.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd

from hedgerow.domain.actions import ActionKind
from hedgerow.domain.network import Item, Lane, Location
from hedgerow.domain.plan import GuardrailKind, GuardrailNote, Plan, Recommendation
from hedgerow.explain.guardrails import TOTAL_BUDGET_SETTING, budget_sentence, region_budget_setting

#: Days in a year, for annualising GMROI.
DAYS_PER_YEAR = 365.0

#: Trailing days of history GMROI is measured over (at most; less when the history is shorter).
HISTORY_DAYS = 365

#: Capital under this (base currency) counts as none: the action ranks first on the ladder, by value.
CAPITAL_FREE = 1e-6

#: Region, class or currency of what the tables do not name.
UNKNOWN = "(unknown)"

#: Name of the total budget in :class:`BudgetStatus`.
TOTAL = "total"


class Breakdown(StrEnum):
    """What capital is broken down by."""

    REGION = "region"
    CURRENCY = "currency"
    ITEM_CLASS = "item_class"


@dataclass(frozen=True)
class CapitalUse:
    """One action of a plan as the capital view reads it (money in base currency).

    Attributes
    ----------
    rec_id, kind, item_id, location_id, origin_id, lane_id, qty:
        The recommendation and its action (``location_id`` is the destination; ``qty`` in units).
    capital:
        Capital it commits.
    value:
        Risk-adjusted saving against doing nothing.
    expected_saving:
        Expected cost saved against doing nothing.
    """

    rec_id: str
    kind: ActionKind
    item_id: str
    location_id: str
    origin_id: str | None
    lane_id: str | None
    qty: float
    capital: float
    value: float
    expected_saving: float

    @classmethod
    def of(cls, rec: Recommendation) -> CapitalUse:
        """The use of a planner's recommendation."""
        a = rec.action
        return cls(
            rec.id, a.kind, a.item_id, a.location_id, a.origin_id, a.lane_id, a.qty, rec.capital, rec.value,
            rec.expected_saving,
        )  # fmt: skip

    @property
    def value_per_capital(self) -> float | None:
        """Value per unit of capital (None when it commits none)."""
        return self.value / self.capital if self.capital > CAPITAL_FREE else None


@dataclass(frozen=True)
class Catalogue:
    """The names capital is grouped by: location → region and currency, item → class and purchase currency,
    lane → freight currency. Build it from the network with :meth:`of`."""

    region: Mapping[str, str]
    item_class: Mapping[str, str]
    purchase_currency: Mapping[str, str]
    lane_currency: Mapping[str, str] = field(default_factory=dict)
    location_currency: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Iterable[Item], locations: Iterable[Location], lanes: Iterable[Lane] = ()) -> Catalogue:
        """From the network's items, locations and lanes (a :class:`~hedgerow.domain.network.Network` or a
        :class:`~hedgerow.plan.problem.PlanningProblem` has all three)."""
        items_t, locs = tuple(items), tuple(locations)
        return cls(
            region={loc.location_id: loc.region for loc in locs},
            item_class={i.item_id: i.item_class for i in items_t},
            purchase_currency={i.item_id: i.cost_currency for i in items_t},
            lane_currency={lane.lane_id: lane.cost_currency for lane in lanes},
            location_currency={loc.location_id: loc.currency for loc in locs},
        )

    def region_of(self, location_id: str) -> str:
        """The region of a location (:data:`UNKNOWN` when the locations table lacks it)."""
        return self.region.get(location_id, UNKNOWN)

    def key(self, use: CapitalUse, by: Breakdown) -> str:
        """The group ``use`` counts under in breakdown ``by``."""
        if by is Breakdown.REGION:
            return self.region_of(use.location_id)
        if by is Breakdown.ITEM_CLASS:
            return self.item_class.get(use.item_id, UNKNOWN)
        if use.kind is ActionKind.ORDER:
            return self.purchase_currency.get(use.item_id, UNKNOWN)
        freight = self.lane_currency.get(use.lane_id or "")
        return freight or self.location_currency.get(use.location_id, UNKNOWN)


@dataclass(frozen=True)
class CapitalGroup:
    """Capital a plan commits in one region, currency or item class, and what it buys (base currency)."""

    key: str
    capital: float
    share: float
    actions: int
    value: float
    expected_saving: float

    @property
    def return_on_capital(self) -> float | None:
        """Expected saving per unit of capital over the plan's window (None without capital)."""
        return self.expected_saving / self.capital if self.capital > CAPITAL_FREE else None

    @property
    def value_per_capital(self) -> float | None:
        """Risk-adjusted saving per unit of capital (None without capital)."""
        return self.value / self.capital if self.capital > CAPITAL_FREE else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "key": self.key,
            "capital": _r(self.capital),
            "share": _r(self.share, 4),
            "actions": self.actions,
            "value": _r(self.value),
            "expected_saving": _r(self.expected_saving),
            "return_on_capital": _r(self.return_on_capital, 4),
            "value_per_capital": _r(self.value_per_capital, 4),
        }


@dataclass(frozen=True)
class History:
    """Sales and stock of one region over a trailing window (base currency at today's costs and prices).

    Attributes
    ----------
    gross_margin:
        Units sold × (unit price − unit cost), summed over the window.
    average_inventory:
        Average stock at cost over the counts in the window.
    days:
        Length of the window (days).
    """

    gross_margin: float
    average_inventory: float
    days: int

    @property
    def gmroi(self) -> float | None:
        """Gross margin per year / average inventory at cost (None without inventory or days)."""
        if self.average_inventory <= CAPITAL_FREE or self.days <= 0:
            return None
        return self.gross_margin * DAYS_PER_YEAR / self.days / self.average_inventory

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "gross_margin": _r(self.gross_margin),
            "average_inventory": _r(self.average_inventory),
            "days": self.days,
            "gmroi": _r(self.gmroi, 4),
        }


@dataclass(frozen=True)
class BudgetStatus:
    """One budget: its amount, what the plan commits under it, whether it binds, and the sentence that says so."""

    scope: str
    setting: str
    budget: float
    committed: float
    binds: bool
    sentence: str | None

    @property
    def left(self) -> float:
        """Budget not committed (base currency; never below 0)."""
        return max(self.budget - self.committed, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "scope": self.scope,
            "setting": self.setting,
            "budget": _r(self.budget),
            "committed": _r(self.committed),
            "left": _r(self.left),
            "binds": self.binds,
            "sentence": self.sentence,
        }


@dataclass(frozen=True)
class RegionCapital:
    """One region: the plan's capital and return there, the stock already tied up, its budget and its history."""

    plan: CapitalGroup
    stock_value: float | None
    budget: BudgetStatus | None
    history: History | None

    @property
    def region(self) -> str:
        """The region."""
        return self.plan.key

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "region": self.region,
            **{k: v for k, v in self.plan.to_dict().items() if k != "key"},
            "stock_value": _r(self.stock_value),
            "budget": self.budget.to_dict() if self.budget else None,
            "history": self.history.to_dict() if self.history else None,
        }


@dataclass(frozen=True)
class LadderRung:
    """One action on the capital ladder, with what the ladder has committed and bought up to and including it."""

    position: int
    use: CapitalUse
    region: str
    cumulative_capital: float
    cumulative_value: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        u = self.use
        return {
            "position": self.position,
            "recommendation_id": u.rec_id,
            "kind": u.kind.value,
            "item_id": u.item_id,
            "location_id": u.location_id,
            "origin_id": u.origin_id,
            "region": self.region,
            "qty": _r(u.qty),
            "capital": _r(u.capital),
            "value": _r(u.value),
            "value_per_capital": _r(u.value_per_capital, 4),
            "cumulative_capital": _r(self.cumulative_capital),
            "cumulative_value": _r(self.cumulative_value),
        }


@dataclass(frozen=True)
class CapitalView:
    """Capital and yield of one plan (module docstring); money in ``base_currency``."""

    base_currency: str
    capital: float
    value: float
    expected_saving: float
    regions: tuple[RegionCapital, ...]
    currencies: tuple[CapitalGroup, ...]
    item_classes: tuple[CapitalGroup, ...]
    ladder: tuple[LadderRung, ...]
    budgets: tuple[BudgetStatus, ...]

    def breakdown(self, by: Breakdown) -> tuple[CapitalGroup, ...]:
        """The groups of one breakdown."""
        if by is Breakdown.REGION:
            return tuple(r.plan for r in self.regions)
        return self.currencies if by is Breakdown.CURRENCY else self.item_classes

    @property
    def binding(self) -> tuple[BudgetStatus, ...]:
        """The budgets that bind."""
        return tuple(b for b in self.budgets if b.binds)

    @property
    def stock_value(self) -> float | None:
        """Stock already tied up at cost, all regions (None when not known)."""
        known = [r.stock_value for r in self.regions if r.stock_value is not None]
        return math.fsum(known) if known else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``hedgerow capital --json``, ``GET /api/capital``)."""
        return {
            "base_currency": self.base_currency,
            "capital": _r(self.capital),
            "value": _r(self.value),
            "expected_saving": _r(self.expected_saving),
            "stock_value": _r(self.stock_value),
            "regions": [r.to_dict() for r in self.regions],
            "currencies": [g.to_dict() for g in self.currencies],
            "item_classes": [g.to_dict() for g in self.item_classes],
            "ladder": [r.to_dict() for r in self.ladder],
            "budgets": [b.to_dict() for b in self.budgets],
        }


def _r(value: float | None, digits: int = 2) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def group_capital(uses: Sequence[CapitalUse], catalogue: Catalogue, by: Breakdown) -> tuple[CapitalGroup, ...]:
    """Capital, value and expected saving of ``uses`` per group of breakdown ``by``, largest capital first (then
    by key); the groups' capital adds up to the uses' capital."""
    members: dict[str, list[CapitalUse]] = defaultdict(list)
    for u in uses:
        members[catalogue.key(u, by)].append(u)
    total = math.fsum(u.capital for u in uses)
    groups = [
        CapitalGroup(
            key=key,
            capital=(cap := math.fsum(u.capital for u in us)),
            share=cap / total if total > CAPITAL_FREE else 0.0,
            actions=len(us),
            value=math.fsum(u.value for u in us),
            expected_saving=math.fsum(u.expected_saving for u in us),
        )
        for key, us in members.items()
    ]
    return tuple(sorted(groups, key=lambda g: (-g.capital, g.key)))


def capital_ladder(uses: Sequence[CapitalUse], catalogue: Catalogue) -> tuple[LadderRung, ...]:
    """The uses ordered by value per unit of capital, highest first (module docstring), with running totals."""

    def order(u: CapitalUse) -> tuple[int, float, float, str]:
        vpc = u.value_per_capital
        return (0 if vpc is None else 1, -(vpc if vpc is not None else u.value), -u.value, u.rec_id)

    rungs: list[LadderRung] = []
    spent: list[float] = []
    bought: list[float] = []
    for k, u in enumerate(sorted(uses, key=order), start=1):
        spent.append(u.capital)
        bought.append(u.value)
        rungs.append(LadderRung(k, u, catalogue.region_of(u.location_id), math.fsum(spent), math.fsum(bought)))
    return tuple(rungs)


def _budget(
    scope: str,
    setting: str,
    amount: float,
    uses: Sequence[CapitalUse],
    notes: Mapping[str, GuardrailNote],
    currency: str,
) -> BudgetStatus:
    committed = math.fsum(u.capital for u in uses)
    per_unit = [u.capital / u.qty for u in uses if u.qty > 0 and u.capital > CAPITAL_FREE]
    slack = max(min(per_unit, default=0.0), CAPITAL_FREE)
    note = notes.get(setting)
    binds = note is not None or (bool(uses) and committed >= amount - slack)
    sentence = note.message if note is not None else None
    if binds and sentence is None:
        sentence = budget_sentence(scope, amount, committed, setting, currency)
    return BudgetStatus(scope, setting, amount, committed, binds, sentence)


def budget_status(
    uses: Sequence[CapitalUse],
    catalogue: Catalogue,
    *,
    budget_total: float,
    budget_per_region: Mapping[str, float],
    notes: Sequence[GuardrailNote] = (),
    currency: str,
) -> tuple[BudgetStatus, ...]:
    """Every finite budget (total first, then regions by name): committed, left, whether it binds and why.

    ``notes`` are the plan's guardrail notes: a budget note there is the sentence (it names what was left out)."""
    by_setting = {
        s: n
        for n in notes
        if n.kind in (GuardrailKind.BUDGET_TOTAL, GuardrailKind.BUDGET_REGION) and n.binding
        for s in n.settings
    }
    out: list[BudgetStatus] = []
    if math.isfinite(budget_total):
        out.append(_budget(TOTAL, TOTAL_BUDGET_SETTING, budget_total, uses, by_setting, currency))
    for region, amount in sorted(budget_per_region.items()):
        if math.isfinite(amount):
            mine = [u for u in uses if catalogue.region_of(u.location_id) == region]
            out.append(_budget(region, region_budget_setting(region), amount, mine, by_setting, currency))
    return tuple(out)


def capital_view(
    uses: Sequence[CapitalUse],
    catalogue: Catalogue,
    *,
    base_currency: str,
    budget_total: float = math.inf,
    budget_per_region: Mapping[str, float] | None = None,
    notes: Sequence[GuardrailNote] = (),
    stock_value: Mapping[str, float] | None = None,
    history: Mapping[str, History] | None = None,
) -> CapitalView:
    """Capital and yield of a plan's actions (module docstring).

    Parameters
    ----------
    uses:
        The plan's actions.
    catalogue:
        Regions, classes and currencies of the network.
    base_currency:
        Currency of every amount.
    budget_total, budget_per_region:
        ``[finance]`` budgets (base currency; inf or absent = none).
    notes:
        The plan's guardrail notes (a plan made now has them; one read back from the ledger does not).
    stock_value:
        Region → stock on hand at cost (:func:`stock_value_by_region`); regions the plan does not touch are listed
        too.
    history:
        Region → :class:`History` (:func:`history_by_region`).
    """
    budgets = budget_status(
        uses,
        catalogue,
        budget_total=budget_total,
        budget_per_region=budget_per_region or {},
        notes=notes,
        currency=base_currency,
    )
    by_scope = {b.scope: b for b in budgets}
    groups = list(group_capital(uses, catalogue, Breakdown.REGION))
    seen = {g.key for g in groups}
    extra = sorted((set(stock_value or {}) | set(history or {}) | set(budget_per_region or {})) - seen)
    groups += [CapitalGroup(key, 0.0, 0.0, 0, 0.0, 0.0) for key in extra]
    regions = tuple(
        RegionCapital(
            plan=g,
            stock_value=(stock_value or {}).get(g.key, 0.0 if stock_value is not None else None),
            budget=by_scope.get(g.key),
            history=(history or {}).get(g.key),
        )
        for g in groups
    )
    return CapitalView(
        base_currency=base_currency,
        capital=math.fsum(u.capital for u in uses),
        value=math.fsum(u.value for u in uses),
        expected_saving=math.fsum(u.expected_saving for u in uses),
        regions=regions,
        currencies=group_capital(uses, catalogue, Breakdown.CURRENCY),
        item_classes=group_capital(uses, catalogue, Breakdown.ITEM_CLASS),
        ladder=capital_ladder(uses, catalogue),
        budgets=budgets,
    )


def plan_capital_view(
    plan: Plan,
    catalogue: Catalogue,
    *,
    budget_total: float = math.inf,
    budget_per_region: Mapping[str, float] | None = None,
    stock_value: Mapping[str, float] | None = None,
    history: Mapping[str, History] | None = None,
) -> CapitalView:
    """:func:`capital_view` of a plan the planner just made (its guardrail notes name what budgets left out)."""
    return capital_view(
        [CapitalUse.of(r) for r in plan.recommendations],
        catalogue,
        base_currency=plan.base_currency,
        budget_total=budget_total,
        budget_per_region=budget_per_region,
        notes=plan.guardrails,
        stock_value=stock_value,
        history=history,
    )


def latest_on_hand(inventory: pd.DataFrame, *, until: pd.Timestamp) -> pd.DataFrame:
    """The newest count on or before ``until`` of each item-location: columns ``item_id``, ``location_id``,
    ``on_hand`` (units)."""
    rows = inventory[pd.to_datetime(inventory["counted_at"]) <= until]
    rows = rows.sort_values("counted_at").groupby(["item_id", "location_id"], as_index=False).last()
    return rows[["item_id", "location_id", "on_hand"]]


def stock_value_by_region(
    on_hand: pd.DataFrame, unit_cost: Mapping[str, float], catalogue: Catalogue
) -> dict[str, float]:
    """Region → units on hand × unit cost (base currency); ``on_hand`` as :func:`latest_on_hand` gives it. Items
    without a cost count at 0."""
    out: dict[str, list[float]] = defaultdict(list)
    for item, loc, qty in zip(on_hand["item_id"], on_hand["location_id"], on_hand["on_hand"], strict=True):
        out[catalogue.region_of(str(loc))].append(float(qty) * unit_cost.get(str(item), 0.0))
    return {region: math.fsum(v) for region, v in out.items()}


def history_by_region(
    demand: pd.DataFrame,
    inventory: pd.DataFrame | None,
    *,
    unit_cost: Mapping[str, float],
    unit_price: Mapping[tuple[str, str], float],
    catalogue: Catalogue,
    until: pd.Timestamp,
    days: int = HISTORY_DAYS,
) -> dict[str, History]:
    """Gross margin, average inventory at cost and GMROI per region over the ``days`` before ``until``.

    Parameters
    ----------
    demand:
        The ``demand`` table (``item_id``, ``location_id``, ``period_start``, ``qty``).
    inventory:
        The ``inventory`` table (``item_id``, ``location_id``, ``counted_at``, ``on_hand``), or None.
    unit_cost:
        Item → unit cost (base currency).
    unit_price:
        (item, location) → unit price (base currency); sales of a pair without a price carry no margin.
    catalogue:
        Location → region.
    until, days:
        The window is ``[until - days, until)``, cut to the first sale when the history is shorter.

    Notes
    -----
    The average inventory of an item-location is the mean of its counts in the window (its newest count before the
    window when it has none there); a region's is the sum over its item-locations.
    """
    since = until - pd.Timedelta(days=days)
    starts = pd.to_datetime(demand["period_start"])
    sold = demand[(starts >= since) & (starts < until)]
    if sold.empty:
        return {}
    length = max(int((until - max(starts.min(), since)).days), 1)
    margin: dict[str, list[float]] = defaultdict(list)
    for item, loc, qty in zip(sold["item_id"], sold["location_id"], sold["qty"], strict=True):
        key = (str(item), str(loc))
        if key in unit_price:
            margin[catalogue.region_of(key[1])].append(float(qty) * (unit_price[key] - unit_cost.get(key[0], 0.0)))
    stock: dict[str, list[float]] = defaultdict(list)
    if inventory is not None and not inventory.empty:
        counted = pd.to_datetime(inventory["counted_at"])
        inside = inventory[(counted >= since) & (counted < until)]
        mean = inside.groupby(["item_id", "location_id"], as_index=False)["on_hand"].mean()
        before = latest_on_hand(inventory[counted < since], until=since)
        means: dict[tuple[str, str], float] = {}
        for frame in (mean, before):  # counts in the window first, else the newest before it
            for i, loc, v in zip(frame["item_id"], frame["location_id"], frame["on_hand"], strict=True):
                means.setdefault((str(i), str(loc)), float(v))
        for (item, loc), qty in means.items():
            stock[catalogue.region_of(loc)].append(qty * unit_cost.get(item, 0.0))
    return {
        region: History(math.fsum(margin.get(region, [])), math.fsum(stock.get(region, [])), length)
        for region in sorted(set(margin) | set(stock))
    }
