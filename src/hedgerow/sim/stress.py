"""The stress library: named shocks, each a pure transformation of :class:`SimInputs` that changes only what it
names.

| shock | changes | what |
|---|---|---|
| ``port_closure`` | ``lane_lead_time_days`` of lanes through the port | goods due while the port is closed arrive when it reopens |
| ``strike`` | ``lane_lead_time_days`` and ``lane_capacity_factor`` of inbound lanes into a country | goods shipped during the strike take ``delay_days`` longer and only ``1 − capacity_cut`` of each order ships |
| ``supplier_failure`` | ``lane_capacity_factor`` of the supplier's lanes | nothing ordered during the failure ships |
| ``demand_shift`` | ``demand`` of the scoped item-locations | a lasting level shift × ``factor`` from the start |
| ``fx_shock`` | ``fx_units_per_base`` of one currency | the currency gains ``change`` against the base from the start (its costs rise by that share in the base currency) |
| ``field_story`` | lead times, demand, FX | the correlated cascade of the field story: the busiest port closes; at every location something is fed through it, the bundles and the low-margin components they cannot be sold without (every item where there are no bundles) surge × ``surge`` for the closure and ``tail_weeks`` after; the foreign currency with the most purchase value gains ``fx_change`` |

Every shock starts at period ``start`` (default: one third into the simulated periods) and lasts ``weeks`` periods.
Two shocks can also *announce* themselves with a signal (off by default, which keeps ``signals`` unchanged):
``port_closure(announce=True)`` adds a ``port_congestion`` signal on the port (the closed lane where the network
lists no ports) with probability 1, the closure's length as ``delay_days`` and ``valid_until`` the reopening;
``demand_shift(sentiment_z=z)`` adds a ``sentiment`` signal of z-score ``z`` on every shifted item-location (the
viral post behind the shift). Both are observed at the decision moment of the shock's first period
(:mod:`hedgerow.sim.signals`), so a policy that reads signals learns of the shock as it starts, not before.
Targets left empty are chosen from the network, deterministically: the port, supplier or country carrying the
most customer demand, the foreign currency with the most purchase value. A shock that names something the network
lacks raises :class:`~hedgerow.errors.SimulationInputError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from hedgerow.domain.enums import ScopeType, SignalKind
from hedgerow.errors import SimulationInputError
from hedgerow.scenarios.rng import item_location_key
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.signals import ReplaySignals

#: ``source`` of the signals a shock announces itself with.
STRESS_SIGNAL_SOURCE = "hedgerow stress"


class StressName(StrEnum):
    """The named shocks of the stress library."""

    PORT_CLOSURE = "port_closure"
    STRIKE = "strike"
    SUPPLIER_FAILURE = "supplier_failure"
    DEMAND_SHIFT = "demand_shift"
    FX_SHOCK = "fx_shock"
    FIELD_STORY = "field_story"


@dataclass(frozen=True)
class AppliedShock:
    """A shock applied to a network.

    Attributes
    ----------
    name:
        The shock.
    inputs:
        The shocked inputs.
    changed:
        Names of the :class:`SimInputs` fields that differ from the original.
    target:
        What the shock hit, resolved (ports, lanes, supplier, currency, scope, window), for the report.
    """

    name: StressName
    inputs: SimInputs
    changed: tuple[str, ...]
    target: dict[str, object]


def _window(inputs: SimInputs, start: int | None, weeks: int) -> tuple[int, int]:
    first = inputs.start + inputs.n_simulated // 3 if start is None else start
    if not inputs.start <= first < inputs.n_periods:
        raise SimulationInputError(
            f"stress start must be a simulated period in [{inputs.start}, {inputs.n_periods}), got {first}"
        )
    if weeks < 1:
        raise SimulationInputError(f"stress weeks must be at least 1, got {weeks}")
    return first, min(first + weeks, inputs.n_periods)


def _lane_volume(inputs: SimInputs) -> np.ndarray:
    """[lane] customer demand (units) of the simulated periods that each lane ultimately feeds."""
    volume = inputs.demand[:, inputs.start :].sum(axis=1)
    root = np.arange(inputs.n_il)
    flow = np.zeros(len(inputs.lane_ids))
    while True:
        np.add.at(flow, inputs.lane_options[root, 0], volume)
        up = inputs.parent[root]
        if not np.any(up >= 0):
            return flow
        keep = up >= 0
        root, volume = up[keep], volume[keep]


def _inbound(inputs: SimInputs) -> np.ndarray:
    """[lane] True for lanes whose origin is a supplier (not a stocking location)."""
    locations = set(inputs.location_ids)
    return np.array([o not in locations for o in inputs.lane_origin], dtype=bool)


def _busiest(options: dict[str, np.ndarray], volume: np.ndarray, what: str) -> str:
    if not options:
        raise SimulationInputError(f"the network has no {what} to stress")
    return max(sorted(options), key=lambda key: float(volume[options[key]].sum()))


def _ports(inputs: SimInputs) -> dict[str, np.ndarray]:
    out: dict[str, list[int]] = {}
    for lane, ports in enumerate(inputs.lane_ports):
        for port in ports:
            out.setdefault(port, []).append(lane)
    return {k: np.array(v) for k, v in out.items()}


def _closure_lanes(inputs: SimInputs, port: str | None) -> tuple[np.ndarray, dict[str, object]]:
    ports = _ports(inputs)
    if port is not None:
        if port not in ports:
            known = ", ".join(sorted(ports)) or "none"
            raise SimulationInputError(f"port_closure: no lane passes through port {port!r}; ports: {known}")
        return ports[port], {"port": port}
    volume = _lane_volume(inputs)
    if ports:
        chosen = _busiest(ports, volume, "port")
        return ports[chosen], {"port": chosen}
    inbound = np.flatnonzero(_inbound(inputs))
    if not inbound.size:
        raise SimulationInputError("port_closure: the network has no ports and no supplier lanes to close")
    lane = inbound[np.argmax(volume[inbound])]
    return np.array([lane]), {"port": None, "note": "no lane lists ports: the busiest supplier lane is closed"}


def close_lanes(inputs: SimInputs, lanes: np.ndarray, first: int, end: int) -> np.ndarray:
    """Lead times [lane, T] after closing ``lanes`` from the start of ``first`` to the start of ``end``: goods
    that would arrive in between arrive at the reopening instead (days)."""
    lt = inputs.lane_lead_time_days.copy()
    pd = inputs.period_days
    depart = np.arange(inputs.n_periods)[None, :] * pd
    arrival = depart + lt[lanes]
    opens, closes = first * pd, end * pd
    blocked = (arrival >= opens) & (arrival < closes)
    lt[lanes] = np.where(blocked, closes - depart, lt[lanes])
    return lt


def _announced(inputs: SimInputs, records: list[dict[str, object]]) -> SimInputs:
    return replace(inputs, signals=inputs.signals.added(ReplaySignals.from_records(records)))


def port_closure(
    inputs: SimInputs, *, port: str | None = None, weeks: int = 6, start: int | None = None, announce: bool = False
) -> AppliedShock:
    """Close a port (default: the busiest) for ``weeks`` periods; with ``announce``, a congestion signal says so
    at the decision moment of the first closed period (module docstring)."""
    first, end = _window(inputs, start, weeks)
    lanes, target = _closure_lanes(inputs, port)
    shocked = replace(inputs, lane_lead_time_days=close_lanes(inputs, lanes, first, end))
    target |= {"lanes": [inputs.lane_ids[i] for i in lanes], "start": first, "end": end}
    changed: tuple[str, ...] = ("lane_lead_time_days",)
    if announce:
        closed = target.get("port")
        scope = (ScopeType.PORT.value, str(closed)) if closed else (ScopeType.LANE.value, inputs.lane_ids[lanes[0]])
        until = inputs.decision_moment(end) if end < inputs.n_periods else None
        record: dict[str, object] = {
            "signal_id": f"stress-port_closure-{first}",
            "kind": SignalKind.PORT_CONGESTION.value,
            "scope_type": scope[0],
            "scope_id": scope[1],
            "value": 0.0,
            "observed_at": inputs.decision_moment(first),
            "source": STRESS_SIGNAL_SOURCE,
            "valid_until": until,
            "probability": 1.0,
            "delay_days": float((end - first) * inputs.period_days),
        }
        shocked = _announced(shocked, [record])
        changed += ("signals",)
        target |= {"announced": record["signal_id"]}
    return AppliedShock(StressName.PORT_CLOSURE, shocked, changed, target)


def strike(
    inputs: SimInputs,
    *,
    country: str | None = None,
    weeks: int = 3,
    start: int | None = None,
    delay_days: float = 7.0,
    capacity_cut: float = 0.5,
) -> AppliedShock:
    """A strike in a country (default: the destination of the busiest inbound lanes) slows and thins its inbound
    lanes for ``weeks`` periods."""
    if not 0.0 <= capacity_cut <= 1.0 or delay_days < 0:
        raise SimulationInputError("strike: capacity_cut must lie in [0, 1] and delay_days be >= 0")
    first, end = _window(inputs, start, weeks)
    inbound = _inbound(inputs)
    by_country: dict[str, list[int]] = {}
    for lane in np.flatnonzero(inbound):
        for c in set(inputs.lane_countries[lane][1:]):
            by_country.setdefault(c, []).append(int(lane))
    options = {k: np.array(v) for k, v in by_country.items()}
    if country is None:
        country = _busiest(options, _lane_volume(inputs), "inbound lane")
    if country not in options:
        known = ", ".join(sorted(options)) or "none"
        raise SimulationInputError(f"strike: no inbound lane reaches country {country!r}; countries: {known}")
    lanes = options[country]
    lt = inputs.lane_lead_time_days.copy()
    cap = inputs.lane_capacity_factor.copy()
    lt[np.ix_(lanes, np.arange(first, end))] += delay_days
    cap[np.ix_(lanes, np.arange(first, end))] *= 1.0 - capacity_cut
    shocked = replace(inputs, lane_lead_time_days=lt, lane_capacity_factor=cap)
    target = {"country": country, "lanes": [inputs.lane_ids[i] for i in lanes], "start": first, "end": end}
    return AppliedShock(StressName.STRIKE, shocked, ("lane_lead_time_days", "lane_capacity_factor"), target)


def supplier_failure(
    inputs: SimInputs, *, supplier: str | None = None, weeks: int = 8, start: int | None = None
) -> AppliedShock:
    """A supplier (default: the one feeding the most demand) ships nothing ordered during ``weeks`` periods."""
    first, end = _window(inputs, start, weeks)
    inbound = _inbound(inputs)
    options: dict[str, list[int]] = {}
    for lane in np.flatnonzero(inbound):
        options.setdefault(inputs.lane_origin[lane], []).append(int(lane))
    arrays = {k: np.array(v) for k, v in options.items()}
    if supplier is None:
        supplier = _busiest(arrays, _lane_volume(inputs), "supplier")
    if supplier not in arrays:
        known = ", ".join(sorted(arrays)) or "none"
        raise SimulationInputError(f"supplier_failure: no lane leaves supplier {supplier!r}; suppliers: {known}")
    cap = inputs.lane_capacity_factor.copy()
    cap[np.ix_(arrays[supplier], np.arange(first, end))] = 0.0
    target = {"supplier": supplier, "lanes": [inputs.lane_ids[i] for i in arrays[supplier]], "start": first, "end": end}
    return AppliedShock(
        StressName.SUPPLIER_FAILURE, replace(inputs, lane_capacity_factor=cap), ("lane_capacity_factor",), target
    )


def _scope_rows(inputs: SimInputs, region: str | None, location: str | None, item: str | None) -> np.ndarray:
    rows = np.ones(inputs.n_il, dtype=bool)
    for values, wanted, what in (
        (inputs.region, region, "region"),
        (inputs.location_ids, location, "location"),
        (inputs.item_ids, item, "item"),
    ):
        if wanted is None:
            continue
        hit = np.asarray(values) == wanted
        if not hit.any():
            raise SimulationInputError(f"demand_shift: no item-location has {what} {wanted!r}")
        rows &= hit
    return np.flatnonzero(rows)


def demand_shift(
    inputs: SimInputs,
    *,
    factor: float = 1.3,
    start: int | None = None,
    region: str | None = None,
    location: str | None = None,
    item: str | None = None,
    sentiment_z: float | None = None,
) -> AppliedShock:
    """Customer demand of the scoped item-locations (default: all) × ``factor`` from ``start`` to the end; with
    ``sentiment_z``, a sentiment signal of that z-score on each of them at the decision moment of ``start``."""
    if factor < 0:
        raise SimulationInputError(f"demand_shift: factor must be >= 0, got {factor}")
    if sentiment_z is not None and not np.isfinite(sentiment_z):
        raise SimulationInputError(f"demand_shift: sentiment_z must be a finite z-score, got {sentiment_z}")
    first, _ = _window(inputs, start, 1)
    rows = _scope_rows(inputs, region, location, item)
    demand = inputs.demand.copy()
    demand[rows, first:] *= factor
    target: dict[str, object] = {"factor": factor, "region": region, "location": location, "item": item}
    target |= {"rows": int(rows.size), "start": first}
    shocked = replace(inputs, demand=demand)
    changed: tuple[str, ...] = ("demand",)
    if sentiment_z is not None:
        records: list[dict[str, object]] = [
            {
                "signal_id": f"stress-demand_shift-{first}-{r}",
                "kind": SignalKind.SENTIMENT.value,
                "scope_type": ScopeType.ITEM_LOCATION.value,
                "scope_id": item_location_key(inputs.item_ids[r], inputs.location_ids[r]),
                "value": float(sentiment_z),
                "observed_at": inputs.decision_moment(first),
                "source": STRESS_SIGNAL_SOURCE,
            }
            for r in rows
        ]
        shocked = _announced(shocked, records)
        changed += ("signals",)
        target |= {"sentiment_z": float(sentiment_z)}
    return AppliedShock(StressName.DEMAND_SHIFT, shocked, changed, target)


def _foreign_exposure(inputs: SimInputs) -> dict[str, float]:
    value = inputs.unit_cost * inputs.demand[:, inputs.start :].sum(axis=1)
    out: dict[str, float] = {}
    for cur_index, v in zip(inputs.cost_currency, value, strict=True):
        if cur_index != 0:
            out[inputs.currencies[cur_index]] = out.get(inputs.currencies[cur_index], 0.0) + float(v)
    return out


def fx_shock(
    inputs: SimInputs, *, currency: str | None = None, change: float = 0.15, start: int | None = None
) -> AppliedShock:
    """A currency (default: the foreign one with the most purchase value) gains ``change`` against the base."""
    if change <= -1.0:
        raise SimulationInputError(f"fx_shock: change must be > -1, got {change}")
    first, _ = _window(inputs, start, 1)
    if currency is None:
        exposure = _foreign_exposure(inputs) or {c: 0.0 for c in inputs.currencies[1:]}
        if not exposure:
            raise SimulationInputError("fx_shock: every figure is in the base currency; there is no FX to shock")
        currency = max(sorted(exposure), key=lambda c: exposure[c])
    if currency not in inputs.currencies[1:]:
        known = ", ".join(inputs.currencies[1:]) or "none"
        raise SimulationInputError(f"fx_shock: currency {currency!r} is not a foreign currency here; foreign: {known}")
    fx = inputs.fx_units_per_base.copy()
    fx[inputs.currencies.index(currency), first:] /= 1.0 + change
    target: dict[str, object] = {"currency": currency, "change": change, "start": first}
    return AppliedShock(StressName.FX_SHOCK, replace(inputs, fx_units_per_base=fx), ("fx_units_per_base",), target)


def _fed_through(inputs: SimInputs, lanes: np.ndarray) -> np.ndarray:
    """[il] True for item-locations whose supply chain passes through one of ``lanes``."""
    own = np.isin(inputs.lane_options[:, 0], lanes)
    hit = own.copy()
    node = np.arange(inputs.n_il)
    while True:
        up = inputs.parent[node]
        alive = up >= 0
        if not alive.any():
            return hit
        hit |= alive & own[np.maximum(up, 0)]
        node = np.where(alive, up, node)


def field_story(
    inputs: SimInputs,
    *,
    port: str | None = None,
    weeks: int = 4,
    start: int | None = None,
    surge: float = 1.5,
    tail_weeks: int = 4,
    fx_change: float = 0.10,
) -> AppliedShock:
    """The correlated cascade of the field story (see the module table)."""
    first, end = _window(inputs, start, weeks)
    lanes, target = _closure_lanes(inputs, port)
    lt = close_lanes(inputs, lanes, first, end)
    fed = _fed_through(inputs, lanes)
    hit_locations = sorted({inputs.location_ids[i] for i in np.flatnonzero(fed)})
    affected = np.isin(np.asarray(inputs.location_ids), hit_locations) & (inputs.demand.sum(axis=1) > 0)
    bundle_items = {inputs.item_ids[r] for r in np.concatenate([inputs.bom_bundle, inputs.bom_component])}
    if bundle_items:
        affected &= np.isin(np.asarray(inputs.item_ids), sorted(bundle_items))
    demand = inputs.demand.copy()
    surge_end = min(end + tail_weeks, inputs.n_periods)
    demand[np.flatnonzero(affected), first:surge_end] *= surge
    changed = ["lane_lead_time_days", "demand"]
    fx = inputs.fx_units_per_base
    currency = None
    exposure = _foreign_exposure(inputs)
    if exposure and fx_change:
        currency = max(sorted(exposure), key=lambda c: exposure[c])
        fx = fx.copy()
        fx[inputs.currencies.index(currency), first:] /= 1.0 + fx_change
        changed.append("fx_units_per_base")
    shocked = replace(inputs, lane_lead_time_days=lt, demand=demand, fx_units_per_base=fx)
    target |= {
        "lanes": [inputs.lane_ids[i] for i in lanes],
        "start": first,
        "end": end,
        "surge": surge,
        "surge_end": surge_end,
        "surged_item_locations": int(affected.sum()),
        "surge_scope": "bundles and their components" if bundle_items else "every item sold there",
        "surged_locations": hit_locations,
        "currency": currency,
        "fx_change": fx_change if currency else 0.0,
    }
    return AppliedShock(StressName.FIELD_STORY, shocked, tuple(changed), target)


#: Every named shock, by name; each takes the inputs and keyword settings.
SHOCKS: dict[StressName, Callable[..., AppliedShock]] = {
    StressName.PORT_CLOSURE: port_closure,
    StressName.STRIKE: strike,
    StressName.SUPPLIER_FAILURE: supplier_failure,
    StressName.DEMAND_SHIFT: demand_shift,
    StressName.FX_SHOCK: fx_shock,
    StressName.FIELD_STORY: field_story,
}


def apply_shock(inputs: SimInputs, name: str | StressName, **settings: object) -> AppliedShock:
    """Apply the named shock with its settings (unknown names and settings are reported with what is allowed)."""
    try:
        key = StressName(name)
    except ValueError:
        allowed = ", ".join(s.value for s in StressName)
        raise SimulationInputError(f"unknown stress {name!r}; the stress library has: {allowed}") from None
    try:
        return SHOCKS[key](inputs, **settings)
    except TypeError as exc:
        raise SimulationInputError(f"stress {key.value}: {exc}") from None


def describe(shock: AppliedShock) -> dict[str, object]:
    """The shock as plain data for reports."""
    return {"name": shock.name.value, "changed": list(shock.changed), **shock.target}
