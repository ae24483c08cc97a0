"""Admin pages: users (add, role, disable, password) and their API keys (issue, revoke, rotate).

Only admins see the Admin page (permission ``manage_users``); every change is made by the users service, which
checks the role again and writes the audit trail. A new key is shown once, on the page that issued it, and never
stored (the ledger keeps its argon2id hash); rotating a key issues a new one with the same label and revokes the
old one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from hedgerow.api.deps import StateDep
from hedgerow.decide.roles import Permission
from hedgerow.domain.actions import Role
from hedgerow.errors import HedgerowError, NotFound
from hedgerow.services import users as user_svc
from hedgerow.services.users import ActingUser
from hedgerow.web.pages import FormUser, PageUser, RenderDep, check, flash, redirect
from hedgerow.web.render import Renderer

router = APIRouter(include_in_schema=False)


def _admin(user: ActingUser) -> None:
    check(user, Permission.MANAGE_USERS, "manage users")


def _page(request: Request, user: ActingUser, state: StateDep, render: Renderer, new_key: dict[str, str] | None = None
          ) -> Response:  # fmt: skip
    people = user_svc.list_users(state.ws)
    keys = {u.name: user_svc.list_api_keys(state.ws, u.name, actor=user.name) for u in people}
    return render.page(
        request, "admin.html", user, people=people, keys=keys, roles=[r.value for r in Role], new_key=new_key
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, user: PageUser, state: StateDep, render: RenderDep) -> Response:
    """Users with their roles and API keys."""
    _admin(user)
    return _page(request, user, state, render)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise HedgerowError(f"role must be one of {allowed}, got {value!r}") from None


@router.post("/admin/users")
def add_user(
    request: Request,
    user: FormUser,
    state: StateDep,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = "viewer",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Add a user (with a password to sign in with, or none for a service that uses API keys)."""
    _admin(user)
    added = user_svc.add_user(
        state.ws, name.strip(), _role(role), password=password or None, actor=user.name, now=state.clock()
    )
    flash(request, f"user {added.name} added as {added.role.value}")
    return redirect("/admin")


@router.post("/admin/users/{name}/role")
def change_role(
    name: str, request: Request, user: FormUser, state: StateDep, role: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    """Change a user's role."""
    _admin(user)
    changed = user_svc.set_role(state.ws, name, _role(role), actor=user.name, now=state.clock())
    flash(request, f"{changed.name} is now {changed.role.value}")
    return redirect("/admin")


@router.post("/admin/users/{name}/disable")
def disable(name: str, request: Request, user: FormUser, state: StateDep) -> Response:
    """Disable a user: they can no longer sign in or act; their record stays."""
    _admin(user)
    user_svc.disable_user(state.ws, name, actor=user.name, now=state.clock())
    flash(request, f"{name} is disabled")
    return redirect("/admin")


@router.post("/admin/users/{name}/password")
def password(
    name: str,
    request: Request,
    user: FormUser,
    state: StateDep,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Set a user's password."""
    _admin(user)
    user_svc.set_password(state.ws, name, password, actor=user.name, now=state.clock())
    flash(request, f"password of {name} set")
    return redirect("/admin")


@router.post("/admin/users/{name}/keys", response_class=HTMLResponse)
def issue_key(
    name: str,
    request: Request,
    user: FormUser,
    state: StateDep,
    render: RenderDep,
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Issue an API key for a user; the answer shows it once (it is never stored, nor put in a cookie)."""
    _admin(user)
    key_id, key = user_svc.create_api_key(
        state.ws, name, label=label.strip() or "web", actor=user.name, now=state.clock()
    )
    return _page(request, user, state, render, {"user": name, "key_id": key_id, "key": key})


@router.post("/admin/keys/{key_id}/revoke")
def revoke_key(key_id: str, request: Request, user: FormUser, state: StateDep) -> Response:
    """Revoke an API key at once."""
    _admin(user)
    revoked = user_svc.revoke_api_key(state.ws, key_id, actor=user.name, now=state.clock())
    flash(request, f"API key {revoked.key_id} of {revoked.user} revoked")
    return redirect("/admin")


@router.post("/admin/keys/{key_id}/rotate", response_class=HTMLResponse)
def rotate_key(key_id: str, request: Request, user: FormUser, state: StateDep, render: RenderDep) -> Response:
    """Replace an API key: a new one with the same label first (shown once), then the old one revoked."""
    _admin(user)
    now = state.clock()
    old = next(
        (k for u in user_svc.list_users(state.ws) for k in user_svc.list_api_keys(state.ws, u.name, actor=user.name)
         if k.key_id == key_id and k.revoked_at is None),
        None,
    )  # fmt: skip
    if old is None:
        raise NotFound(f"no API key {key_id!r} in use: see the keys on the Admin page")
    new_id, key = user_svc.create_api_key(state.ws, old.user, label=old.label, actor=user.name, now=now)
    user_svc.revoke_api_key(state.ws, key_id, actor=user.name, now=now)
    return _page(request, user, state, render, {"user": old.user, "key_id": new_id, "key": key, "replaces": key_id})
