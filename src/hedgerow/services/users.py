"""Ledger users, roles and API keys: add, list, change role, disable, issue keys, authenticate.

Bootstrap: a new workspace has no users; the first user added must be an admin and needs no acting user.
After that only admins manage users. Passwords and keys are stored as argon2id hashes and never logged or put
in audit payloads.

While the users table is empty the workspace is in *open mode*: automatic pipeline steps (recording a plan,
reconciling counts) run under any name; decisions, holds, exports and user management always need a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hedgerow.decide.auditchain import EventKind
from hedgerow.decide.credentials import (
    check_password_strength,
    hash_secret,
    new_api_key,
    split_api_key,
    verify_password,
    verify_secret,
)
from hedgerow.decide.roles import Permission, require
from hedgerow.domain.actions import Role
from hedgerow.errors import HedgerowError, NotFound, PermissionDenied
from hedgerow.services.audit import append_event, ledger_write
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import ApiKey, User, as_utc

#: Permissions an automatic step may use while the workspace has no users (open mode).
OPEN_MODE_PERMISSIONS = frozenset({Permission.RECORD_PLAN, Permission.RECONCILE})


@dataclass(frozen=True)
class ActingUser:
    """Who performs an action, with the role checked against the ledger (None in open mode)."""

    name: str
    role: Role | None

    @property
    def role_text(self) -> str:
        """The role as recorded with decisions (``open`` in open mode)."""
        return self.role.value if self.role else "open"


@dataclass(frozen=True)
class UserView:
    """A user as shown to people: no hash ever leaves the ledger."""

    name: str
    role: Role
    disabled: bool
    has_password: bool
    api_keys: int
    created_at: datetime
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "role": self.role.value,
            "disabled": self.disabled,
            "has_password": self.has_password,
            "api_keys": self.api_keys,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


def _user(session: Session, name: str) -> User:
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no ledger user named {name!r}; list them with `hedgerow users list`")
    return user


def user_count(session: Session) -> int:
    """How many users the ledger has (0: open mode)."""
    return int(session.execute(select(func.count()).select_from(User)).scalar_one())


def acting_user(session: Session, name: str, permission: Permission, what: str) -> ActingUser:
    """Resolve ``name`` to a ledger user allowed ``permission``.

    Raises
    ------
    PermissionDenied
        When the user is unknown, disabled, or their role lacks the permission.
    """
    user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    if user is None:
        if permission in OPEN_MODE_PERMISSIONS and user_count(session) == 0:
            return ActingUser(name=name, role=None)
        raise PermissionDenied(
            f"{name!r} is not a ledger user, so cannot {what}; give --user NAME (or set $HEDGEROW_USER) of an "
            "existing user, or ask an admin to run `hedgerow users add NAME --role ROLE`"
        )
    if user.disabled:
        raise PermissionDenied(f"user {name!r} is disabled and cannot {what}")
    role = Role(user.role)
    require(name, role, permission, what)
    return ActingUser(name=name, role=role)


def _check_name(name: str) -> None:
    if not name or name.strip() != name or len(name) > 200:
        raise HedgerowError(f"a user name must be 1–200 characters without leading or trailing spaces, got {name!r}")


def add_user(
    ws: Workspace, name: str, role: Role, *, password: str | None, actor: str | None, now: datetime
) -> UserView:
    """Add a user. The first user of a workspace must be an admin and needs no ``actor``.

    Raises
    ------
    PermissionDenied
        When the actor is not an admin (or, for the first user, the role is not admin).
    HedgerowError
        When the name is taken or invalid, or the password too weak.
    """
    _check_name(name)
    if password is not None:
        weak = check_password_strength(password)
        if weak:
            raise HedgerowError(weak)
    password_hash = hash_secret(password) if password is not None else None
    by = actor or name
    with ledger_write(ws, actor=by, at=now) as session:
        if user_count(session) == 0:
            if role is not Role.ADMIN:
                raise PermissionDenied(
                    f"the first user of a workspace must be an admin (--role admin), got role {role.value}"
                )
        else:
            if actor is None:
                raise PermissionDenied("adding a user needs an acting admin: give --user NAME")
            acting_user(session, actor, Permission.MANAGE_USERS, "manage users")
        if session.execute(select(User.id).where(User.name == name)).first() is not None:
            raise HedgerowError(f"a user named {name!r} already exists")
        user = User(
            name=name, role=role.value, password_hash=password_hash, disabled=False, created_at=now, created_by=by
        )
        session.add(user)
        append_event(
            session,
            kind=EventKind.USER,
            subject=name,
            payload={"action": "add", "role": role.value, "password_set": password is not None},
            actor=by,
            at=now,
            rows=[user],
        )
    return _view(user, 0)


def _view(user: User, keys: int) -> UserView:
    return UserView(
        name=user.name,
        role=Role(user.role),
        disabled=user.disabled,
        has_password=user.password_hash is not None,
        api_keys=keys,
        created_at=as_utc(user.created_at),
        created_by=user.created_by,
    )


def list_users(ws: Workspace) -> list[UserView]:
    """Every user, by name."""
    with ws.session() as session:
        users = session.execute(select(User).order_by(User.name)).scalars().all()
        counts = {
            int(user_id): int(n)
            for user_id, n in session.execute(
                select(ApiKey.user_id, func.count()).where(ApiKey.revoked_at.is_(None)).group_by(ApiKey.user_id)
            )
        }
    return [_view(u, int(counts.get(u.id, 0))) for u in users]


def _change(ws: Workspace, name: str, *, actor: str, now: datetime, changes: dict[str, Any]) -> UserView:
    with ledger_write(ws, actor=actor, at=now) as session:
        acting_user(session, actor, Permission.MANAGE_USERS, "manage users")
        user = _user(session, name)
        if user.name == actor and (
            changes.get("disabled") or changes.get("role", Role.ADMIN.value) != Role.ADMIN.value
        ):
            admins = session.execute(
                select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.disabled.is_(False))
            ).scalar_one()
            if admins <= 1:
                raise PermissionDenied(f"{actor!r} is the last active admin and cannot demote or disable themself")
        for key, value in changes.items():
            setattr(user, key, value)
        append_event(
            session,
            kind=EventKind.USER,
            subject=name,
            payload={"action": "change", **{k: v for k, v in changes.items() if k != "password_hash"}},
            actor=actor,
            at=now,
            rows=[user],
        )
    return _view(user, 0)


def set_role(ws: Workspace, name: str, role: Role, *, actor: str, now: datetime) -> UserView:
    """Change a user's role (admin only)."""
    return _change(ws, name, actor=actor, now=now, changes={"role": role.value})


