"""A workspace holding the simulator tests' network (enough weeks of demand to replay), for the sim job tests."""

from __future__ import annotations

from pathlib import Path

from hedgerow.domain.actions import Role
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.users import add_user, create_api_key
from hedgerow.services.workspace import init_workspace
from tests.sim.helpers import write_network_csvs

from .conftest import NOW, PASSWORD


def build_sim_workspace(base: Path) -> tuple[Path, str]:
    """The workspace at ``base / "ws"`` with users ada (admin) and vic (viewer); returns it and vic's API key."""
    root = base / "ws"
    with init_workspace(root) as ws:
        add_user(ws, "ada", Role.ADMIN, password=PASSWORD, actor=None, now=NOW)
        add_user(ws, "vic", Role.VIEWER, password=PASSWORD, actor="ada", now=NOW)
        sources, _ = sources_from_folder(write_network_csvs(base / "csv"))
        import_sources(ws, sources, user="ada", now=NOW)
        key = create_api_key(ws, "vic", label="tests", actor="vic", now=NOW)[1]
    return root, key
