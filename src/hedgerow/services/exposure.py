"""Exposure of a workspace: fit the supply model on the current tables and compute the outage exposure table.

Shared by `hedgerow exposure`, the REST API (a background job) and the web overview, so every interface shows
the same figures. The roll-ups by region, lane and currency add expected lost margin across the location ×
item-group rows of one failing element (they fail together, so means add); the 95 % tails are added too, which
gives an upper bound (CVaR is subadditive), labelled as such.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from typing import Any

import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.errors import SupplyInputError
from hedgerow.pipeline.chain import fit_plan_demand
from hedgerow.services.workspace import Workspace
from hedgerow.supply.exposure import ElementType
from hedgerow.supply.model import SupplyModel, fit_supply
from hedgerow.supply.reports import ExposureSettings, exposure_from_frames, exposure_rows_json


def fit_workspace_supply(ws: Workspace, now: datetime) -> tuple[SupplyModel, dict[TableName, pd.DataFrame]]:
    """The supply model fitted on the workspace's current tables as of ``now``, and those tables."""
    frames = ws.current_frames()
    settings = ws.settings
    model = fit_supply(
        frames,
        as_of=now.replace(tzinfo=None),
        base_currency=settings.workspace.base_currency,
        period_days=settings.workspace.period.days,
        stale_signal_days=settings.quality.stale_signal_days,
    )
    return model, frames


def compute_exposure(ws: Workspace, *, weeks: float, now: datetime) -> dict[str, Any]:
    """Exposure of every location and item group to an outage of ``weeks`` weeks, JSON-ready.

    Returns ``{"weeks", "base_currency", "rows", "landed_costs", "notes", "summary"}``; ``rows`` as
    :func:`~hedgerow.supply.reports.exposure_rows_json`, ``summary`` as :func:`summarise_exposure`.

    Raises
    ------
    SupplyInputError
        When the items or item_locations table is missing, or the supply inputs cannot support scenarios.
    """
    if not 0 < weeks <= 104:
        raise SupplyInputError(f"weeks must be in (0, 104], got {weeks}")
    model, frames = fit_workspace_supply(ws, now)
    settings = ws.settings
    missing = [t.value for t in (TableName.ITEMS, TableName.ITEM_LOCATIONS) if t not in frames]
    if missing:
        raise SupplyInputError(f"exposure needs the tables {', '.join(missing)}; import them first")
    il = frames[TableName.ITEM_LOCATIONS]
    pairs = list(zip(il["item_id"].astype(str), il["location_id"].astype(str), strict=True))
    # the demand engine's paths, as a plan would draw them (censoring, spike-or-shift, bundles pulled through)
    periods = max(1, math.ceil(weeks * 7 / settings.workspace.period.days))
    demand = fit_plan_demand(frames, settings, as_of=now.replace(tzinfo=None), item_locations=pairs, horizon=periods)
    result = exposure_from_frames(
        frames,
        model,
        demand,
        ExposureSettings(
            weeks=weeks,
            n_scenarios=settings.risk.scenarios,
            seed=settings.risk.seed,
            period_days=settings.workspace.period.days,
            cost_of_capital_per_year=settings.finance.cost_of_capital_per_year,
        ),
    )
    rows = exposure_rows_json(result.rows)
    locations = frames.get(TableName.LOCATIONS)
    regions = (
        {str(r["location_id"]): str(r["region"]) for r in locations.to_dict("records")}
        if locations is not None and "region" in locations.columns
        else {}
    )
    return {
        "weeks": weeks,
        "base_currency": model.base_currency,
        "rows": rows,
        "landed_costs": result.landed,
        "notes": list(model.notes()),
        "summary": summarise_exposure(rows, regions),
    }


def _rollup(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: {"expected": 0.0, "cvar95": 0.0, "single": 0.0})
    for r in rows:
        s = sums[str(r[key])]
        s["expected"] += float(r["expected_lost_margin"])
        s["cvar95"] += float(r["cvar95_lost_margin"])
        s["single"] += 1.0 if r["single_source"] else 0.0
    out = [
        {
            key: k,
            "expected_lost_margin": v["expected"],
            "cvar95_lost_margin_sum": v["cvar95"],
            "single_source_groups": int(v["single"]),
        }
        for k, v in sums.items()
    ]
    return sorted(out, key=lambda d: (-d["expected_lost_margin"], str(d[key])))


def summarise_exposure(rows: list[dict[str, Any]], regions: dict[str, str]) -> dict[str, Any]:
    """Roll exposure rows up by failing lane, by currency and by region.

    Parameters
    ----------
    rows:
        Rows as :func:`~hedgerow.supply.reports.exposure_rows_json` gives them (base currency).
    regions:
        location_id → region (locations without one count under their own id).

    Returns
    -------
    dict
        ``by_lane`` and ``by_currency``: per element, expected lost margin summed over the location × group rows
        (they fail together) and the sum of their 95 % tails (an upper bound of the joint tail);
        ``by_region``: per region, the element whose outage costs the region most in expectation
        (``worst_element_type``, ``worst_element_id``) and that loss.
    """
    lanes = [r for r in rows if r["element_type"] == ElementType.LANE.value]
    currencies = [r for r in rows if r["element_type"] == ElementType.CURRENCY.value]
    per_region_element: dict[tuple[str, str, str], float] = defaultdict(float)
    per_region_tail: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in rows:
        region = regions.get(str(r["location_id"]), str(r["location_id"]))
        k = (region, str(r["element_type"]), str(r["element_id"]))
        per_region_element[k] += float(r["expected_lost_margin"])
        per_region_tail[k] += float(r["cvar95_lost_margin"])
    worst: dict[str, tuple[float, str, str, float]] = {}
    for (region, etype, eid), value in per_region_element.items():
        best = worst.get(region)
        if best is None or (value, etype, eid) > (best[0], best[1], best[2]):
            worst[region] = (value, etype, eid, per_region_tail[(region, etype, eid)])
    by_region: list[dict[str, Any]] = [
        {
            "region": region,
            "worst_element_type": etype,
            "worst_element_id": eid,
            "expected_lost_margin": value,
            "cvar95_lost_margin_sum": tail,
        }
        for region, (value, etype, eid, tail) in worst.items()
    ]
    by_region.sort(key=lambda d: (-float(d["expected_lost_margin"]), str(d["region"])))
    return {
        "by_lane": [{"lane_id": d.pop("element_id"), **d} for d in _rollup(lanes, "element_id")],
        "by_currency": [{"currency": d.pop("element_id"), **d} for d in _rollup(currencies, "element_id")],
        "by_region": by_region,
    }
