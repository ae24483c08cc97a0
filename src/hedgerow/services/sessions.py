"""Signing in and out of the web server: sessions and the sign-in throttle, both kept in the ledger.

* **Sessions.** Signing in makes a random session id (the signed cookie carries it) and a ``web_sessions`` row
  holding only its SHA-256, the user, and when it was made, last seen and expires. Every request looks the row up
  with its user: a session counts only while it is not revoked, not expired and its user is active, and the role
  is the user's current one. Signing out sets ``revoked_at``, so a copy of the cookie taken before is worth
  nothing after, in every web server process.
* **Throttle.** Each failed sign-in is a ``sign_in_failures`` row (user name, client address, time). A sign-in is
  refused with :class:`~hedgerow.errors.TooManyAttempts` while the name has :attr:`SignInLimits.per_name` failures
  within the window (from any address: guessing one user's password from many machines), or the address has
  :attr:`SignInLimits.per_address` (from one machine: one password tried on many names). Being rows, they count
  across processes and restarts. An attempt is written as a failure *before* its password is checked and removed
  if it succeeds, so sign-ins made at once cannot all slip under a limit together.
* Every sign-in checks one argon2id hash, known name or not (:func:`hedgerow.services.users.authenticate_password`),
  so the time of the answer does not tell which names exist.

Rows are swept on each successful sign-in: sessions past their expiry, failures older than the window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.sql.elements import ColumnElement

from hedgerow.decide.credentials import new_session_id, session_digest
from hedgerow.domain.actions import Role
from hedgerow.errors import TooManyAttempts
from hedgerow.services.users import ActingUser, authenticate_password
from hedgerow.services.workspace import Workspace
from hedgerow.store.decide_models import User, as_utc
from hedgerow.store.session_models import CLIENT_CHARS, NAME_CHARS, SignInFailure, WebSession

#: A session's ``last_seen_at`` is written at most this often (seconds), not on every request.
SESSION_TOUCH_S = 60


@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins are allowed within ``window_s`` seconds before further ones are refused.

    Attributes
    ----------
    per_name:
        Failures for one user name, from any address.
    per_address:
        Failures from one client address, for any names.
    window_s:
        The sliding window, seconds; a refusal says how long until the oldest counted failure leaves it.
    """

    per_name: int
    per_address: int
    window_s: int


@dataclass(frozen=True)
class SignedIn:
    """A started session: its user and the session id to put in the (signed) cookie, never stored as is."""

    user: ActingUser
    session_id: str


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _wait_s(ws: Workspace, where: ColumnElement[bool], limit: int, since: datetime) -> int | None:
    """Seconds until fewer than ``limit`` failures matching ``where`` are left after ``since``; None when fewer now."""
    with ws.engine.connect() as conn:
        # the limit-th newest failure: once it leaves the window, one more attempt is allowed
        oldest_counted = conn.execute(
            select(SignInFailure.at)
            .where(where, SignInFailure.at > since)
            .order_by(SignInFailure.at.desc())
            .offset(limit - 1)
            .limit(1)
        ).scalar_one_or_none()
    if oldest_counted is None:
        return None
    return max(1, math.ceil((as_utc(oldest_counted) - since).total_seconds()))


def _check_throttle(ws: Workspace, name: str, client: str, *, at: datetime, limits: SignInLimits, own: int) -> None:
    """Refuse a sign-in while ``name`` or ``client`` has used up its failed attempts; ``own`` attempt rows of this
    very sign-in are already in the table (1 after :func:`_claim_attempt`, else 0) and do not count against it.

    Raises
    ------
    TooManyAttempts
        Naming the user name (or saying "this address"), the limit and the window, and the seconds to wait.
    """
    since = at - timedelta(seconds=limits.window_s)
    name_wait = _wait_s(ws, SignInFailure.user_name == name[:NAME_CHARS], limits.per_name + own, since)
    if name_wait is not None:
        raise TooManyAttempts(
            f"too many failed sign-ins for {name!r}: {limits.per_name} within {limits.window_s} s, the most "
            f"allowed; try again in {name_wait} s",
            name_wait,
        )
    client_wait = _wait_s(ws, SignInFailure.client == client[:CLIENT_CHARS], limits.per_address + own, since)
    if client_wait is not None:
        raise TooManyAttempts(
            f"too many failed sign-ins from this address: {limits.per_address} within {limits.window_s} s, the "
            f"most allowed; try again in {client_wait} s",
            client_wait,
        )


