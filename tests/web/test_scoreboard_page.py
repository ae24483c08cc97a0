"""The scoreboard page shows the holds in hindsight: each scored hold and what the kept buffers cost or saved."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from hedgerow.domain.actions import Role
from hedgerow.services.holds import release_hold
from hedgerow.services.importing import import_sources, sources_from_folder
from hedgerow.services.scoreboard import build_scoreboard
from hedgerow.services.users import add_user
from hedgerow.services.workspace import init_workspace

from ..api.conftest import PASSWORD, make_app
from ..decide.conftest import NETWORK
from ..decide.test_scoreboard import key_account_hold
from .test_pages import sign_in


def test_the_scoreboard_page_scores_a_hold(tmp_path: Path) -> None:
    made = datetime(2026, 11, 2, 9, tzinfo=UTC)
    root = tmp_path / "ws"
    with init_workspace(root) as ws:
        add_user(ws, "ada", Role.ADMIN, password=PASSWORD, actor=None, now=made)
        add_user(ws, "vic", Role.VIEWER, password=PASSWORD, actor="ada", now=made)
        sources, _ = sources_from_folder(NETWORK)
        import_sources(ws, sources, user="ada", now=datetime(2026, 11, 23, 9, tzinfo=UTC))
        hold = key_account_hold(ws, user="ada", qty=40, made=made)
        release_hold(ws, hold.hold_id, user="ada", now=datetime(2026, 11, 5, 9, tzinfo=UTC))
        board = build_scoreboard(ws)
    (scored,) = board.holds
    assert scored.carrying_base > 0
    with TestClient(make_app(root)) as client:
        sign_in(client, "vic")
        html = client.get("/scoreboard").text
    section = re.search(r'<section class="card" id="holds-hindsight">(.*?)</section>', html, re.S)
    assert section is not None
    verdict = "saved" if board.holds_value_base >= 0 else "cost"
    total = re.search(r'<p id="holds-total">(.*?)</p>', section.group(1), re.S)
    assert total is not None
    assert f"Kept buffers {verdict} <strong>{abs(board.holds_value_base):,.0f} USD</strong>" in total.group(1)
    assert f'<td>{hold.hold_id}</td><td>I1</td><td>LA</td><td>kim</td><td class="r">40</td>' in section.group(1)
