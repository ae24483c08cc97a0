"""A workspace holding the simulator tests' network (enough weeks of demand to replay), for the sim job tests."""

from __future__ import annotations

from pathlib import Path

from hedgerow.domain.actions import Role
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.users import add_user, create_api_key
from hedgerow.services.workspace import init_workspace
from tests.sim.helpers import write_network_csvs

from .conftest import NOW, PASSWORD


def build_sim_workspace(base: Path, ledger_url: str | None = None) -> tuple[Path, dict[str, str]]:
    """The workspace at ``base / "ws"`` (its ledger at ``ledger_url`` when given) with users ada (admin) and vic
    (viewer); returns it and their API keys."""
    root = base / "ws"
    with init_workspace(root, ledger_url=ledger_url) as ws:
        add_user(ws, "ada", Role.ADMIN, password=PASSWORD, actor=None, now=NOW)
        add_user(ws, "vic", Role.VIEWER, password=PASSWORD, actor="ada", now=NOW)
        sources, _ = sources_from_folder(write_network_csvs(base / "csv"))
        import_sources(ws, sources, user="ada", now=NOW)
        keys = {u: create_api_key(ws, u, label="tests", actor=u, now=NOW)[1] for u in ("ada", "vic")}
    return root, keys
