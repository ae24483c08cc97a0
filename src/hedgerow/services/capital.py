"""Capital and yield of a recorded plan by region, currency and item class, with the capital ladder (issue 19).

Shared by `hedgerow capital`, ``GET /api/capital`` and the web page ``/capital``, so each shows the same figures.
Reads the newest recorded plan (or a given one) from the ledger — each recommendation's action, ``capital_base``, and
its value and expected saving from the stored explanation (:func:`hedgerow.services.queue_view.recommendation_value`)
— and the workspace's current tables for the network, the stock on hand and the sales history; the figures come
from :func:`hedgerow.explain.capital.capital_view`.

What the ledger does not record: the plan-level guardrail notes. A budget that binds is therefore reported from the
recorded capital against the current ``[finance]`` budgets, without the next best use it left out (``hedgerow
plan`` prints that sentence when it makes the plan).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import select

from hedgerow.contract.network import network_from_frames
from hedgerow.decide.reconcile import rates_at, unit_values_base
from hedgerow.domain.actions import ActionKind
from hedgerow.domain.enums import TableName
from hedgerow.errors import HedgerowError
from hedgerow.explain.capital import (
    CapitalUse,
    CapitalView,
    Catalogue,
    History,
    capital_view,
    history_by_region,
    latest_on_hand,
    stock_value_by_region,
)
from hedgerow.services.names import Names, names_of
from hedgerow.services.queue import list_plans
from hedgerow.services.queue_view import recommendation_value
from hedgerow.services.recommendations import plan_of
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import PlanRow, RecommendationRow, as_utc


@dataclass(frozen=True)
class CapitalReport:
    """The capital view of one recorded plan.

    Attributes
    ----------
    plan_id, created_at:
        The plan (None when the ledger has none yet).
    view:
        The figures (:class:`~hedgerow.explain.capital.CapitalView`).
    notes:
        What the figures could not include, in plain words (no FX rate for a currency, no inventory counts, ...).
    labels:
        Recommendation id → its action in names ("order 36 Laptop kit: Shenzhen Works → Los Angeles DC").
    """

    plan_id: str | None
    created_at: datetime | None
    view: CapitalView
    notes: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, rec_id: str) -> str:
        """The action of a recommendation in names (its id when unknown)."""
        return self.labels.get(rec_id, rec_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``hedgerow capital --json``, ``GET /api/capital``)."""
        out = {
            "plan_id": self.plan_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            **self.view.to_dict(),
            "notes": list(self.notes),
        }
        for rung in out["ladder"]:
            rung["label"] = self.label(rung["recommendation_id"])
        return out


def expected_saving(explanation: Mapping[str, Any]) -> float | None:
    """Expected cost saved against doing nothing (base currency), from a stored explanation; None when it lacks the
    figures (the expected-cost twin of :func:`~hedgerow.services.queue_view.recommendation_value`)."""
    costs: dict[str, float] = {}
    alternatives = explanation.get("alternatives")
    for alt in alternatives if isinstance(alternatives, list) else []:
        if isinstance(alt, dict) and isinstance(alt.get("expected_cost"), int | float):
            costs.setdefault(str(alt.get("kind")), float(alt["expected_cost"]))
    if "recommended" not in costs or "do_nothing" not in costs:
        return None
    return costs["do_nothing"] - costs["recommended"]


def recorded_uses(ws: Workspace, plan_id: str) -> list[CapitalUse]:
    """The recommendations of recorded plan ``plan_id`` as capital uses (every status: the plan as it was made)."""
    r = RecommendationRow
    query = (
        select(r.id, r.kind, r.item_id, r.location_id, r.origin_id, r.lane_id, r.qty, r.capital_base,
               r.explanation_json)
        .where(r.plan_id == plan_id)
        .order_by(r.rank, r.id)
    )  # fmt: skip
    uses: list[CapitalUse] = []
    with ws.session() as session:
        for rid, kind, item, loc, origin, lane, qty, capital, text in session.execute(query):
            raw = json.loads(text)
            expl = raw.get("explanation", raw) if isinstance(raw, dict) else {}
            uses.append(
                CapitalUse(
                    rec_id=rid,
                    kind=ActionKind(kind),
                    item_id=item,
                    location_id=loc,
                    origin_id=origin,
                    lane_id=lane,
                    qty=float(qty),
                    capital=float(capital),
                    value=recommendation_value(expl) or 0.0,
                    expected_saving=expected_saving(expl) or 0.0,
                )
            )
    return uses


