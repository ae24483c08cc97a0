"""Users and roles: bootstrap, admin-only management, hashed secrets that never reach the ledger in clear."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hedgerow.domain.actions import Role
from hedgerow.errors import HedgerowError, NotFound, PermissionDenied
from hedgerow.services.users import (
    add_user,
    authenticate_api_key,
    authenticate_password,
    create_api_key,
    disable_user,
    list_users,
    set_password,
    set_role,
)
from hedgerow.services.workspace import Workspace, init_workspace
from hedgerow.store.decide_models import ApiKey, AuditEvent, User

PASSWORD = "correct horse battery"


def test_bootstrap_first_user_must_be_admin(tmp_path: Path, now: datetime) -> None:
    with init_workspace(tmp_path / "w") as ws:
        with pytest.raises(PermissionDenied, match="first user of a workspace must be an admin"):
            add_user(ws, "pat", Role.PLANNER, password=None, actor=None, now=now)
        add_user(ws, "ada", Role.ADMIN, password=PASSWORD, actor=None, now=now)
        with pytest.raises(PermissionDenied, match="needs an acting admin"):
            add_user(ws, "pat", Role.PLANNER, password=None, actor=None, now=now)
        add_user(ws, "pat", Role.PLANNER, password=None, actor="ada", now=now)
        with pytest.raises(PermissionDenied, match="role planner, which may not manage users"):
            add_user(ws, "eve", Role.ADMIN, password=None, actor="pat", now=now)
        with pytest.raises(HedgerowError, match="already exists"):
            add_user(ws, "pat", Role.VIEWER, password=None, actor="ada", now=now)
        assert [(u.name, u.role) for u in list_users(ws)] == [("ada", Role.ADMIN), ("pat", Role.PLANNER)]


def test_secrets_are_hashed_and_never_stored_or_audited(ws: Workspace, now: datetime) -> None:
    set_password(ws, "pat", PASSWORD, actor="ada", now=now)
    key_id, key = create_api_key(ws, "pat", label="ci", actor="pat", now=now)
    with ws.session() as s:
        stored = s.execute(select(User.password_hash).where(User.name == "pat")).scalar_one()
        key_hash = s.execute(select(ApiKey.key_hash).where(ApiKey.key_id == key_id)).scalar_one()
        payloads = " ".join(s.execute(select(AuditEvent.payload)).scalars())
        dump = " ".join(
            str(v) for row in s.execute(text("SELECT * FROM users UNION ALL SELECT * FROM users")) for v in row
        )
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert key_hash.startswith("$argon2id$")
    for secret in (PASSWORD, key, key.split("_", 2)[2]):
        assert secret not in stored + key_hash + payloads + dump
    assert authenticate_password(ws, "pat", PASSWORD).role is Role.PLANNER
    assert authenticate_api_key(ws, key).name == "pat"
    for bad in ("wrong password!", PASSWORD + "x"):
        with pytest.raises(PermissionDenied, match="unknown user or wrong password"):
            authenticate_password(ws, "pat", bad)
    for bad_key in (
        key[:-1] + ("A" if key[-1] != "A" else "B"),
        "hr_nothing",
        "garbage",
        key.replace(key_id, "0" * 12),
    ):
        with pytest.raises(PermissionDenied, match="invalid API key"):
            authenticate_api_key(ws, bad_key)


def test_weak_password_refused(ws: Workspace, now: datetime) -> None:
    with pytest.raises(HedgerowError, match="at least 10 characters"):
        set_password(ws, "pat", "short", actor="ada", now=now)


def test_role_change_and_disable(ws: Workspace, now: datetime) -> None:
    assert set_role(ws, "pat", Role.APPROVER, actor="ada", now=now).role is Role.APPROVER
    with pytest.raises(PermissionDenied, match="may not manage users"):
        set_role(ws, "vic", Role.ADMIN, actor="vic", now=now)
    disable_user(ws, "pat", actor="ada", now=now)
    with pytest.raises(PermissionDenied, match="last active admin"):
        disable_user(ws, "ada", actor="ada", now=now)
    with pytest.raises(NotFound, match="no ledger user named 'nobody'"):
        set_role(ws, "nobody", Role.VIEWER, actor="ada", now=now)
    views = {u.name: u for u in list_users(ws)}
    assert views["pat"].disabled
    assert not views["ada"].disabled
    set_password(ws, "pat", PASSWORD, actor="ada", now=now)
    with pytest.raises(PermissionDenied):
        authenticate_password(ws, "pat", PASSWORD)


def test_every_sign_in_verifies_one_hash_known_name_or_not(
    ws: Workspace, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No user enumeration by timing: an unknown name costs the same argon2 verification as a known one."""
    from argon2 import PasswordHasher

    set_password(ws, "pat", PASSWORD, actor="ada", now=now)
    set_password(ws, "vic", PASSWORD, actor="ada", now=now)
    disable_user(ws, "vic", actor="ada", now=now)
    calls: list[str] = []
    verify = PasswordHasher.verify

    def spy(self: PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        calls.append(str(hash)[:9])
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    for name, password in (("nobody", PASSWORD), ("pat", "wrong password!"), ("vic", PASSWORD), ("alex", PASSWORD)):
        calls.clear()
        with pytest.raises(PermissionDenied, match=r"^unknown user or wrong password$"):
            authenticate_password(ws, name, password)
        assert calls == ["$argon2id"], name
    calls.clear()
    assert authenticate_password(ws, "pat", PASSWORD).name == "pat"
    assert calls == ["$argon2id"]


def test_the_dummy_hash_costs_what_a_real_one_does() -> None:
    from hedgerow.decide.credentials import _HASHER, DUMMY_HASH

    assert DUMMY_HASH.startswith("$argon2id$")
    assert not _HASHER.check_needs_rehash(DUMMY_HASH)  # same parameters as every stored hash
