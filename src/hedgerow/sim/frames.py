"""From a workspace's tables to :class:`SimInputs`: a pure function of frames and settings.

How each input is read (every rule is stated in docs/simulator.md):

- **periods**: the grid of ``[workspace] period`` from the first to the last ``demand.period_start``; the last
  ``periods`` of them are simulated, the earlier ones are warm-up history;
- **item-locations, suppliers and who supplies whom**: the network of
  :func:`hedgerow.contract.network.network_from_frames` — the reader and sourcing rule ``hedgerow plan`` uses
  (:mod:`hedgerow.domain.network`) — with every (item, location) of the demand history kept: each item-location
  buys on its supplier lanes, or is replenished from its parent (its DC), which becomes an item-location too;
  lane options = its supply lanes, primary first. An item-location the rule leaves without a lane gets a default
  lane of ``default_lead_time_days`` at no cost (so the replay can run; the plan would report "no lane serves
  it");
- **lead times** per lane and period: the mean transit (delivered − shipped, days) of the lane's shipments that
  left in that period, where there are any; otherwise a draw from all of the lane's delivered transits (its
  history); otherwise its planned ``transit_days``; otherwise ``default_lead_time_days``. Draws come from
  ``stream_rng(seed, Stream.SIMULATION, lane_id)``;
- **FX**: the last ``fx_rates`` rate on or before each period start (the first known rate before that); the base
  currency is 1;
- **money**: ``unit_cost`` and lane costs in their currencies, ``unit_price`` in its currency (NaN for DCs);
  holding rate = the location's rate + ``[finance] cost_of_capital_per_year``; goodwill multiplier per item class
  from ``[service]``;
- **drivers**: numeric extra columns of ``demand`` (planned prices, promotion flags) as [il, T], known
  ``driver_lookahead`` periods ahead;
- **start stock**: :func:`~hedgerow.sim.inputs.neutral_initial_state` (the same for every policy);
- **signals**: the ``signals`` table as it is (every row, sorted by ``observed_at``); the replay shows each signal
  to a policy from its ``observed_at`` on (:mod:`hedgerow.sim.signals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgerow.config import Settings
from hedgerow.contract.network import network_from_frames
from hedgerow.contract.spec import TABLES
from hedgerow.domain.enums import Mode, TableName
from hedgerow.domain.network import Network
from hedgerow.errors import SimulationInputError
from hedgerow.scenarios.rng import Stream, stream_rng
from hedgerow.sim.inputs import SimInputs, lead_periods, neutral_initial_state
from hedgerow.sim.signals import ReplaySignals

DEFAULT_LANE_PREFIX = "default>"


@dataclass(frozen=True)
class FrameOptions:
    """Choices the tables do not make.

    Attributes
    ----------
    periods:
        Simulated periods (the last ones of the history); the rest is warm-up.
    min_warmup:
        Fewest warm-up periods accepted (policies need a trailing window).
    driver_lookahead:
        Periods ahead that planned driver values are known to policies.
    default_lead_time_days:
        Transit of a lane with no shipments and no ``transit_days``, and of the default lane, days.
    seed:
        Seed of the lead-time draws (``[risk] seed`` by default at the CLI).
    initial_cover_periods:
        Periods of recent mean demand on hand at the start.
    """

    periods: int = 52
    min_warmup: int = 8
    driver_lookahead: int = 4
    default_lead_time_days: float = 7.0
    seed: int = 0
    initial_cover_periods: float = 2.0


def _need(frames: Mapping[TableName, pd.DataFrame | None], table: TableName) -> pd.DataFrame:
    frame = frames.get(table)
    if frame is None or frame.empty:
        raise SimulationInputError(f"a backtest needs the {table.value} table; import it first (hedgerow import)")
    return frame


def _lane_table(network: Network, defaults: list[str], base_currency: str, options: FrameOptions) -> pd.DataFrame:
    """The network's lanes in order, then one default lane per location in ``defaults``."""
    records = [
        {
            "lane_id": lane.lane_id,
            "origin_id": lane.origin_id,
            "destination_id": lane.destination_id,
            "mode": lane.mode.value,
            "cost_per_unit": lane.cost_per_unit,
            "cost_currency": lane.cost_currency,
            "transit_days": lane.transit_days,
            "ports": ";".join(lane.ports) or None,
        }
        for lane in network.lanes
    ] + [
        {
            "lane_id": f"{DEFAULT_LANE_PREFIX}{loc}",
            "origin_id": "default",
            "destination_id": loc,
            "mode": Mode.TRUCK.value,
            "cost_per_unit": 0.0,
            "cost_currency": base_currency,
            "transit_days": options.default_lead_time_days,
            "ports": None,
        }
        for loc in defaults
    ]
    columns = ["lane_id", "origin_id", "destination_id", "mode", "cost_per_unit", "cost_currency", "transit_days"]
    return pd.DataFrame.from_records(records, columns=[*columns, "ports"])


