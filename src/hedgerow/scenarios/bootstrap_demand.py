"""A stand-in :class:`~hedgerow.scenarios.scenario_set.DemandPathSource`: resampled recent demand history.

Each period of a path is an independent draw from the item-location's last ``window`` periods of sales (an
i.i.d. bootstrap; Efron 1979). It ignores trend, seasonality and censoring, and is what ``hedgerow exposure``
uses until the demand engine provides real demand distributions; item-locations without history draw zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgerow.scenarios.rng import Stream, item_location_key, stream_rng
from hedgerow.scenarios.scenario_set import DemandBlock


@dataclass(frozen=True)
class BootstrapDemandSource:
    """Bootstrap of recent history per item-location (units per period)."""

    history: Mapping[tuple[str, str], np.ndarray]

    @classmethod
    def from_frame(cls, demand: pd.DataFrame | None, window: int = 52) -> BootstrapDemandSource:
        """From a contract ``demand`` frame: the last ``window`` periods of each item-location."""
        if demand is None or not len(demand):
            return cls({})
        ordered = demand.sort_values("period_start")
        hist: dict[tuple[str, str], np.ndarray] = {}
        for (item, loc), g in ordered.groupby(["item_id", "location_id"], observed=True, sort=True):
            hist[(str(item), str(loc))] = g["qty"].to_numpy(dtype=float)[-window:]
        return cls(hist)

    def sample_block(
        self,
        item_ids: tuple[str, ...],
        location_ids: tuple[str, ...],
        *,
        n_scenarios: int,
        horizon: int,
        seed: int,
    ) -> DemandBlock:
        """Draw paths [item-location, scenario, period] by resampling each item-location's history."""
        paths = np.zeros((len(item_ids), n_scenarios, horizon))
        for i, key in enumerate(zip(item_ids, location_ids, strict=True)):
            h = self.history.get(key)
            if h is None or not h.size:
                continue
            rng = stream_rng(seed, Stream.DEMAND, item_location_key(*key))
            paths[i] = h[rng.integers(0, h.size, size=(n_scenarios, horizon))]
        n = len(item_ids)
        return DemandBlock(item_ids, location_ids, paths, np.zeros(n), np.ones(n, dtype=bool))
