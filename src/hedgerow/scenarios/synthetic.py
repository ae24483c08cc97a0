"""A fast synthetic :class:`~hedgerow.scenarios.scenario_set.DemandPathSource` for tests and benchmarks.

Poisson demand with a per-item-location mean drawn from the item-location's own stream. It is *not* a
forecast: it exists so the scenario builder, the planner and the benchmarks can run before, and apart from,
the demand engine. Draws depend only on (seed, item-location), never on the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hedgerow.scenarios.rng import Stream, item_location_key, stream_rng
from hedgerow.scenarios.scenario_set import DemandBlock


@dataclass(frozen=True)
class PoissonDemandSource:
    """Poisson demand per period; each item-location's mean is Uniform(low, high) from its own stream.

    Attributes
    ----------
    mean_low, mean_high:
        Range of the mean demand per period, units.
    dtype:
        Float type of the paths (float32 halves memory in benchmarks).
    """

    mean_low: float = 1.0
    mean_high: float = 20.0
    dtype: str = "float64"

    def sample_block(
        self,
        item_ids: tuple[str, ...],
        location_ids: tuple[str, ...],
        *,
        n_scenarios: int,
        horizon: int,
        seed: int,
    ) -> DemandBlock:
        """Draw Poisson paths [item-location, scenario, period]."""
        paths = np.empty((len(item_ids), n_scenarios, horizon), dtype=self.dtype)
        for i, (item, loc) in enumerate(zip(item_ids, location_ids, strict=True)):
            rng = stream_rng(seed, Stream.DEMAND, item_location_key(item, loc))
            mean = rng.uniform(self.mean_low, self.mean_high)
            paths[i] = rng.poisson(mean, size=(n_scenarios, horizon))
        n = len(item_ids)
        return DemandBlock(item_ids, location_ids, paths, np.zeros(n), np.ones(n, dtype=bool))
