"""Workspaces are found from --workspace, then $HEDGEROW_WORKSPACE, then the current directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from hedgerow.errors import WorkspaceError
from hedgerow.services.workspace import find_workspace, init_workspace, migrate_workspace, open_workspace
from hedgerow.store import ledger


def test_precedence(tmp_path: Path) -> None:
    a, b, c = (init_workspace(tmp_path / n) for n in "abc")
    for ws in (a, b, c):
        ws.close()
    env = {"HEDGEROW_WORKSPACE": str(b.root)}
    assert find_workspace(a.root, env=env, cwd=c.root) == a.root
    assert find_workspace(None, env=env, cwd=c.root) == b.root
    assert find_workspace(None, env={}, cwd=c.root) == c.root
    with pytest.raises(WorkspaceError, match=r"from \$HEDGEROW_WORKSPACE\) is not a hedgerow workspace"):
        find_workspace(None, env={"HEDGEROW_WORKSPACE": str(tmp_path)}, cwd=c.root)


def test_init_refuses_existing_workspaces_and_non_empty_folders(tmp_path: Path) -> None:
    init_workspace(tmp_path / "ws").close()
    with pytest.raises(WorkspaceError, match="already a hedgerow workspace"):
        init_workspace(tmp_path / "ws")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    with pytest.raises(WorkspaceError, match="not empty; choose a new folder or pass --force"):
        init_workspace(other)
    init_workspace(other, force=True).close()


def test_password_in_ledger_url_is_not_written_to_the_config(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="carries a password"):
        init_workspace(tmp_path / "ws", ledger_url="postgresql+psycopg://u:secret@localhost/db")
    assert not (tmp_path / "ws" / "hedgerow.toml").exists()


def test_outdated_ledger_refuses_to_open_until_migrated(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ledger.downgrade(ws.engine)
    ws.close()
    with pytest.raises(Exception, match="run `hedgerow migrate`"):
        open_workspace(tmp_path / "ws")
    before, after = migrate_workspace(tmp_path / "ws")
    assert (before, after) == (None, ledger.head_revision())
    open_workspace(tmp_path / "ws").close()


@pytest.mark.postgres
def test_workspace_on_postgresql(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from hedgerow.domain.enums import TableName
    from hedgerow.services.importing import ImportSource, import_sources
    from tests.conftest import NETWORK

    ws = init_workspace(tmp_path / "ws", ledger_url=pg_url)
    try:
        assert ws.ledger_url == pg_url
        import_sources(
            ws, [ImportSource(NETWORK / "items.csv", TableName.ITEMS)], user="u", now=datetime(2026, 11, 25, tzinfo=UTC)
        )
        record = ws.current_imports()[TableName.ITEMS]
        assert record.rows == 4
        assert record.imported_at.tzinfo is not None
    finally:
        ws.close()
    monkeypatch.setenv("HEDGEROW_LEDGER_URL", pg_url)
    with open_workspace(tmp_path / "ws") as again:
        assert again.current_imports()[TableName.ITEMS].rows == 4