def _claim_attempt(ws: Workspace, name: str, client: str, *, at: datetime, limits: SignInLimits) -> None:
    """Count this sign-in as a failure before checking its password, then refuse it if that passes a limit.

    Counting first is what holds the limits under concurrent sign-ins: of several attempts made at once, each
    counts the others' rows along with its own, so no more than the limit ever reach the password check. The row
    stays when the password is wrong and goes when it is right (with the name's other failures from the address).

    Raises
    ------
    TooManyAttempts
        When this attempt passes a limit (its row is removed again).
    """
    with ws.session() as session, session.begin():
        row = SignInFailure(user_name=name[:NAME_CHARS], client=client[:CLIENT_CHARS], at=at)
        session.add(row)
    try:
        _check_throttle(ws, name, client, at=at, limits=limits, own=1)
    except TooManyAttempts:
        with ws.session() as session, session.begin():
            session.execute(delete(SignInFailure).where(SignInFailure.id == row.id))
        raise


def sign_in(
    ws: Workspace,
    name: str,
    password: str,
    *,
    client: str,
    now: datetime,
    limits: SignInLimits,
    max_age_s: int,
) -> SignedIn:
    """Check a password (throttled per name and per address) and start a session of ``max_age_s`` seconds.

    Raises
    ------
    TooManyAttempts
        When the name or the address has used up its failed attempts (the password is not checked then).
    PermissionDenied
        When the user is unknown or disabled or the password is wrong (one message for all); counted.
    """
    at = _utc(now)
    _check_throttle(ws, name, client, at=at, limits=limits, own=0)  # refused at once, without writing a row
    _claim_attempt(ws, name, client, at=at, limits=limits)
    user = authenticate_password(ws, name, password)  # PermissionDenied: the attempt's row stays, a failure
    session_id = new_session_id()
    with ws.session() as session, session.begin():
        session.execute(
            delete(SignInFailure).where(
                SignInFailure.user_name == name[:NAME_CHARS], SignInFailure.client == client[:CLIENT_CHARS]
            )
        )
        session.execute(delete(SignInFailure).where(SignInFailure.at <= at - timedelta(seconds=limits.window_s)))
        session.execute(delete(WebSession).where(WebSession.expires_at <= at))
        user_id = session.execute(select(User.id).where(User.name == user.name)).scalar_one()
        session.add(
            WebSession(
                id_sha256=session_digest(session_id),
                user_id=user_id,
                client=client[:CLIENT_CHARS],
                created_at=at,
                last_seen_at=at,
                expires_at=at + timedelta(seconds=max_age_s),
            )
        )
    return SignedIn(user=user, session_id=session_id)


def session_user(ws: Workspace, session_id: str, *, now: datetime) -> ActingUser | None:
    """The user of a live session with their current role; None when it is unknown, signed out or expired, or
    its user is disabled."""
    at = _utc(now)
    with ws.engine.connect() as conn:  # plain rows: this runs on every request made with a session
        row = conn.execute(
            select(
                WebSession.id,
                WebSession.expires_at,
                WebSession.revoked_at,
                WebSession.last_seen_at,
                User.name,
                User.role,
                User.disabled,
            )
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.id_sha256 == session_digest(session_id))
        ).first()
        if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= at or row.disabled:
            return None
        if (at - as_utc(row.last_seen_at)).total_seconds() >= SESSION_TOUCH_S:
            conn.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=at))
            conn.commit()
    return ActingUser(name=row.name, role=Role(row.role))


def end_session(ws: Workspace, session_id: str, *, now: datetime) -> None:
    """Sign out: the session is revoked, whoever holds a copy of its cookie."""
    with ws.session() as session, session.begin():
        session.execute(
            update(WebSession)
            .where(WebSession.id_sha256 == session_digest(session_id), WebSession.revoked_at.is_(None))
            .values(revoked_at=_utc(now))
        )
