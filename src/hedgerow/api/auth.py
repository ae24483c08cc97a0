"""Who is calling: session sign-in (web), API keys (machines), CSRF tokens; sign-in throttling is the service's.

* **Session**: a signed cookie (Starlette's ``SessionMiddleware``: itsdangerous, HttpOnly, SameSite=Lax, Secure
  on remote servers) holding a random session id and the session's CSRF token. The ledger keeps the session (its
  id's SHA-256, user, expiry, revocation: :mod:`hedgerow.services.sessions`) and every request looks it up with its
  user, so signing out, expiry, a disabled user or a changed role take effect at once in every server process.
* **API key**: ``Authorization: Bearer hr_<key_id>_<secret>`` or ``X-API-Key: hr_...``. Checking a key costs an
  argon2id hash (tens of milliseconds, 64 MiB), so a verified key is remembered for :data:`API_KEY_CACHE_S`
  seconds under the SHA-256 of the key (the key itself is never kept); whether the key is still unrevoked and its
  user active, and the user's role, are still read from the ledger on every request.
* **CSRF**: a request authenticated by the session cookie that changes something (POST, PUT, PATCH, DELETE)
  must carry the session's token in the ``X-CSRF-Token`` header (htmx sends it) or a ``csrf_token`` form field.
  API-key requests carry no ambient credential and need none.
* **Throttling**: :func:`hedgerow.services.sessions.sign_in` counts failed sign-ins per user name and per client
  address in the ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request

from hedgerow.api.errors import CsrfFailed, NotAuthenticated
from hedgerow.decide.credentials import split_api_key
from hedgerow.errors import PermissionDenied
from hedgerow.services import sessions
from hedgerow.services.users import ActingUser, api_key_user, authenticate_api_key
from hedgerow.services.workspace import Workspace

SESSION_ID = "sid"
SESSION_CSRF = "csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
API_KEY_HEADER = "X-API-Key"
API_KEY_CACHE_S = 60.0
API_KEY_CACHE_SIZE = 10_000
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def api_key_of(request: Request) -> str | None:
    """The API key a request carries (``Authorization: Bearer`` or ``X-API-Key``), if any."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = request.headers.get(API_KEY_HEADER)
    return key.strip() if key and key.strip() else None


@dataclass
class ApiKeyCache:
    """Verified API keys: SHA-256 of the key → (key id, monotonic expiry). A hit still asks the ledger whether the
    key is revoked and its user active (:func:`hedgerow.services.users.api_key_user`), so a revocation is seen by
    the next request."""

    ttl_s: float = API_KEY_CACHE_S
    _entries: dict[str, tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def authenticate(self, ws: Workspace, key: str) -> ActingUser:
        """The active user of ``key``.

        Raises
        ------
        NotAuthenticated
            When the key is malformed, unknown, revoked or wrong, or its user is disabled.
        """
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(digest)
        if hit is not None and hit[1] > now:
            try:
                return api_key_user(ws, hit[0])
            except PermissionDenied:
                self.forget(digest)
                raise NotAuthenticated("invalid API key") from None
        try:
            user = authenticate_api_key(ws, key)
        except PermissionDenied:
            raise NotAuthenticated("invalid API key") from None
        key_id = split_api_key(key)
        assert key_id is not None  # authenticate_api_key refuses a malformed key
        with self._lock:
            if len(self._entries) > API_KEY_CACHE_SIZE:
                self._entries.clear()
            self._entries[digest] = (key_id, now + self.ttl_s)
        return user

    def forget(self, digest: str) -> None:
        """Drop one cached key."""
        with self._lock:
            self._entries.pop(digest, None)


def client_address(request: Request) -> str:
    """The peer address of the request (the proxy's, behind one)."""
    return request.client.host if request.client else "unknown"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def start_session(request: Request, signed: sessions.SignedIn) -> str:
    """Put a new session on this browser: its id and a new CSRF token (returned); whatever was there is dropped."""
    request.session.clear()
    request.session[SESSION_ID] = signed.session_id
    return csrf_token(request)


def end_session(request: Request, ws: Workspace, now: datetime) -> None:
    """Sign out: the session is revoked in the ledger (copies of the cookie die with it) and the cookie cleared."""
    session_id = request.session.get(SESSION_ID)
    if isinstance(session_id, str) and session_id:
        sessions.end_session(ws, session_id, now=now)
    request.session.clear()


def session_user(request: Request, ws: Workspace, now: datetime) -> ActingUser | None:
    """The user of this request's session, read from the ledger with their current role; None when there is no
    session or it is signed out, expired or its user disabled (the cookie is then cleared)."""
    session_id = request.session.get(SESSION_ID)
    if not isinstance(session_id, str) or not session_id:
        return None
    user = sessions.session_user(ws, session_id, now=now)
    if user is None:
        request.session.clear()
    return user


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing, cookie-authenticated request without the session's CSRF token.

    Raises
    ------
    CsrfFailed
        When the header and the form field are both missing or wrong.
    """
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise CsrfFailed("missing or wrong CSRF token: reload the page and try again")