def disable_user(ws: Workspace, name: str, *, actor: str, now: datetime) -> UserView:
    """Disable a user (admin only): they can no longer act; their past decisions stay on the record."""
    return _change(ws, name, actor=actor, now=now, changes={"disabled": True})


def set_password(ws: Workspace, name: str, password: str, *, actor: str, now: datetime) -> None:
    """Set a user's password (admins for anyone; a user for themself)."""
    weak = check_password_strength(password)
    if weak:
        raise HedgerowError(weak)
    password_hash = hash_secret(password)
    with ledger_write(ws, actor=actor, at=now) as session:
        if actor != name:
            acting_user(session, actor, Permission.MANAGE_USERS, "set another user's password")
        else:
            acting_user(session, actor, Permission.READ, "set their password")
        user = _user(session, name)
        user.password_hash = password_hash
        append_event(
            session,
            kind=EventKind.USER,
            subject=name,
            payload={"action": "password"},
            actor=actor,
            at=now,
            rows=[user],
        )


def create_api_key(ws: Workspace, name: str, *, label: str, actor: str, now: datetime) -> tuple[str, str]:
    """Issue an API key for ``name``; returns (key_id, full key). The full key is shown once and never stored."""
    key_id, key = new_api_key()
    key_hash = hash_secret(key)
    with ledger_write(ws, actor=actor, at=now) as session:
        if actor != name:
            acting_user(session, actor, Permission.MANAGE_USERS, "issue API keys for another user")
        else:
            acting_user(session, actor, Permission.READ, "issue an API key")
        user = _user(session, name)
        key_row = ApiKey(key_id=key_id, user_id=user.id, key_hash=key_hash, label=label, created_at=now)
        session.add(key_row)
        append_event(
            session,
            kind=EventKind.USER,
            subject=name,
            payload={"action": "api_key", "key_id": key_id, "label": label},
            actor=actor,
            at=now,
            rows=[key_row],
        )
    return key_id, key


@dataclass(frozen=True)
class ApiKeyView:
    """An API key as shown to people: its public id, label and dates, never the key or its hash."""

    key_id: str
    user: str
    label: str
    created_at: datetime
    revoked_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "key_id": self.key_id,
            "user": self.user,
            "label": self.label,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


