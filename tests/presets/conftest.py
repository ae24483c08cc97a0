"""Fixtures for the preset tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from preset_testing import ENV_SHARED_DATA, shared_data_root


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared data folder; fails (never skips) with a clear message when it is absent."""
    root = shared_data_root()
    if not root.is_dir():
        pytest.fail(f"the shared data sets are not at {root}; set ${ENV_SHARED_DATA} to their folder")
    return root
