"""Who is calling: session sign-in (web), API keys (machines), CSRF tokens and sign-in throttling.

* **Session**: a signed cookie (Starlette's ``SessionMiddleware``: itsdangerous, HttpOnly, SameSite=Lax, Secure
  on remote servers) holding the user name and the session's CSRF token. Every request re-reads the user from
  the ledger, so a disabled user or a changed role takes effect at once.
* **API key**: ``Authorization: Bearer hr_<key_id>_<secret>`` or ``X-API-Key: hr_...``. Checking a key costs an
  argon2id hash (tens of milliseconds, 64 MiB), so a verified key is remembered for :data:`API_KEY_CACHE_S`
  seconds under the SHA-256 of the key (the key itself is never kept); the user's status and role are still
  re-read on every request.
* **CSRF**: a request authenticated by the session cookie that changes something (POST, PUT, PATCH, DELETE)
  must carry the session's token in the ``X-CSRF-Token`` header (htmx sends it) or a ``csrf_token`` form field.
  API-key requests carry no ambient credential and need none.
* **Throttling**: :class:`LoginThrottle` counts failed sign-ins per (user name, client address).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.requests import Request

from hedgerow.api.errors import CsrfFailed, NotAuthenticated, TooManyAttempts
from hedgerow.errors import PermissionDenied
from hedgerow.services.users import ActingUser, active_user, authenticate_api_key
from hedgerow.services.workspace import Workspace

SESSION_USER = "user"
SESSION_CSRF = "csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
API_KEY_HEADER = "X-API-Key"
API_KEY_CACHE_S = 60.0
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
    """Verified API keys: SHA-256 of the key → (user name, monotonic expiry)."""

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
                return active_user(ws, hit[0])
            except PermissionDenied:
                self.forget(digest)
                raise NotAuthenticated("invalid API key") from None
        try:
            user = authenticate_api_key(ws, key)
        except PermissionDenied:
            raise NotAuthenticated("invalid API key") from None
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[digest] = (user.name, now + self.ttl_s)
        return user

    def forget(self, digest: str) -> None:
        """Drop one cached key."""
        with self._lock:
            self._entries.pop(digest, None)


@dataclass
class LoginThrottle:
    """Failed sign-ins per (user name, client address) within a sliding window."""

    attempts: int
    window_s: float
    _failures: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, name: str, client: str) -> None:
        """Raise :class:`TooManyAttempts` while ``name`` from ``client`` has used up its attempts."""
        now = time.monotonic()
        with self._lock:
            times = self._failures.get((name, client))
            if times is None:
                return
            while times and times[0] <= now - self.window_s:
                times.popleft()
            if len(times) >= self.attempts:
                wait = int(times[0] + self.window_s - now) + 1
                raise TooManyAttempts(
                    f"too many failed sign-ins for {name!r} from this address; try again in {wait} s", wait
                )

    def failed(self, name: str, client: str) -> None:
        """Count one failed sign-in."""
        with self._lock:
            if len(self._failures) > 100_000:
                self._failures.clear()
            self._failures.setdefault((name, client), deque()).append(time.monotonic())

    def succeeded(self, name: str, client: str) -> None:
        """Forget the failures of a user who signed in."""
        with self._lock:
            self._failures.pop((name, client), None)


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


def start_session(request: Request, user: ActingUser) -> str:
    """Sign ``user`` in on this browser: a fresh session with a new CSRF token (returned)."""
    request.session.clear()
    request.session[SESSION_USER] = user.name
    return csrf_token(request)


def end_session(request: Request) -> None:
    """Sign out."""
    request.session.clear()


def session_user(request: Request, ws: Workspace) -> ActingUser | None:
    """The user signed in on this session, re-read from the ledger (None when none, or disabled since)."""
    name = request.session.get(SESSION_USER)
    if not isinstance(name, str) or not name:
        return None
    try:
        return active_user(ws, name)
    except PermissionDenied:
        end_session(request)
        return None


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