def _key_view(key: ApiKey, user: str) -> ApiKeyView:
    return ApiKeyView(
        key_id=key.key_id,
        user=user,
        label=key.label,
        created_at=as_utc(key.created_at),
        revoked_at=as_utc(key.revoked_at) if key.revoked_at else None,
    )


def list_api_keys(ws: Workspace, name: str, *, actor: str) -> list[ApiKeyView]:
    """The API keys of ``name``, oldest first, revoked ones too (a user sees their own; admins anyone's)."""
    with ws.session() as session:
        if actor != name:
            acting_user(session, actor, Permission.MANAGE_USERS, "see another user's API keys")
        else:
            acting_user(session, actor, Permission.READ, "see their API keys")
        user = _user(session, name)
        keys = session.execute(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)).scalars().all()
    return [_key_view(k, name) for k in keys]


def revoke_api_key(ws: Workspace, key_id: str, *, actor: str, now: datetime) -> ApiKeyView:
    """Revoke an API key at once (its owner, or an admin for anyone's); revoking a revoked key changes nothing.

    Raises
    ------
    NotFound
        When no key has that id (or it is someone else's and the actor is not an admin: no key ids leak).
    """
    with ledger_write(ws, actor=actor, at=now) as session:
        acting = acting_user(session, actor, Permission.READ, "revoke API keys")
        row = session.execute(select(ApiKey).where(ApiKey.key_id == key_id)).scalar_one_or_none()
        owner = session.get(User, row.user_id) if row is not None else None
        if row is None or owner is None or (owner.name != actor and acting.role is not Role.ADMIN):
            raise NotFound(f"no API key {key_id!r} of yours; list them with `hedgerow users api-keys NAME`")
        if row.revoked_at is None:
            row.revoked_at = now
            append_event(
                session,
                kind=EventKind.USER,
                subject=owner.name,
                payload={"action": "revoke_api_key", "key_id": key_id},
                actor=actor,
                at=now,
                rows=[row],
            )
        return _key_view(row, owner.name)


def authenticate_api_key(ws: Workspace, key: str) -> ActingUser:
    """The active user an API key belongs to.

    Raises
    ------
    PermissionDenied
        When the key is malformed, unknown, revoked, wrong, or its user disabled (one message for all, so a
        caller learns nothing about which).
    """
    denied = PermissionDenied("invalid API key")
    key_id = split_api_key(key)
    if key_id is None:
        raise denied
    with ws.session() as session:
        row = session.execute(select(ApiKey).where(ApiKey.key_id == key_id)).scalar_one_or_none()
        if row is None or row.revoked_at is not None or not verify_secret(row.key_hash, key):
            raise denied
        user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise denied
    return ActingUser(name=user.name, role=Role(user.role))


def authenticate_password(ws: Workspace, name: str, password: str) -> ActingUser:
    """The active user ``name`` if ``password`` matches.

    Exactly one argon2id verification is made whatever the name (an unknown name, a disabled user or one without
    a password is checked against a dummy hash), so the time of the answer does not tell which names exist.

    Raises
    ------
    PermissionDenied
        When the user is unknown, disabled, has no password, or the password is wrong (one message for all).
    """
    with ws.session() as session:
        user = session.execute(select(User).where(User.name == name)).scalar_one_or_none()
    matches = verify_password(user.password_hash if user is not None else None, password)
    if user is None or user.disabled or not matches:
        raise PermissionDenied("unknown user or wrong password")
    return ActingUser(name=user.name, role=Role(user.role))


def api_key_user(ws: Workspace, key_id: str) -> ActingUser:
    """The active user of the API key ``key_id`` (already verified once) while the key is not revoked.

    The check a server makes on every request with a key it verified earlier: a plain row, no hash.

    Raises
    ------
    PermissionDenied
        When the key is unknown or revoked, or its user disabled.
    """
    with ws.engine.connect() as conn:  # a plain row: this runs on every API request
        row = conn.execute(
            select(User.name, User.role, User.disabled, ApiKey.revoked_at)
            .join(User, User.id == ApiKey.user_id)
            .where(ApiKey.key_id == key_id)
        ).first()
    if row is None or row.revoked_at is not None or row.disabled:
        raise PermissionDenied("invalid API key")
    return ActingUser(name=row.name, role=Role(row.role))
