"""The demo's signals feed: what a planner's news, port and social-media feeds reported up to the as-of date.

* weekly port-congestion readings (vessels waiting at anchor) for every tracked port over the whole history,
  each with the extra days it implies for ocean lanes through the port;
* a port strike: one in the past that happened, and a fresh announcement that may;
* a weather warning fitting the season: a typhoon off South China from June to October, otherwise a winter
  storm on the US East Coast;
* a war-risk insurance premium on the ocean lanes from Asia to northern Europe;
* a weak-yen FX warning for Japan;
* weekly social-media sentiment z-scores for a few item-locations (``item_id@location_id``), Tokyo first.

Every observation is at or before the as-of date; scopes only name ports, lanes, countries and item-locations
that exist in the network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from hedgerow.demo.catalog import Catalog
from hedgerow.demo.columns import text_column
from hedgerow.demo.demand import Assortment
from hedgerow.demo.market import PortCongestion
from hedgerow.demo.network import SUPPLIERS, Lane, Origin, Warehouse, Zone
from hedgerow.demo.templates import Category
from hedgerow.domain.enums import Mode, ScopeType, SignalKind

#: Weeks of sentiment readings per item-location, and how many item-locations have them.
SENTIMENT_WEEKS, SENTIMENT_SERIES = 8, 3


@dataclass(frozen=True)
class _Signal:
    kind: SignalKind
    scope_type: ScopeType
    scope_id: str | None
    value: float
    observed_at: pd.Timestamp
    source: str
    valid_until: pd.Timestamp | None = None
    probability: float | None = None
    delay_days: float | None = None
    note: str | None = field(default=None)


def _first(preferred: tuple[str, ...], available: set[str]) -> str | None:
    return next((p for p in preferred if p in available), min(available) if available else None)


def _events(
    catalog: Catalog,
    assortment: Assortment,
    sites: tuple[Warehouse, ...],
    lanes: tuple[Lane, ...],
    as_of: date,
    rng: np.random.Generator,
) -> list[_Signal]:
    now = pd.Timestamp(as_of)
    day, hour = pd.Timedelta(days=1), pd.Timedelta(hours=1)
    ports = {p for ln in lanes if ln.ports for p in ln.ports.split(";")}
    out: list[_Signal] = []
    strike_port = _first(("NLRTM", "USLAX"), ports)
    if strike_port is not None:
        past = now - 280 * day
        out.append(
            _Signal(SignalKind.STRIKE, ScopeType.PORT, strike_port, 1.0, past + 10 * hour, "news-desk",
                    valid_until=past + 9 * day, probability=1.0, delay_days=3.0,
                    note="48-hour strike by port workers; terminals closed")
        )  # fmt: skip
        out.append(
            _Signal(SignalKind.STRIKE, ScopeType.PORT, strike_port, 1.0, now - 2 * day + 9.5 * hour, "news-desk",
                    valid_until=now + 21 * day, probability=0.35, delay_days=4.0,
                    note="Union announced strike dates; talks continue")
        )  # fmt: skip
    typhoon_season = 6 <= as_of.month <= 10
    weather_port = _first(("CNYTN", "CNSHA") if typhoon_season else ("USNWK", "NLRTM"), ports)
    if weather_port is not None:
        out.append(
            _Signal(SignalKind.WEATHER, ScopeType.PORT, weather_port, 8.0 if typhoon_season else 30.0,
                    now - day + 6 * hour, "weather-service", valid_until=now + 5 * day, probability=0.5,
                    delay_days=3.0, note="Typhoon warning (signal no.)" if typhoon_season else "Winter storm (cm snow)")
        )  # fmt: skip
    europe = {s.location_id for s in sites if s.zone is Zone.NORTH_EUROPE}
    asia = {s.supplier_id for s in SUPPLIERS if s.origin is not Origin.GUADALAJARA}
    for ln in [ln for ln in lanes if ln.mode is Mode.OCEAN and ln.origin_id in asia and ln.destination_id in europe][
        :3
    ]:
        out.append(
            _Signal(SignalKind.INSURANCE_PREMIUM, ScopeType.LANE, ln.lane_id, 0.45, now - 5 * day + 14 * hour,
                    "marine-insurance-broker", valid_until=now + 60 * day, delay_days=10.0,
                    note="War-risk premium (% of cargo value) on Red Sea transits; carriers divert")
        )  # fmt: skip
    if any(s.country == "JP" for s in sites):
        out.append(
            _Signal(SignalKind.FX, ScopeType.COUNTRY, "JP", -1.8, now - 3 * day + 7 * hour, "treasury-desk",
                    valid_until=now + 30 * day, probability=0.25, note="Yen weakness (z-score); intervention risk")
        )  # fmt: skip
    out += _sentiment(catalog, assortment, sites, now, rng)
    return out


def _sentiment(
    catalog: Catalog, assortment: Assortment, sites: tuple[Warehouse, ...], now: pd.Timestamp, rng: np.random.Generator
) -> list[_Signal]:
    zone = np.array([s.zone.value for s in sites])[assortment.location]
    category = catalog.category[assortment.item]
    social = np.isin(category, [Category.AUDIO.value, Category.WEARABLES.value])
    rank = np.lexsort((assortment.item, ~social, zone != Zone.JAPAN.value))
    out: list[_Signal] = []
    for s in rank[:SENTIMENT_SERIES]:
        scope = f"{catalog.item_id[assortment.item[s]]}@{sites[assortment.location[s]].location_id}"
        walk = np.cumsum(rng.normal(0.0, 0.35, SENTIMENT_WEEKS))  # oldest reading first
        for k in range(SENTIMENT_WEEKS):
            value = round(float(walk[SENTIMENT_WEEKS - 1 - k]), 2)
            out.append(
                _Signal(
                    SignalKind.SENTIMENT,
                    ScopeType.ITEM_LOCATION,
                    scope,
                    value,
                    now - pd.Timedelta(days=7 * k, hours=16),
                    "social-listening",
                    note="Mentions vs 13-week baseline (z-score)",
                )
            )
    return out


def signals_frame(
    congestion: PortCongestion,
    week_starts: pd.DatetimeIndex,
    catalog: Catalog,
    assortment: Assortment,
    sites: tuple[Warehouse, ...],
    lanes: tuple[Lane, ...],
    as_of: date,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The ``signals`` table, sorted by observation time (signal ids follow that order).

    Parameters
    ----------
    congestion, week_starts:
        Weekly port congestion and the Mondays of its weeks; each week is reported on its Sunday at noon UTC.
    catalog, assortment, sites, lanes:
        The network the signals are scoped to.
    as_of:
        The demo's today; nothing is observed after it.
    rng:
        Source of the sentiment readings.
    """
    n_ports, n_weeks = congestion.vessels.shape
    observed = np.tile((week_starts + pd.Timedelta(days=6, hours=12)).to_numpy(), n_ports)
    readings = pd.DataFrame(
        {
            "kind": SignalKind.PORT_CONGESTION.value,
            "scope_type": ScopeType.PORT.value,
            "scope_id": np.repeat(congestion.ports, n_weeks),
            "value": congestion.vessels.ravel(),
            "observed_at": observed,
            "source": "port-congestion-feed",
            "valid_until": observed + np.timedelta64(7, "D"),
            "probability": np.nan,
            "delay_days": congestion.excess_delay_days.ravel(),
            "note": None,
        }
    )
    events = pd.DataFrame(
        [
            {
                "kind": e.kind.value,
                "scope_type": e.scope_type.value,
                "scope_id": e.scope_id,
                "value": e.value,
                "observed_at": e.observed_at,
                "source": e.source,
                "valid_until": e.valid_until,
                "probability": np.nan if e.probability is None else e.probability,
                "delay_days": np.nan if e.delay_days is None else e.delay_days,
                "note": e.note,
            }
            for e in _events(catalog, assortment, sites, lanes, as_of, rng)
        ]
    )
    frame = pd.concat([readings, events], ignore_index=True)
    frame = frame.sort_values(["observed_at", "kind", "scope_id"], kind="stable", ignore_index=True)
    for col in ("kind", "scope_type", "scope_id", "source", "note"):
        frame[col] = text_column(frame[col].to_numpy())
    for col in ("observed_at", "valid_until"):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    frame.insert(0, "signal_id", text_column([f"SIG-{k + 1:06d}" for k in range(len(frame))]))
    return frame
