"""Shared builders of small simulator inputs."""

from __future__ import annotations

import numpy as np
import pytest

from hedgerow.sim.history import Decision, HistoryView
from hedgerow.sim.inputs import SimInputs
from hedgerow.sim.synthetic import store_network


class RandomPolicy:
    """Orders random amounts on random lane options: exercises every path of the engine."""

    def __init__(self, seed: int, scale: float = 30.0) -> None:
        self.seed, self.scale = seed, scale
        self.rng = np.random.default_rng(seed)

    @property
    def name(self) -> str:
        return "random"

    def settings(self) -> dict[str, object]:
        return {"seed": self.seed}

    def reset(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    def decide(self, view: HistoryView) -> Decision:
        valid = view.nominal_lead >= 0
        qty = self.rng.exponential(self.scale, size=valid.shape) * (self.rng.random(valid.shape) < 0.6) * valid
        return Decision(qty=qty)


@pytest.fixture(scope="session")
def small_network() -> SimInputs:
    """12 items at 4 stores behind 2 DCs, 40 weeks of which 26 simulated."""
    return store_network(np.random.default_rng(11), n_items=12, n_stores=4, n_dcs=2, n_periods=40, start=14)
