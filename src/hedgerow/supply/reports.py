"""Supply reports from a workspace's frames: the lead-time table and the exposure table (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hedgerow.domain.enums import TableName
from hedgerow.scenarios.scenario_set import DemandPathSource
from hedgerow.supply.exposure import ExposureRow, ItemLocationPosition, exposure_report
from hedgerow.supply.fx import FxSettings, sample_fx_paths
from hedgerow.supply.landed_cost import landed_costs, margin_paths, supply_routes
from hedgerow.supply.model import SupplyModel


def lead_time_report(model: SupplyModel) -> dict[str, Any]:
    """Per lane and per mode: median and p90 transit (days), late share, shipments behind it, source."""
    lanes = []
    for lane_id in model.network.lane_ids:
        fit = model.lead_times.lane(lane_id)
        lanes.append(
            {
                "lane_id": lane_id,
                "mode": fit.mode.value,
                "median_days": fit.median_days,
                "p90_days": fit.p90_days,
                "late_share": fit.late_share,
                "mean_delay_when_late_days": fit.mean_delay_when_late_days,
                "n_shipments": fit.n_shipments,
                "own_weight": fit.own_weight,
                "source": fit.source.value,
            }
        )
    modes = [{"mode": mode.value, **stats} for mode, stats in sorted(model.lead_times.mode_summary().items())]
    for m in modes:
        m["n_shipments"] = int(m["n_shipments"])
    return {
        "as_of": model.as_of.isoformat(),
        "lanes": lanes,
        "modes": modes,
        "excluded_rows": model.lead_times.excluded_rows,
        "open_shipments": len(model.open_shipments),
        "notes": list(model.notes()),
    }


def positions_from_frames(
    frames: Mapping[TableName, pd.DataFrame], model: SupplyModel, cost_of_capital_per_year: float
) -> list[ItemLocationPosition]:
    """Stock (latest count), inbound per lane (open shipments) and holding rate of every item-location."""
    items = frames[TableName.ITEMS]
    group = {str(r["item_id"]): str(r["item_class"]) for r in items.to_dict("records")}
    on_hand: dict[tuple[str, str], float] = {}
    inv = frames.get(TableName.INVENTORY)
    if inv is not None and len(inv):
        latest = inv.sort_values("counted_at").groupby(["item_id", "location_id"], observed=True).tail(1)
        on_hand = {(str(r["item_id"]), str(r["location_id"])): float(r["on_hand"]) for r in latest.to_dict("records")}
    inbound: dict[tuple[str, str], dict[str, float]] = {}
    ships = frames.get(TableName.SHIPMENTS)
    if ships is not None and len(ships):
        open_rows = ships[ships["delivered_date"].isna()]
        for r in open_rows.to_dict("records"):
            lane = model.network.lanes.get(str(r["lane_id"]))
            if lane is None:
                continue
            per_lane = inbound.setdefault((str(r["item_id"]), lane.destination_id), {})
            per_lane[lane.lane_id] = per_lane.get(lane.lane_id, 0.0) + float(r["qty"])
    rate: dict[str, float] = {}
    locs = frames.get(TableName.LOCATIONS)
    if locs is not None:
        rate = {str(r["location_id"]): float(r["holding_cost_rate_per_year"]) for r in locs.to_dict("records")}
    out = []
    for r in frames[TableName.ITEM_LOCATIONS].to_dict("records"):
        key = (str(r["item_id"]), str(r["location_id"]))
        out.append(
            ItemLocationPosition(
                item_id=key[0],
                location_id=key[1],
                item_group=group.get(key[0], ""),
                on_hand=on_hand.get(key, 0.0),
                inbound_by_lane=inbound.get(key, {}),
                holding_rate_per_year=rate.get(key[1], 0.0) + cost_of_capital_per_year,
            )
        )
    return out


@dataclass(frozen=True)
class ExposureSettings:
    """How ``hedgerow exposure`` draws its scenarios."""

    weeks: float
    n_scenarios: int
    seed: int
    period_days: int
    cost_of_capital_per_year: float
    fx: FxSettings = field(default_factory=FxSettings)


@dataclass(frozen=True)
class ExposureResult:
    """Exposure rows and the landed cost / margin of every item × location × lane behind them.

    ``landed`` rows hold spot figures in the base currency and the unit margin's 5th, 50th and 95th
    percentiles over the FX scenarios at the end of the outage window.
    """

    rows: list[ExposureRow]
    landed: list[dict[str, Any]]


def exposure_from_frames(
    frames: Mapping[TableName, pd.DataFrame],
    model: SupplyModel,
    demand_source: DemandPathSource,
    settings: ExposureSettings,
) -> ExposureResult:
    """Exposure rows of every location × item group from the workspace frames, with landed costs.

    The outage horizon is ``weeks`` (in periods of ``period_days``); demand comes from ``demand_source``
    and FX from the same bootstrap as the scenario set.
    """
    items, item_locs = frames[TableName.ITEMS], frames[TableName.ITEM_LOCATIONS]
    horizon = max(1, int(np.ceil(settings.weeks * 7 / settings.period_days)))
    spot = (
        {c: model.fx_history.spot(c) for c in model.currencies if c != model.base_currency} if model.fx_history else {}
    )
    routes = supply_routes(items, item_locs, model.network, frames.get(TableName.SHIPMENTS))
    costs = landed_costs(routes, items, item_locs, model.network, spot, model.base_currency)
    positions = positions_from_frames(frames, model, settings.cost_of_capital_per_year)
    keys = [(p.item_id, p.location_id) for p in positions]
    block = demand_source.sample_block(
        tuple(k[0] for k in keys),
        tuple(k[1] for k in keys),
        n_scenarios=settings.n_scenarios,
        horizon=horizon,
        seed=settings.seed,
    )
    demand = {k: block.paths[i] for i, k in enumerate(keys)}
    fx = sample_fx_paths(
        model.fx_history,
        model.currencies,
        model.base_currency,
        seed=settings.seed,
        n_scenarios=settings.n_scenarios,
        horizon=horizon,
        period_days=settings.period_days,
        settings=settings.fx,
    )
    landed = []
    for c in costs:
        q05, q50, q95 = np.quantile(margin_paths(c, model.currencies, fx, horizon - 1), [0.05, 0.5, 0.95])
        landed.append(
            {
                "item_id": c.item_id,
                "location_id": c.location_id,
                "lane_id": c.lane_id,
                "flow_share": c.share,
                "landed_cost_base": c.landed_base,
                "price_base": c.price_base,
                "margin_base": c.margin_base,
                "margin_p05_base": float(q05),
                "margin_p50_base": float(q50),
                "margin_p95_base": float(q95),
            }
        )
    rows = exposure_report(
        positions,
        costs,
        demand,
        model.network,
        weeks=settings.weeks,
        period_days=settings.period_days,
        currencies=model.currencies,
        fx=fx,
        base_currency=model.base_currency,
    )
    return ExposureResult(rows, landed)


def exposure_rows_json(rows: list[ExposureRow]) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (enums as values, tuples as lists)."""
    out = []
    for r in rows:
        d = asdict(r)
        d["element_type"] = r.element_type.value
        d["single_source_items"] = list(r.single_source_items)
        d["single_source"] = r.single_source
        out.append(d)
    return out
