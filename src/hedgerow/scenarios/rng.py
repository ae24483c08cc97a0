"""Random streams that do not depend on how work is split across workers.

Every random draw in hedgerow comes from a generator derived from the plan's seed, a :class:`Stream` naming
what is drawn, and a stable key (an item-location, a lane, a currency). The same (seed, stream, key) gives the
same numbers whether the series is computed alone, in a chunk of 1,000, in-process or on another machine —
which is what makes paths identical for 1 and N workers.
"""

from __future__ import annotations

import zlib
from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Independent families of random numbers. Values are part of the seed derivation: never renumber."""

    DEMAND = 1
    SHIFT = 2
    LEAD_TIME = 3
    DISRUPTION = 4
    FX = 5
    CAPACITY = 6
    IN_TRANSIT = 7
    SIMULATION = 8
    PLANNER = 9
    FREIGHT = 10


def stable_key(key: str) -> int:
    """A 32-bit integer from a text key, identical on every platform and Python run (CRC-32 of UTF-8)."""
    return zlib.crc32(key.encode("utf-8"))


def stream_rng(seed: int, stream: Stream, key: str = "") -> np.random.Generator:
    """The generator of one (seed, stream, key) triple.

    Parameters
    ----------
    seed:
        The plan's seed (hedgerow.toml ``[risk] seed``), a non-negative integer.
    stream:
        What is being drawn.
    key:
        What it is drawn for, e.g. ``"SKU-1@LOC-TYO"`` or a lane id; empty for draws shared by the whole set.
    """
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    return np.random.default_rng(np.random.SeedSequence([seed, int(stream), stable_key(key)]))


def item_location_key(item_id: str, location_id: str) -> str:
    """The key of an item-location in random streams and signal scopes: ``item_id@location_id``."""
    return f"{item_id}@{location_id}"
