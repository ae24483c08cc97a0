"""Drivers: the causes that move an action's value, ranked by how much of its value they explain.

For one action, ``v_s`` is what it saves in scenario ``s`` (cost of the item without it minus with it). A
driver is a feature of each scenario (a lane disrupted or not, demand over the window, an exchange rate); its
**impact** is the value that depends on it::

    binary feature b (e.g. lane disrupted):    impact = P(b) · (E[v | b] - E[v | not b])
    continuous feature z (e.g. demand):        impact = ½ · (E[v | z above median] - E[v | z below median])

so a driver with impact 0 does not change the action's value, and the sign says whether it raises it.
Labels are plain words built from the scenarios ("LA port congestion adds 9 days with 40 % probability").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.domain.network import OriginKind
from hedgerow.domain.plan import Driver, DriverKind
from hedgerow.explain.words import days, duration, percent, place, units
from hedgerow.plan.candidates import CandidateKind
from hedgerow.plan.model import PlanModel
from hedgerow.plan.problem import PlanningProblem
from hedgerow.scenarios.rng import item_location_key

#: Shift probabilities at or above this are named as demand shifts.
SHIFT_NAMED_FROM = 0.2


@dataclass(frozen=True)
class Feature:
    """A scenario feature behind a driver (binary features are 0/1)."""

    driver: Driver
    values: np.ndarray  # [S]
    binary: bool


def binary_impact(v: np.ndarray, b: np.ndarray, p: np.ndarray) -> float:
    """``P(b) (E[v|b] - E[v|not b])`` under scenario probabilities ``p``."""
    pb = float(p[b].sum())
    if pb <= 0 or pb >= 1:
        return 0.0
    return pb * (float(p[b] @ v[b]) / pb - float(p[~b] @ v[~b]) / (1 - pb))


def level_impact(v: np.ndarray, z: np.ndarray, p: np.ndarray) -> float:
    """``½ (E[v | z > median] - E[v | z <= median])``."""
    high = z > np.median(z)
    if not high.any() or high.all():
        return 0.0
    ph = float(p[high].sum())
    return 0.5 * (float(p[high] @ v[high]) / ph - float(p[~high] @ v[~high]) / (1 - ph))


def _lane_label(model: PlanModel, li: int) -> str:
    problem = model.problem
    lane = model.lanes.lanes[li]
    origin = (
        problem.origin_name(lane)
        if lane.origin_kind is OriginKind.LOCATION
        else problem.supplier_names.get(lane.origin_id, lane.origin_id)
    )
    ports = f" via {', '.join(lane.ports)}" if lane.ports else ""
    return f"{origin} → {place(problem, lane.destination_id)} {lane.mode.value}{ports}"


def lane_features(model: PlanModel, lanes: list[int], window: int) -> list[Feature]:
    """Disruption features of lanes: disrupted at some departure in ``[0, window)`` of each scenario."""
    sup = model.scenarios.supply
    p = model.scenario_weight
    out: list[Feature] = []
    for li in dict.fromkeys(lanes):
        lane = model.lanes.lanes[li]
        if lane.lane_id not in sup.lane_ids:
            continue
        k = sup.lane_ids.index(lane.lane_id)
        hit = np.asarray(np.asarray(sup.disrupted[k, :, : max(window, 1)]).any(axis=1), dtype=bool)
        prob = float(p[hit].sum())
        if prob <= 0:
            continue
        lead = np.asarray(sup.lead_time_days[k, :, 0], dtype=np.float64)
        extra = float(lead[hit].mean() - lead[~hit].mean()) if (~hit).any() else float(lead[hit].mean())
        label = f"{_lane_label(model, li)} disruption adds {days(max(extra, 0.0))} with {percent(prob)} probability"
        drv = Driver(DriverKind.LANE_DISRUPTION, lane.lane_id, label, prob, "probability", prob, 0.0)
        out.append(Feature(drv, hit.astype(np.float64), True))
    return out


def demand_feature(model: PlanModel, row: int, kind: DriverKind) -> Feature:
    """Demand over the row's window; named as a demand shift when the shift probability is material."""
    problem = model.problem
    w = int(model.window[row])
    z = model.demand[row, :, :w].sum(axis=1)
    loc = place(problem, model.il_locations[row])
    key = item_location_key(model.il_items[row], model.il_locations[row])
    shift = float(model.shift_probability[row])
    period_days = model.scenarios.period_days
    if kind is DriverKind.DEMAND_LEVEL and shift >= SHIFT_NAMED_FROM:
        label = f"{loc} demand-shift probability {percent(shift)}"
        drv = Driver(DriverKind.DEMAND_SHIFT, key, label, shift, "probability", shift, 0.0)
    else:
        lo, mid, hi = np.round(np.percentile(z, [10, 50, 90]))
        served = supplied_by(problem, model.il_items[row], model.il_locations[row])
        if served:  # a distribution centre: its demand is what the locations it supplies will draw
            label = (
                f"the {len(served)} location{'s' if len(served) > 1 else ''} {loc} supplies will draw "
                f"{units(mid)} over the next {duration(w, period_days)}, {units(lo)} to {units(hi)} in 8 of 10 "
                "scenarios"
            )
        else:
            label = (
                f"{loc} demand over the next {duration(w, period_days)}: {units(mid)} expected, "
                f"{units(lo)} to {units(hi)} in 8 of 10 scenarios"
            )
        drv = Driver(kind, key, label, float(z.mean()), f"units per {duration(w, period_days)}", None, 0.0)
    return Feature(drv, z, False)


