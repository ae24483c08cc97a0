"""A small demo workspace (imported, not planned) with users, for the tests that plan through the API or a browser."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hedgerow.demo import DemoSpec
from hedgerow.domain.actions import Role
from hedgerow.services.demo import build_demo_workspace
from hedgerow.services.users import add_user, create_api_key

from .conftest import NOW, PASSWORD

AS_OF = date(2026, 11, 23)  # the Monday of NOW's week: the default as-of date of a plan made at NOW


def demo_with_users(root: Path) -> dict[str, str]:
    """A small demo workspace (imported, not planned) with an admin, a planner and a viewer; their API keys."""
    spec = DemoSpec(n_items=24, weeks=60, as_of=AS_OF)
    with build_demo_workspace(root, spec, seed=42, now=NOW, user="ada").workspace as ws:
        add_user(ws, "ada", Role.ADMIN, password=PASSWORD, actor=None, now=NOW)
        add_user(ws, "pat", Role.PLANNER, password=PASSWORD, actor="ada", now=NOW)
        add_user(ws, "vic", Role.VIEWER, password=PASSWORD, actor="ada", now=NOW)
        return {u: create_api_key(ws, u, label="tests", actor=u, now=NOW)[1] for u in ("pat", "vic")}
