"""Shared demo networks: the standard one (built once per session) and a small one for the costlier checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from hedgerow.contract.spec import TABLES
from hedgerow.contract.validate import TypedTable, validate_frame
from hedgerow.demo import DemoNetwork, DemoSpec, build_demo_network
from hedgerow.domain.enums import TableName

AS_OF = date(2026, 11, 23)  # a Monday
SEED = 20261123
SMALL = DemoSpec(n_items=60, n_locations=5, weeks=60, as_of=AS_OF)


def validate_all(network: DemoNetwork) -> dict[TableName, TypedTable]:
    """Every table of ``network`` validated as an import at ``as_of`` midnight UTC would validate it."""
    now = pd.Timestamp(network.spec.as_of, tz="UTC")
    out = {}
    for name, frame in network.tables.items():
        raw = frame.set_axis(pd.RangeIndex(1, len(frame) + 1))  # validate_frame wants 1-based row numbers
        out[name] = validate_frame(TABLES[name], raw, now=now)
    return out


@pytest.fixture(scope="session")
def as_of() -> date:
    """The demo's today in every test network."""
    return AS_OF


@pytest.fixture(scope="session")
def seed() -> int:
    """The seed of the ``standard`` and ``small`` networks."""
    return SEED


@pytest.fixture(scope="session")
def validate() -> Callable[[DemoNetwork], dict[TableName, TypedTable]]:
    """The function validating every table of a network."""
    return validate_all


@pytest.fixture(scope="session")
def standard() -> DemoNetwork:
    """The standard demo: 300 items, 5 warehouses, 156 weeks."""
    return build_demo_network(DemoSpec(as_of=AS_OF), np.random.default_rng(SEED))


@pytest.fixture(scope="session")
def validated(standard: DemoNetwork) -> dict[TableName, TypedTable]:
    """The standard demo's tables after contract validation."""
    return validate_all(standard)


@pytest.fixture(scope="session")
def small() -> DemoNetwork:
    """A small demo (60 items, 60 weeks)."""
    return build_demo_network(SMALL, np.random.default_rng(SEED))