def supplied_by(problem: PlanningProblem, item_id: str, location_id: str) -> tuple[str, ...]:
    """Locations a distribution centre (an item-location that sells nothing) replenishes with the item."""
    sells = next(
        (il.sells for il in problem.item_locations if (il.item_id, il.location_id) == (item_id, location_id)), True
    )
    if sells:
        return ()
    return tuple(sorted(loc for i, loc, p in problem.parents if i == item_id and p == location_id))


def shipment_features(model: PlanModel, row: int) -> list[Feature]:
    """Arrival spread of the open shipments to ``row``: late = later than the median arrival."""
    pl = model.pipeline
    out: list[Feature] = []
    pdays = model.scenarios.period_days
    for k in np.flatnonzero(pl.il == row):
        arr = pl.arrival[k].astype(np.float64)
        if np.ptp(arr) == 0:
            continue
        late = arr > np.median(arr)
        prob = float(model.scenario_weight[late].sum())
        label = (
            f"shipment {pl.shipment_ids[k]} ({units(pl.qty[k])}) arrives in {duration(np.median(arr), pdays)}, "
            f"later in {percent(prob)} of scenarios"
        )
        drv = Driver(DriverKind.SHIPMENT_DELAY, pl.shipment_ids[k], label, prob, "probability", prob, 0.0)
        out.append(Feature(drv, late.astype(np.float64), True))
    return out


def fx_features(model: PlanModel, j: int) -> list[Feature]:
    """Exchange rates of the action's purchase and of the destination's prices, when they move."""
    problem = model.problem
    c = model.candidates
    sup = model.scenarios.supply
    row = int(c.target[j])
    currencies = {problem.item(model.il_items[row]).cost_currency, model.price_currency[row]}
    out: list[Feature] = []
    w = int(model.window[row])
    for cur in sorted(currencies):
        if cur == problem.base_currency or cur not in sup.currencies:
            continue
        z = np.asarray(sup.fx_units_per_base[sup.currencies.index(cur), :, :w], dtype=np.float64).mean(axis=1)
        if np.ptp(z) <= 0:
            continue
        lo, hi = np.percentile(z, [10, 90])
        label = f"{cur} per {problem.base_currency} between {lo:.3g} and {hi:.3g} in 8 of 10 scenarios"
        drv = Driver(DriverKind.FX, cur, label, float(z.mean()), f"{cur} per {problem.base_currency}", None, 0.0)
        out.append(Feature(drv, z, False))
    return out


def bundle_driver(model: PlanModel, row: int, saved_bundle_margin: float) -> Driver | None:
    """The bundles a component completes, when part of its demand comes from them."""
    share = float(model.bundle_demand[row].sum() / max(model.demand[row].sum(), 1e-12))
    if share <= 0:
        return None
    problem = model.problem
    item = model.il_items[row]
    names = sorted({problem.item(b.bundle_item_id).name for b in problem.bundles if b.component_item_id == item})
    label = (
        f"{percent(share)} of {problem.item(item).name} demand at {place(problem, model.il_locations[row])} comes "
        f"from bundles ({', '.join(names)}); without it they cannot be sold"
    )
    key = item_location_key(item, model.il_locations[row])
    return Driver(DriverKind.BUNDLE, key, label, share, "share of demand", None, saved_bundle_margin)


def action_features(model: PlanModel, j: int) -> list[Feature]:
    """Every scenario feature that may drive candidate ``j``'s value."""
    c = model.candidates
    row = int(c.target[j])
    w = int(model.window[row])
    feats = [demand_feature(model, row, DriverKind.DEMAND_LEVEL)]
    lanes = [int(c.lane[j])]
    # lanes into the destination (their disruption is what a faster route or a transfer hedges)
    lanes += [li for li, lane in enumerate(model.lanes.lanes) if lane.destination_id == model.il_locations[row]]
    pl = model.pipeline
    lanes += [int(pl.lane_rows[k]) for k in np.flatnonzero(pl.il == row) if pl.lane_rows[k] >= 0]
    feats += lane_features(model, lanes, w)
    feats += shipment_features(model, row)
    if c.kind[j] == CandidateKind.TRANSFER and model.demand[int(c.source[j])].any():
        feats.append(demand_feature(model, int(c.source[j]), DriverKind.SOURCE_DEMAND))
    feats += fx_features(model, j)
    return feats


def rank_drivers(
    model: PlanModel, features: list[Feature], value: np.ndarray, extra: list[Driver], top: int = 5
) -> tuple[tuple[Driver, ...], list[Feature]]:
    """Drivers with their impact on ``value`` [S], largest first; also the features in the same order."""
    p = model.scenario_weight
    scored: list[tuple[float, Driver, Feature | None]] = []
    for f in features:
        imp = binary_impact(value, f.values > 0.5, p) if f.binary else level_impact(value, f.values, p)
        d = f.driver
        scored.append((abs(imp), Driver(d.kind, d.subject, d.label, d.value, d.unit, d.probability, imp), f))
    for d in extra:
        scored.append((abs(d.impact), d, None))
    scored.sort(key=lambda t: -t[0])
    drivers = tuple(d for _, d, _ in scored[:top])
    feats = [f for _, _, f in scored if f is not None]
    return drivers, feats
