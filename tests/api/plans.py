"""Sample plans for the API, web and benchmark fixtures, built from a workspace's own tables.

Until the planner (issue 5) records its plans, the ledger is seeded with these: one order per item-location that a
supplier lane serves, with an explanation JSON carrying every field the planner's ``Explanation.to_dict()``
produces (summary, alternatives, breakdown, drivers, break_even, guardrails, data, window_periods, period_days)
plus ``projection`` — the projected-inventory fan the recommendation page draws (docs/web.md lists the fields the
pages read). Figures follow a simple normal demand model so they are consistent with one another; they are test
data, not plans.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.decide.records import PlanRecord, RecommendationRecord
from hedgerow.domain.actions import Action, ActionKind
from hedgerow.domain.enums import Mode, TableName
from hedgerow.services.workspace import Workspace

Z = {"p05": -1.645, "p25": -0.674, "p50": 0.0, "p75": 0.674, "p95": 1.645}


def _fan(
    start: float, mean: float, sd: float, periods: int, arrival: tuple[int, float] | None
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for name, z in Z.items():
        values = []
        for t in range(1, periods + 1):
            arrived = arrival[1] if arrival is not None and t >= arrival[0] else 0.0
            values.append(round(max(0.0, start + arrived - mean * t - z * sd * math.sqrt(t)), 1))
        out[name] = values
    return out


def explanation(
    *,
    item: str,
    location: str,
    qty: float,
    lane: str,
    mode: str,
    origin: str,
    transit_days: float,
    on_hand: float,
    mean: float,
    sd: float,
    unit_cost: float,
    margin: float,
    start: datetime,
    snapshots: dict[str, str],
    periods: int = 12,
) -> dict[str, Any]:
    """An explanation dict with the planner's fields and a projection fan (with and without the order)."""
    arrive = max(1, math.ceil(transit_days / 7))
    without = _fan(on_hand, mean, sd, periods, None)
    with_ = _fan(on_hand, mean, sd, periods, (arrive, qty))
    p_out_without = float(np.mean([v <= 0 for v in without["p25"]]))
    lost = max(0.0, mean * periods - on_hand) * margin
    transport = qty * 0.4
    holding = qty * unit_cost * 0.2 * periods / 52
    action = {"kind": "order", "item_id": item, "location_id": location, "qty": qty, "origin_id": origin,
              "lane_id": lane, "mode": mode, "shipment_id": None}  # fmt: skip
    recommended_cost = round(transport + holding + lost * 0.1, 2)
    nothing_cost = round(lost * 1.3, 2)
    return {
        "summary": (
            f"Order {qty:,.0f} units of {item} for {location} by {mode} now. Without it, stock runs out in about "
            f"{max(1, int(on_hand / max(mean, 1e-9)))} weeks in half of the scenarios, costing about "
            f"{nothing_cost:,.0f} USD in lost margin; the order costs {recommended_cost:,.0f} USD."
        ),
        "alternatives": [
            {
                "kind": "recommended",
                "label": f"order {qty:,.0f} by {mode}",
                "action": action,
                "expected_cost": recommended_cost,
                "cvar": round(recommended_cost * 1.6, 2),
                "objective": round(recommended_cost * 1.12, 2),
                "stockout_probability": 0.03,
                "capital": round(qty * unit_cost, 2),
                "breakdown": {
                    "transport": round(transport, 2),
                    "holding": round(holding, 2),
                    "lost_margin": round(lost * 0.1, 2),
                    "total": recommended_cost,
                },
            },
            {
                "kind": "do_nothing",
                "label": "do nothing",
                "action": None,
                "expected_cost": nothing_cost,
                "cvar": round(nothing_cost * 2.1, 2),
                "objective": round(nothing_cost * 1.3, 2),
                "stockout_probability": round(max(p_out_without, 0.35), 4),
                "capital": 0.0,
                "breakdown": {"lost_margin": nothing_cost, "total": nothing_cost},
            },
            {
                "kind": "half",
                "label": f"order {qty / 2:,.0f} by {mode}",
                "action": action | {"qty": qty / 2},
                "expected_cost": round((recommended_cost + nothing_cost) / 2, 2),
                "cvar": round((recommended_cost + nothing_cost), 2),
                "objective": round(nothing_cost * 0.8, 2),
                "stockout_probability": 0.18,
                "capital": round(qty * unit_cost / 2, 2),
                "breakdown": {"total": round((recommended_cost + nothing_cost) / 2, 2)},
            },
        ],
        "breakdown": {
            "transport": round(transport, 2),
            "holding": round(holding, 2),
            "lost_margin": round(lost * 0.1, 2),
            "total": recommended_cost,
        },
        "drivers": [
            {
                "kind": "demand_level",
                "subject": f"{item}@{location}",
                "label": f"{location} weekly demand {mean:,.0f} units",
                "value": round(mean, 4),
                "unit": "units/week",
                "probability": None,
                "impact": round(nothing_cost * 0.6, 2),
            },
            {
                "kind": "lead_time",
                "subject": lane,
                "label": f"lane {lane} transit {transit_days:.0f} days",
                "value": transit_days,
                "unit": "days",
                "probability": 0.2,
                "impact": round(nothing_cost * 0.25, 2),
            },
        ],
        "break_even": {
            "driver": "demand_level",
            "subject": f"{item}@{location}",
            # the planner's sentence (hedgerow.explain.breakeven), which the pages show as it is
            "label": f"stops paying if demand for {item} at {location} falls below {mean * 0.45:,.0f} units per period "
            f"(now {mean:,.0f})",
            "current_value": round(mean, 4),
            "break_even_value": round(mean * 0.45, 4),
            "unit": "units/week",
            "pays_when": "above",
            "searched_from": 0.0,
            "searched_to": round(mean * 3, 4),
        },
        "guardrails": [],
        "data": [
            {"table": t, "snapshot_sha256": sha, "age_days": 2.0, "stale": False, "latest_record_at": None}
            for t, sha in sorted(snapshots.items())
        ],
        "window_periods": periods,
        "period_days": 7,
        "projection": {
            "unit": "units",
            "period_days": 7,
            "periods": [(start + timedelta(days=7 * t)).date().isoformat() for t in range(1, periods + 1)],
            "with_action": with_,
            "without_action": without,
        },
    }


