"""Dependencies of the routes, as ``Annotated`` aliases: the app state, the workspace, the clock, the current
user and one alias per permission (the role check every route declares)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from hedgerow.api.auth import ApiKeyCache, api_key_of, check_csrf, session_user
from hedgerow.api.config import Clock, ServerConfig
from hedgerow.api.errors import NotAuthenticated
from hedgerow.api.jobs import JobQueue
from hedgerow.decide.roles import Permission, require
from hedgerow.services.users import ActingUser
from hedgerow.services.workspace import Workspace


@dataclass
class AppState:
    """Everything a request handler may use, made once by :func:`hedgerow.api.create_app`."""

    ws: Workspace
    config: ServerConfig
    clock: Clock
    jobs: JobQueue
    api_keys: ApiKeyCache


async def get_state(request: Request) -> AppState:
    """The app's state (async: trivial dependencies stay on the event loop, no thread hop)."""
    state: AppState = request.app.state.hedgerow
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_workspace(state: StateDep) -> Workspace:
    """The served workspace."""
    return state.ws


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


async def get_now(state: StateDep) -> datetime:
    """The request's clock reading (``$HEDGEROW_NOW`` pins it)."""
    return state.clock()


NowDep = Annotated[datetime, Depends(get_now)]


def authenticated_user(request: Request, state: StateDep) -> ActingUser:
    """The caller: an API key's user, else the session's user.

    Raises
    ------
    NotAuthenticated
        When the request has neither (or a wrong API key).
    """
    key = api_key_of(request)
    if key is not None:
        request.state.auth = "api_key"
        return state.api_keys.authenticate(state.ws, key)
    user = session_user(request, state.ws, state.clock())
    if user is None:
        raise NotAuthenticated("sign in first (POST /api/session) or send an API key: Authorization: Bearer hr_...")
    request.state.auth = "session"
    return user


async def current_user(request: Request, user: Annotated[ActingUser, Depends(authenticated_user)]) -> ActingUser:
    """The caller, after the CSRF check of cookie-authenticated requests that change something."""
    if getattr(request.state, "auth", None) == "session":
        await check_csrf(request)
    return user


CurrentUser = Annotated[ActingUser, Depends(current_user)]

_WHAT: dict[Permission, str] = {
    Permission.READ: "read the ledger",
    Permission.RECORD_PLAN: "record plans or import data",
    Permission.DECIDE: "decide recommendations",
    Permission.DECIDE_ANY_SIZE: "decide recommendations of any size",
    Permission.MANAGE_HOLDS: "manage holds",
    Permission.EXPORT: "export or close actions",
    Permission.RECONCILE: "reconcile inventory",
    Permission.MANAGE_USERS: "manage users",
}


def requires(permission: Permission) -> Callable[[ActingUser], Coroutine[Any, Any, ActingUser]]:
    """A dependency that passes the current user on only when their role includes ``permission``."""

    async def check(user: CurrentUser) -> ActingUser:
        assert user.role is not None  # API users always have a role (no open mode over HTTP)
        require(user.name, user.role, permission, _WHAT[permission])
        return user

    check.__name__ = f"requires_{permission.value}"
    return check


Reader = Annotated[ActingUser, Depends(requires(Permission.READ))]
Decider = Annotated[ActingUser, Depends(requires(Permission.DECIDE))]
PlanRecorder = Annotated[ActingUser, Depends(requires(Permission.RECORD_PLAN))]
HoldManager = Annotated[ActingUser, Depends(requires(Permission.MANAGE_HOLDS))]
Exporter = Annotated[ActingUser, Depends(requires(Permission.EXPORT))]
Reconciler = Annotated[ActingUser, Depends(requires(Permission.RECONCILE))]
UserAdmin = Annotated[ActingUser, Depends(requires(Permission.MANAGE_USERS))]
