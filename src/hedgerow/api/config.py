"""Configuration of the API and web server, checked so that unsafe setups are refused rather than run.

Process settings, not workspace settings: they come from ``hedgerow serve`` options and environment variables
(``HEDGEROW_SESSION_SECRET``, ``HEDGEROW_ENV=development``), never from hedgerow.toml, so a secret is never
written next to the data.

Rules (:meth:`ServerConfig.checked`):

* on a loopback address (127.0.0.0/8, ::1, localhost) without a session secret, a random one is made for the
  process: sign-ins last until the server restarts;
* any other address needs ``allow_remote`` (``--allow-remote``) **and** a session secret of at least 32
  characters, and session cookies are marked Secure (HTTPS only; put a TLS proxy in front) unless
  ``development`` is on.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from hedgerow.errors import ConfigError
from hedgerow.services.sessions import SignInLimits

ENV_SESSION_SECRET = "HEDGEROW_SESSION_SECRET"
ENV_MODE = "HEDGEROW_ENV"
ENV_NOW = "HEDGEROW_NOW"
MIN_SECRET_CHARS = 32

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware; ``$HEDGEROW_NOW`` (ISO 8601) pins it, as for the CLI.

    Raises
    ------
    ConfigError
        When ``$HEDGEROW_NOW`` is not an ISO 8601 time.
    """
    pinned = os.environ.get(ENV_NOW)
    if pinned:
        try:
            value = datetime.fromisoformat(pinned)
        except ValueError:
            raise ConfigError(
                f"${ENV_NOW} must be an ISO 8601 time such as 2026-11-23T09:00:00Z, got {pinned!r}"
            ) from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    """How the server runs.

    Attributes
    ----------
    host, port:
        Address to bind (default 127.0.0.1:8000).
    session_secret:
        Key that signs session cookies (``$HEDGEROW_SESSION_SECRET``); None: a random one per process
        (loopback only).
    allow_remote:
        Required to bind an address other than loopback.
    development:
        Development mode (``$HEDGEROW_ENV=development`` or ``--dev``): cookies without the Secure flag on a
        remote address.
    session_max_age_s:
        How long a sign-in lasts, seconds (the cookie's age and the ledger session's expiry); signing out ends
        it sooner.
    login_attempts:
        Failed sign-ins allowed for one user name, from any address, within ``login_window_s``; further attempts
        get 429 until the oldest counted one leaves the window (someone guessing one user's password).
    login_attempts_per_address:
        Failed sign-ins allowed from one client address, for any names, within ``login_window_s`` (someone trying
        one password on many names). Behind a proxy every client shares its address: raise it there.
    login_window_s:
        The sliding window of both sign-in limits, seconds.
    max_upload_bytes:
        Largest upload accepted by the import endpoint, bytes (all files together).
    max_validate_bytes:
        Largest file ``POST /api/validate`` checks, bytes: validation runs in the request (a worker thread, not
        the event loop), so it is kept small; bigger files are checked with ``hedgerow validate FILE``.
    web_workers:
        Web server processes sharing the port (``hedgerow serve --web-workers``).
    job_workers:
        Job worker processes ``hedgerow serve`` starts (``--job-workers``; 0: run ``hedgerow worker`` apart);
        each runs one job at a time.
    request_threads:
        Threads that run request handlers (the ledger services are synchronous).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    session_secret: str | None = None
    allow_remote: bool = False
    development: bool = False
    session_max_age_s: int = 12 * 3600
    login_attempts: int = 5
    login_attempts_per_address: int = 20
    login_window_s: int = 300
    max_upload_bytes: int = 512 * 1024 * 1024
    max_validate_bytes: int = 32 * 1024 * 1024
    web_workers: int = 1
    job_workers: int = 1
    request_threads: int = 4

    @property
    def secure_cookies(self) -> bool:
        """Whether session cookies carry the Secure flag (remote, outside development)."""
        return not is_loopback(self.host) and not self.development

    @property
    def sign_in_limits(self) -> SignInLimits:
        """The sign-in throttle's limits."""
        return SignInLimits(
            per_name=self.login_attempts, per_address=self.login_attempts_per_address, window_s=self.login_window_s
        )

    @classmethod
    def from_env(cls, **overrides: object) -> ServerConfig:
        """Defaults, then the environment (secret, development mode), then ``overrides``."""
        base = cls(
            session_secret=os.environ.get(ENV_SESSION_SECRET) or None,
            development=os.environ.get(ENV_MODE, "").lower() == "development",
        )
        return replace(base, **overrides)  # type: ignore[arg-type]

    def checked(self) -> ServerConfig:
        """This configuration with a session secret filled in, after refusing unsafe combinations.

        Raises
        ------
        ConfigError
            Naming what is unsafe and how to fix it.
        """
        if not 0 < self.port < 65536:
            raise ConfigError(f"port must be in 1..65535, got {self.port}")
        for name in ("login_attempts", "login_attempts_per_address", "login_window_s", "session_max_age_s"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.session_secret is not None and len(self.session_secret) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"${ENV_SESSION_SECRET} must be at least {MIN_SECRET_CHARS} characters, got {len(self.session_secret)}"
            )
        if not is_loopback(self.host):
            if not self.allow_remote:
                raise ConfigError(
                    f"binding {self.host} exposes the ledger beyond this machine; pass --allow-remote to do it on "
                    "purpose (and put a TLS proxy in front), or bind 127.0.0.1"
                )
            if self.session_secret is None:
                raise ConfigError(
                    f"a server on {self.host} needs a fixed session secret: set ${ENV_SESSION_SECRET} to "
                    f"{MIN_SECRET_CHARS}+ random characters (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
        if self.session_secret is None:
            return replace(self, session_secret=secrets.token_urlsafe(48))
        return self