def _candidates(ws: Workspace) -> list[dict[str, Any]]:
    frames = ws.current_frames()
    item_locs, items, lanes = frames[TableName.ITEM_LOCATIONS], frames[TableName.ITEMS], frames[TableName.LANES]
    suppliers = set(frames[TableName.SUPPLIERS]["supplier_id"].astype(str)) if TableName.SUPPLIERS in frames else set()
    demand = frames.get(TableName.DEMAND)
    inventory = frames.get(TableName.INVENTORY)
    stats: dict[tuple[str, str], tuple[float, float]] = {}
    if demand is not None:
        recent = demand[demand["period_start"] >= demand["period_start"].max() - pd.Timedelta(weeks=12)]
        grouped = recent.groupby(["item_id", "location_id"], observed=True)["qty"]
        for (i, loc), mean in grouped.mean().items():
            stats[(str(i), str(loc))] = (float(mean), float(grouped.get_group((i, loc)).std(ddof=0) or 0.0))
    stock: dict[tuple[str, str], float] = {}
    if inventory is not None:
        latest = inventory.sort_values("counted_at").groupby(["item_id", "location_id"], observed=True).tail(1)
        stock = {(str(r["item_id"]), str(r["location_id"])): float(r["on_hand"]) for r in latest.to_dict("records")}
    cost = {str(r["item_id"]): float(r["unit_cost"]) for r in items.to_dict("records")}
    inbound = lanes[lanes["origin_id"].astype(str).isin(suppliers)] if suppliers else lanes
    out = []
    for r in item_locs.to_dict("records"):
        item, loc = str(r["item_id"]), str(r["location_id"])
        served = inbound[inbound["destination_id"].astype(str) == loc].sort_values(["transit_days", "lane_id"])
        if served.empty:
            continue
        lane = served.iloc[-1]  # the slowest, cheapest: ocean where there is one
        mean, sd = stats.get((item, loc), (10.0, 3.0))
        out.append(
            {
                "item": item,
                "location": loc,
                "lane": str(lane["lane_id"]),
                "origin": str(lane["origin_id"]),
                "mode": str(lane["mode"]),
                "transit_days": float(lane["transit_days"]),
                "mean": max(mean, 1.0),
                "sd": max(sd, 0.5),
                "on_hand": stock.get((item, loc), mean * 3),
                "unit_cost": cost.get(item, 1.0),
            }
        )
    return out


def sample_plan(
    ws: Workspace, plan_id: str, created_at: datetime, *, limit: int | None = None, capital_scale: float = 1.0
) -> PlanRecord:
    """A plan with one order per item-location a supplier lane serves (ranked by value at risk)."""
    snapshots = {t.value: r.snapshot_sha256 for t, r in ws.current_imports().items()}
    cands = _candidates(ws)[:limit]
    recs = []
    for c in cands:
        qty = float(max(10, round(c["mean"] * 8)))
        capital = qty * c["unit_cost"] * capital_scale
        expl = explanation(
            item=c["item"], location=c["location"], qty=qty, lane=c["lane"], mode=c["mode"], origin=c["origin"],
            transit_days=c["transit_days"], on_hand=c["on_hand"], mean=c["mean"], sd=c["sd"],
            unit_cost=c["unit_cost"], margin=c["unit_cost"] * 0.6, start=created_at, snapshots=snapshots,
        )  # fmt: skip
        rec_id = "R-" + hashlib.sha256(f"{plan_id}:{c['item']}:{c['location']}".encode()).hexdigest()[:12]
        recs.append(
            RecommendationRecord(
                rec_id=rec_id,
                rank=0,
                action=Action(
                    kind=ActionKind.ORDER,
                    item_id=c["item"],
                    location_id=c["location"],
                    qty=qty,
                    origin_id=c["origin"],
                    lane_id=c["lane"],
                    mode=Mode(c["mode"]),
                ),
                expected_cost_base=float(expl["breakdown"]["total"]),
                cvar_base=float(expl["alternatives"][0]["cvar"]),
                stockout_probability=0.03,
                capital_base=round(capital, 2),
                explanation=expl,
            )
        )
    recs.sort(key=lambda r: (-r.explanation["alternatives"][1]["expected_cost"], r.rec_id))
    ranked = tuple(
        RecommendationRecord(
            r.rec_id,
            i + 1,
            r.action,
            r.expected_cost_base,
            r.cvar_base,
            r.stockout_probability,
            r.capital_base,
            r.explanation,
        )
        for i, r in enumerate(recs)
    )
    return PlanRecord(
        plan_id=plan_id,
        created_at=created_at,
        seed=20261125,
        scenario_count=500,
        horizon_periods=26,
        base_currency=ws.settings.workspace.base_currency,
        snapshots=snapshots,
        settings_digest=hashlib.sha256(b"sample-settings").hexdigest(),
        recommendations=ranked,
    )
