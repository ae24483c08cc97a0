"""Sign in and out, who am I, API keys (issue, list, revoke), users."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from hedgerow.api.auth import client_address, csrf_token, end_session, start_session
from hedgerow.api.deps import CurrentUser, Reader, StateDep, UserAdmin
from hedgerow.api.errors import ERROR_RESPONSES, ErrorBody, NotAuthenticated
from hedgerow.api.schemas import ApiKeyIn, ApiKeyInfo, ApiKeyOut, LoginIn, MeOut, UserOut
from hedgerow.decide.roles import ROLE_PERMISSIONS
from hedgerow.errors import PermissionDenied
from hedgerow.services import sessions
from hedgerow.services.users import ActingUser, create_api_key, list_api_keys, list_users, revoke_api_key

router = APIRouter(prefix="/api", tags=["session"], responses=ERROR_RESPONSES)


def me_of(user: ActingUser, auth: str, token: str | None) -> MeOut:
    """The ``/api/me`` body of a user."""
    assert user.role is not None
    return MeOut(
        user=user.name,
        role=user.role.value,
        permissions=sorted(p.value for p in ROLE_PERMISSIONS[user.role]),
        auth=auth,
        csrf_token=token,
    )


def sign_in(request: Request, state: StateDep, name: str, password: str) -> ActingUser:
    """Check a password (throttled per user name and per address, in the ledger) and start a session.

    Raises
    ------
    TooManyAttempts
        When the name or the address has used up its failed sign-ins (429 with Retry-After).
    NotAuthenticated
        When the name or the password is wrong.
    """
    try:
        signed = sessions.sign_in(
            state.ws,
            name,
            password,
            client=client_address(request),
            now=state.clock(),
            limits=state.config.sign_in_limits,
            max_age_s=state.config.session_max_age_s,
        )
    except PermissionDenied:
        raise NotAuthenticated("unknown user or wrong password") from None
    start_session(request, signed)
    return signed.user


@router.post(
    "/session",
    response_model=MeOut,
    responses={429: {"model": ErrorBody, "description": "Too many failed sign-ins; see Retry-After."}},
)
def login(body: LoginIn, request: Request, state: StateDep) -> MeOut:
    """Sign in with a password: sets the session cookie and returns the CSRF token for later changes."""
    user = sign_in(request, state, body.user, body.password)
    return me_of(user, "session", csrf_token(request))


@router.delete("/session", status_code=204)
def logout(request: Request, _user: CurrentUser, state: StateDep) -> Response:
    """Sign out: the session ends on the server (a copy of the cookie is refused from now on) and is cleared."""
    end_session(request, state.ws, state.clock())
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(request: Request, user: Reader) -> MeOut:
    """The calling user, their role and permissions (and the CSRF token of a session)."""
    auth = getattr(request.state, "auth", "session")
    return me_of(user, auth, csrf_token(request) if auth == "session" else None)


@router.post("/me/api-keys", response_model=ApiKeyOut, status_code=201)
def new_api_key(body: ApiKeyIn, user: Reader, state: StateDep) -> ApiKeyOut:
    """Issue an API key for the calling user. The key is shown in this response only; keep it safe."""
    key_id, key = create_api_key(state.ws, user.name, label=body.label, actor=user.name, now=state.clock())
    return ApiKeyOut(key_id=key_id, key=key, user=user.name, label=body.label)


@router.get("/users", response_model=list[UserOut])
def users(_admin: UserAdmin, state: StateDep) -> list[UserOut]:
    """Every ledger user (admins only)."""
    return [UserOut.model_validate(u.to_dict()) for u in list_users(state.ws)]


@router.get("/users/{name}/api-keys", response_model=list[ApiKeyInfo])
def api_keys(name: str, user: Reader, state: StateDep) -> list[ApiKeyInfo]:
    """The API keys of a user, revoked ones too (your own; admins anyone's): ids and labels, never the keys."""
    return [ApiKeyInfo.model_validate(k.to_dict()) for k in list_api_keys(state.ws, name, actor=user.name)]


@router.delete("/api-keys/{key_id}", response_model=ApiKeyInfo)
def revoke_key(key_id: str, user: Reader, state: StateDep) -> ApiKeyInfo:
    """Revoke an API key (your own; admins anyone's): refused from the next request on, by every server process.
    Revoking a revoked key changes nothing."""
    return ApiKeyInfo.model_validate(revoke_api_key(state.ws, key_id, actor=user.name, now=state.clock()).to_dict())