def action_label(use: CapitalUse, names: Names) -> str:
    """An action in names: "order 36 Laptop kit: Shenzhen Works → Los Angeles DC"."""
    origin = f"{names.place(use.origin_id)} → " if use.origin_id else ""
    return f"{use.kind.value.replace('_', ' ')} {use.qty:,.0f} {names.item(use.item_id)}: {origin}{names.location(use.location_id)}"


def _catalogue(frames: Mapping[TableName, pd.DataFrame]) -> Catalogue:
    needed = (TableName.ITEMS, TableName.LOCATIONS, TableName.ITEM_LOCATIONS)
    if any(t not in frames for t in needed):
        return Catalogue({}, {}, {})
    network = network_from_frames(frames)
    return Catalogue.of(network.items, network.locations, network.lanes)


def _prices_base(frames: Mapping[TableName, pd.DataFrame], rates: Mapping[str, float]) -> dict[tuple[str, str], float]:
    il = frames.get(TableName.ITEM_LOCATIONS)
    if il is None:
        return {}
    return {
        (str(i), str(loc)): float(p) / rates[str(cur)]
        for i, loc, p, cur in zip(il["item_id"], il["location_id"], il["unit_price"], il["price_currency"], strict=True)
        if str(cur) in rates
    }


def _stock_and_history(
    ws: Workspace, frames: Mapping[TableName, pd.DataFrame], catalogue: Catalogue, now: datetime
) -> tuple[dict[str, float] | None, dict[str, History] | None, list[str]]:
    base = ws.settings.workspace.base_currency
    at = pd.Timestamp(now.replace(tzinfo=None))
    items = frames.get(TableName.ITEMS)
    if items is None:
        return None, None, ["no items table: stock and history are not valued"]
    fx = frames.get(TableName.FX_RATES)
    try:
        cost = unit_values_base(items, fx, base, at)
    except HedgerowError as exc:
        return None, None, [f"stock and history are not valued: {exc}"]
    notes: list[str] = []
    inventory = frames.get(TableName.INVENTORY)
    stock = None
    if inventory is None or inventory.empty:
        notes.append("no inventory counts: the stock tied up and GMROI are not known; import inventory")
    else:
        stock = stock_value_by_region(latest_on_hand(inventory, until=at), cost, catalogue)
    history = None
    demand = frames.get(TableName.DEMAND)
    if demand is not None and not demand.empty:
        rates = rates_at(fx, base, at)
        history = history_by_region(
            demand,
            inventory,
            unit_cost=cost,
            unit_price=_prices_base(frames, rates),
            catalogue=catalogue,
            until=at,
        )
    return stock, history, notes


def plan_capital(ws: Workspace, plan_id: str | None = None, *, now: datetime) -> CapitalReport:
    """The capital view of recorded plan ``plan_id`` (None: the newest) with the current tables as of ``now``.

    Raises
    ------
    NotFound
        When ``plan_id`` is given and the ledger has no such plan.
    """
    settings = ws.settings
    finance = settings.finance
    row: PlanRow | None
    if plan_id is None:
        newest = list_plans(ws, limit=1)
        row = plan_of(ws, newest[0].plan_id) if newest else None
    else:
        row = plan_of(ws, plan_id)
    uses = recorded_uses(ws, row.id) if row is not None else []
    frames = ws.current_frames()
    catalogue = _catalogue(frames)
    stock, history, notes = _stock_and_history(ws, frames, catalogue, now)
    view = capital_view(
        uses,
        catalogue,
        base_currency=row.base_currency if row is not None else settings.workspace.base_currency,
        budget_total=finance.budget_total,
        budget_per_region=finance.budget_per_region,
        stock_value=stock,
        history=history,
    )
    if view.binding:
        notes.append(
            "the ledger does not record what a binding budget left out: `hedgerow plan` names it when it plans"
        )
    if row is None:
        notes.insert(0, "no plan recorded yet: run `hedgerow plan`")
    names = names_of(ws)
    return CapitalReport(
        plan_id=row.id if row is not None else None,
        created_at=as_utc(row.created_at) if row is not None else None,
        view=view,
        notes=tuple(notes),
        labels={u.rec_id: action_label(u, names) for u in uses},
    )