def _lead_times(
    lanes: pd.DataFrame,
    shipments: pd.DataFrame | None,
    first: pd.Timestamp,
    n_periods: int,
    period_days: int,
    options: FrameOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Realised transit days [lane, T] and nominal transit [lane] (module docstring)."""
    n = len(lanes)
    realised = np.zeros((n, n_periods))
    nominal = np.zeros(n)
    history: dict[str, pd.DataFrame] = {}
    if shipments is not None and not shipments.empty:
        done = shipments.dropna(subset=["delivered_date"]).copy()
        done["days"] = (done["delivered_date"] - done["ship_date"]).dt.days.astype(float).clip(lower=0)
        done["period"] = ((done["ship_date"] - first).dt.days // period_days).astype(int)
        # one shipment may carry several items: count its transit once
        done = done.drop_duplicates(["shipment_id", "lane_id"])
        history = {str(k): g for k, g in done.groupby("lane_id")}
    for k, lane in enumerate(lanes.itertuples(index=False)):
        lane_id = str(lane.lane_id)
        planned = pd.to_numeric(pd.Series([lane.transit_days]), errors="coerce").iloc[0]
        past = history.get(lane_id)
        if past is not None and len(past):
            nominal[k] = float(planned) if pd.notna(planned) else float(past["days"].median())
            rng = stream_rng(options.seed, Stream.SIMULATION, lane_id)
            realised[k] = rng.choice(past["days"].to_numpy(), size=n_periods, replace=True)
            inside = past[(past["period"] >= 0) & (past["period"] < n_periods)]
            by_period = inside.groupby("period")["days"].mean()
            realised[k, by_period.index.to_numpy()] = by_period.to_numpy()
        else:
            nominal[k] = float(planned) if pd.notna(planned) else options.default_lead_time_days
            realised[k] = nominal[k]
    return realised, nominal


def _fx(fx_rates: pd.DataFrame | None, currencies: list[str], period_starts: pd.DatetimeIndex) -> np.ndarray:
    out = np.ones((len(currencies), len(period_starts)))
    for c, currency in enumerate(currencies[1:], start=1):
        rows = fx_rates[fx_rates["currency"] == currency] if fx_rates is not None else None
        if rows is None or rows.empty:
            raise SimulationInputError(
                f"currency {currency} is used by items, prices or lanes but fx_rates has no rate for it; import "
                f"its rates against the base currency {currencies[0]}"
            )
        series = rows.sort_values("date").set_index("date")["units_per_base"]
        series = series[~series.index.duplicated(keep="last")]
        aligned = series.reindex(series.index.union(period_starts)).ffill().bfill().reindex(period_starts)
        out[c] = aligned.to_numpy(dtype=np.float64)
    return out


def _recipes(bundles: pd.DataFrame | None, known_items: set[str]) -> dict[str, list[tuple[str, float]]]:
    """Bundle item → its (component, units per bundle); nested bundles and unknown items are refused."""
    if bundles is None or bundles.empty:
        return {}
    out: dict[str, list[tuple[str, float]]] = {}
    for b, c, q in zip(bundles["bundle_item_id"], bundles["component_item_id"], bundles["qty_per_bundle"], strict=True):
        out.setdefault(str(b), []).append((str(c), float(q)))
    nested = sorted({c for parts in out.values() for c, _ in parts} & set(out))
    if nested:
        raise SimulationInputError(
            f"bundles: {nested[0]} is both a bundle and a component; nested bundles are not simulated"
        )
    unknown = sorted(({c for parts in out.values() for c, _ in parts} | set(out)) - known_items)
    if unknown:
        raise SimulationInputError(f"bundles name items the items table lacks: {unknown[:5]}")
    return out


def inputs_from_frames(
    frames: Mapping[TableName, pd.DataFrame | None], settings: Settings, options: FrameOptions | None = None
) -> SimInputs:
    """Build the simulator's inputs from a workspace's current tables (module docstring).

    Raises
    ------
    SimulationInputError
        When a required table is missing, the history is shorter than ``periods + min_warmup``, or a currency
        has no FX rates.
    """
    opt = options or FrameOptions()
    demand = _need(frames, TableName.DEMAND)
    items = _need(frames, TableName.ITEMS).set_index("item_id")
    locations = _need(frames, TableName.LOCATIONS).set_index("location_id")
    item_locations = _need(frames, TableName.ITEM_LOCATIONS)
    period_days = settings.workspace.period.days
    base = settings.workspace.base_currency
    first = pd.Timestamp(demand["period_start"].min())
    offset = (demand["period_start"] - first).dt.days // period_days
    n_periods = int(offset.max()) + 1
    if n_periods < opt.periods + opt.min_warmup:
        raise SimulationInputError(
            f"a backtest of {opt.periods} periods needs at least {opt.periods + opt.min_warmup} periods of demand "
            f"history ({opt.min_warmup} of warm-up); the demand table spans {n_periods}. Pass fewer --periods."
        )
    start = n_periods - opt.periods
    period_starts = pd.DatetimeIndex([first + pd.Timedelta(days=period_days * k) for k in range(n_periods)])
    pairs = pd.concat(
        [item_locations[["item_id", "location_id"]], demand[["item_id", "location_id"]]]
    ).drop_duplicates()
    pairs = pairs.sort_values(["location_id", "item_id"], kind="stable")
    unknown_items = sorted(set(pairs["item_id"]) - set(items.index))
    unknown_locs = sorted(set(pairs["location_id"]) - set(locations.index))
    if unknown_items or unknown_locs:
        raise SimulationInputError(
            f"demand and item_locations name items or locations the items/locations tables lack: "
            f"items {unknown_items[:5]}, locations {unknown_locs[:5]}"
        )
    recipes = _recipes(frames.get(TableName.BUNDLES), set(map(str, items.index)))
    network = network_from_frames(
        frames,
        extra_pairs=[(str(i), str(loc)) for i, loc in zip(pairs["item_id"], pairs["location_id"], strict=True)],
    )
    keys = [il.key for il in network.item_locations]
    index = network.index
    defaults = sorted(
        {
            il.location_id
            for k, il in enumerate(network.item_locations)
            if not network.supply[k] and il.item_id not in recipes
        }
    )
    lanes = _lane_table(network, defaults, base, opt)
    lane_index = {str(lane_id): k for k, lane_id in enumerate(lanes["lane_id"])}
    options_of = [
        [lane_index[lane_id] for lane_id in network.supply[k]]
        or ([] if il.item_id in recipes else [lane_index[f"{DEFAULT_LANE_PREFIX}{il.location_id}"]])
        for k, il in enumerate(network.item_locations)
    ]
    bom = [(index[(b, loc)], index[(c, loc)], q) for b, loc in keys if b in recipes for c, q in recipes[b]]
    n = len(keys)
    item_arr = np.array([k[0] for k in keys], dtype=object)
    loc_arr = np.array([k[1] for k in keys], dtype=object)
    # demand and drivers [il, T]
    col = (demand["period_start"] - first).dt.days.to_numpy() // period_days
    row = np.array([index[(str(i), str(loc))] for i, loc in zip(demand["item_id"], demand["location_id"], strict=True)])
    dem = np.zeros((n, n_periods))
    np.add.at(dem, (row, col), demand["qty"].to_numpy(dtype=np.float64))
    declared = {c.name for c in TABLES[TableName.DEMAND].columns}
    drivers = {}
    for name in demand.columns:
        if name not in declared and pd.api.types.is_numeric_dtype(demand[name]):
            arr = np.zeros((n, n_periods))
            arr[row, col] = pd.to_numeric(demand[name], errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
            drivers[str(name)] = arr
    # money and currencies
    prices = item_locations.set_index(["item_id", "location_id"])
    price = np.array([float(prices["unit_price"].get((i, loc), np.nan)) for i, loc in keys])
    price_cur = [str(prices["price_currency"].get((i, loc), base)) for i, loc in keys]
    cost_cur = [str(items.at[i, "cost_currency"]) for i in item_arr]
    lane_cur = [str(c) for c in lanes["cost_currency"]]
    currencies = [base, *sorted(set(cost_cur + price_cur + lane_cur) - {base})]
    cindex = {c: k for k, c in enumerate(currencies)}
    fx = _fx(frames.get(TableName.FX_RATES), currencies, period_starts)
    klass = [str(items.at[i, "item_class"]) for i in item_arr]
    shipments = frames.get(TableName.SHIPMENTS)
    realised, nominal = _lead_times(lanes, shipments, first, n_periods, period_days, opt)
    width = max([1, *(len(o) for o in options_of)])
    lane_options = np.full((n, width), -1, dtype=np.int64)
    for k, opts in enumerate(options_of):
        lane_options[k, : len(opts)] = opts
    parent = np.array(network.parent, dtype=np.int64)
    bom_bundle = np.array([b for b, _c, _q in bom], dtype=np.int64)
    bom_component = np.array([c for _b, c, _q in bom], dtype=np.int64)
    bom_qty = np.array([q for _b, _c, q in bom], dtype=np.float64)
    oh0, pipe0 = neutral_initial_state(
        dem,
        parent,
        np.where(lane_options[:, 0] >= 0, lead_periods(nominal, period_days)[lane_options[:, 0]], 0),
        start,
        cover_periods=opt.initial_cover_periods,
        bom=(bom_bundle, bom_component, bom_qty),
    )
    countries = {str(k): str(v) for k, v in locations["country"].items()}
    signal_frame = frames.get(TableName.SIGNALS)
    signals = ReplaySignals(signal_frame) if signal_frame is not None and len(signal_frame) else ReplaySignals.empty()
    supplier_frame = frames.get(TableName.SUPPLIERS)
    if supplier_frame is not None:
        countries |= {
            str(k): str(v) for k, v in zip(supplier_frame["supplier_id"], supplier_frame["country"], strict=True)
        }
    return SimInputs(
        item_ids=tuple(item_arr),
        location_ids=tuple(loc_arr),
        item_class=tuple(klass),
        region=tuple(str(locations.at[loc, "region"]) for loc in loc_arr),
        period_starts=tuple(d.date() for d in period_starts),
        period_days=period_days,
        start=start,
        demand=dem,
        parent=parent,
        unit_cost=items["unit_cost"].reindex(item_arr).to_numpy(dtype=np.float64),
        cost_currency=np.array([cindex[c] for c in cost_cur], dtype=np.int64),
        unit_price=price,
        price_currency=np.array([cindex[c] for c in price_cur], dtype=np.int64),
        holding_rate_per_year=locations["holding_cost_rate_per_year"].reindex(loc_arr).to_numpy(dtype=np.float64)
        + settings.finance.cost_of_capital_per_year,
        goodwill_multiplier=np.array([settings.goodwill_multiplier(c) for c in klass]),
        lane_options=lane_options,
        lane_ids=tuple(str(v) for v in lanes["lane_id"]),
        lane_origin=tuple(str(v) for v in lanes["origin_id"]),
        lane_destination=tuple(str(v) for v in lanes["destination_id"]),
        lane_mode=tuple(str(v) for v in lanes["mode"]),
        lane_ports=tuple(tuple(p for p in str(v).split(";") if p) if pd.notna(v) else () for v in lanes["ports"]),
        lane_countries=tuple(
            (countries.get(str(o), ""), countries.get(str(d), ""))
            for o, d in zip(lanes["origin_id"], lanes["destination_id"], strict=True)
        ),
        lane_nominal_days=nominal,
        lane_lead_time_days=realised,
        lane_capacity_factor=np.ones((len(lanes), n_periods)),
        lane_cost_per_unit=lanes["cost_per_unit"].to_numpy(dtype=np.float64),
        lane_currency=np.array([cindex[c] for c in lane_cur], dtype=np.int64),
        currencies=tuple(currencies),
        fx_units_per_base=fx,
        initial_on_hand=oh0,
        initial_pipeline=pipe0,
        drivers=drivers,
        bom_bundle=bom_bundle,
        bom_component=bom_component,
        bom_qty=bom_qty,
        driver_lookahead=opt.driver_lookahead,
        signals=signals,
    )
