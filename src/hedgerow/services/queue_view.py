"""The decision queue as a busy person reads it: each recommendation's value against doing nothing, names instead of
codes, who must decide, filters, pages sorted by value, and the plan headline.

**Value.** :func:`recommendation_value` is the one place that says what a recommendation is worth: the
risk-adjusted saving against doing nothing read from the stored explanation (the objective — expected cost and
bad-case risk together — of the ``do_nothing`` alternative minus that of the ``recommended`` one, base currency),
the figure the planner ranks by (issue 14). The queue, its sort, the headline and the consignments
(:mod:`hedgerow.services.consignments`) all follow this function.

Values are read from each recommendation's explanation JSON once per process and kept (a stored explanation never
changes), so sorting thousands of recommendations by value costs one pass over the new ones.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from hedgerow.decide.roles import Permission, has_permission
from hedgerow.domain.actions import ActionKind, RecommendationStatus, Role
from hedgerow.domain.consignment import Line, consignment_key
from hedgerow.services.names import Names, names_of
from hedgerow.services.queue import queue_summary
from hedgerow.services.recommendations import RecommendationView, list_recommendations
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import RecommendationRow

#: Rows per page of the queue.
PAGE_ROWS = 50


class QueueSort(StrEnum):
    """Orders of the queue."""

    VALUE = "value"  # largest saving against doing nothing first
    RANK = "rank"  # the planner's rank
    CAPITAL = "capital"  # largest capital first


class Decider(StrEnum):
    """Who must decide a proposed recommendation."""

    PLANNER = "planner"  # within the planner's limit: a planner (or anyone above) decides
    APPROVER = "approver"  # above ``[approval] approver_required_above``: an approver or an admin decides


def recommendation_value(explanation: Mapping[str, Any]) -> float | None:
    """What a recommendation is worth against doing nothing (base currency); None when its explanation lacks the
    figures. The one definition the queue, its sort and the plan headline use (see the module's docstring)."""
    costs: dict[str, float] = {}
    alternatives = explanation.get("alternatives")
    for alt in alternatives if isinstance(alternatives, list) else []:
        if isinstance(alt, dict) and isinstance(alt.get("objective"), int | float):
            costs.setdefault(str(alt.get("kind")), float(alt["objective"]))
    if "recommended" not in costs or "do_nothing" not in costs:
        return None
    return costs["do_nothing"] - costs["recommended"]


_values: dict[tuple[str, str], float | None] = {}
_values_lock = threading.Lock()


def values_of(ws: Workspace, rec_ids: Iterable[str]) -> dict[str, float | None]:
    """:func:`recommendation_value` of each recommendation (read once per process, then kept)."""
    wanted = list(rec_ids)
    ledger = ws.ledger_url
    with _values_lock:
        missing = [r for r in wanted if (ledger, r) not in _values]
    if missing:
        found: dict[str, float | None] = {}
        with ws.session() as s:
            for start in range(0, len(missing), 500):
                chunk = missing[start : start + 500]
                query = select(RecommendationRow.id, RecommendationRow.explanation_json).where(
                    RecommendationRow.id.in_(chunk)
                )
                for rec_id, text in s.execute(query):
                    raw = json.loads(text)
                    found[rec_id] = recommendation_value(raw.get("explanation", raw) if isinstance(raw, dict) else {})
        with _values_lock:
            _values.update({(ledger, r): v for r, v in found.items()})
    with _values_lock:
        return {r: _values.get((ledger, r)) for r in wanted}


def decider_of(view: RecommendationView, threshold: float) -> Decider:
    """Who must decide ``view``: an approver above ``threshold`` (capital, base currency), else a planner."""
    return Decider.APPROVER if view.capital_base > threshold else Decider.PLANNER


def may_decide(role: Role | None, decider: Decider) -> bool:
    """Whether ``role`` may decide a recommendation that ``decider`` must decide."""
    if role is None or not has_permission(role, Permission.DECIDE):
        return False
    return decider is Decider.PLANNER or has_permission(role, Permission.DECIDE_ANY_SIZE)


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue: the recommendation, its value, names and who must decide."""

    view: RecommendationView
    value_base: float | None
    item_name: str
    location_name: str
    origin_name: str | None
    region: str | None
    item_class: str | None
    decider: Decider


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: status, action kind, region, item class, item, location, and "needs me"."""

    status: RecommendationStatus = RecommendationStatus.PROPOSED
    kind: ActionKind | None = None
    region: str | None = None
    item_class: str | None = None
    item_id: str | None = None
    location_id: str | None = None
    needs_role: Role | None = None  # only what this role must decide (a planner's or an approver's share)


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue and what the filters offer."""

    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    regions: list[str]
    item_classes: list[str]


def _needs(role: Role, decider: Decider) -> bool:
    if has_permission(role, Permission.DECIDE_ANY_SIZE):
        return decider is Decider.APPROVER
    return may_decide(role, decider)


def _row(v: RecommendationView, value: float | None, names: Names, threshold: float) -> QueueRow:
    return QueueRow(
        view=v,
        value_base=value,
        item_name=names.item(v.item_id),
        location_name=names.location(v.decided_location_id or v.location_id),
        origin_name=names.place(v.origin_id) if v.origin_id else None,
        region=names.region_of(v.location_id),
        item_class=names.class_of(v.item_id),
        decider=decider_of(v, threshold),
    )


def _sort_key(sort: QueueSort) -> Any:
    if sort is QueueSort.VALUE:
        return lambda r: (r.value_base is None, -(r.value_base or 0.0), r.view.rank, r.view.id)
    if sort is QueueSort.CAPITAL:
        return lambda r: (-r.view.capital_base, r.view.rank, r.view.id)
    return lambda r: (r.view.rank, r.view.id)


def rows_of(ws: Workspace, views: Sequence[RecommendationView]) -> list[QueueRow]:
    """The queue rows of ``views`` (in their order): values, names and who must decide."""
    names = names_of(ws)
    threshold = ws.settings.approval.approver_required_above
    values = values_of(ws, (v.id for v in views))
    return [_row(v, values[v.id], names, threshold) for v in views]


def queue_page(
    ws: Workspace, where: QueueFilter, *, sort: QueueSort = QueueSort.VALUE, page: int = 1, rows: int = PAGE_ROWS
) -> QueuePage:
    """A page (1-based) of the recommendations matching ``where``, sorted by ``sort``."""
    views = list_recommendations(
        ws, statuses=[where.status], kind=where.kind, item_id=where.item_id, location_id=where.location_id
    )
    every = rows_of(ws, views)
    regions = sorted({r.region for r in every if r.region})
    classes = sorted({r.item_class for r in every if r.item_class})
    chosen = [
        r
        for r in every
        if (where.region is None or r.region == where.region)
        and (where.item_class is None or r.item_class == where.item_class)
        and (where.needs_role is None or _needs(where.needs_role, r.decider))
    ]
    chosen.sort(key=_sort_key(sort))
    pages = max(1, -(-len(chosen) // rows))
    page = min(max(1, page), pages)
    return QueuePage(chosen[(page - 1) * rows : page * rows], len(chosen), page, pages, regions, classes)


@dataclass(frozen=True)
class Headline:
    """The plan headline: what the open recommendations save against doing nothing, in how many consignments (the
    decisions a manager makes, :mod:`hedgerow.domain.consignment`), and how many lines need an approver."""

    saving_base: float
    actions: int
    consignments: int
    needing_approver: int
    currency: str

    def sentence(self) -> str:
        """ "These 22 actions in 4 consignments save 14,300 USD against doing nothing; 3 need an approver." (or that
        nothing waits)."""
        if self.actions == 0:
            return "Nothing is waiting for a decision."
        verb = "saves" if self.actions == 1 else "save"
        noun = "action" if self.actions == 1 else "actions"
        cons = f"{self.consignments:,} consignment{'s' if self.consignments != 1 else ''}"
        need = f"{self.needing_approver} need{'s' if self.needing_approver == 1 else ''} an approver"
        return (
            f"These {self.actions:,} {noun} in {cons} {verb} {self.saving_base:,.0f} {self.currency} against doing "
            f"nothing; {need}."
        )


def line_of(view: RecommendationView) -> Line:
    """What consolidation needs of a recorded recommendation (its grouping fields; its value is not needed to group
    and is left 0)."""
    return Line(
        id=view.id,
        kind=ActionKind(view.kind),
        location_id=view.location_id,
        origin_id=view.origin_id,
        lane_id=view.lane_id,
        mode=view.mode,
        shipment_id=view.shipment_id,
        qty=view.qty,
        capital=view.capital_base,
        value=0.0,
    )


def plan_headline(ws: Workspace) -> Headline:
    """The headline of the proposed recommendations (the sum of :func:`recommendation_value` over them)."""
    views: Sequence[RecommendationView] = list_recommendations(ws, statuses=[RecommendationStatus.PROPOSED])
    values = values_of(ws, (v.id for v in views))
    summary = queue_summary(ws)
    return Headline(
        saving_base=sum(v for v in values.values() if v is not None),
        actions=len(views),
        consignments=len({(v.plan_id, consignment_key(line_of(v))) for v in views}),
        needing_approver=summary.proposed_needing_approver,
        currency=ws.settings.workspace.base_currency,
    )
