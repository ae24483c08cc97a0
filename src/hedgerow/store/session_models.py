"""SQLAlchemy models of sign-in state: web sessions and failed sign-ins. Imported by :mod:`hedgerow.store.models`
so that one metadata holds every table.

Both tables are operational, like the job queue: they say who may be signed in now and who is trying too hard,
not what was decided, so their rows are not audit events. Every web server process reads them, which is what makes
sign-out and the sign-in throttle hold across processes (:mod:`hedgerow.services.sessions`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hedgerow.store.lineage_models import Base

#: Longest client address kept (an IPv6 address with a zone fits).
CLIENT_CHARS = 100
#: Longest user name kept with a failed sign-in (the users table's limit).
NAME_CHARS = 200


class WebSession(Base):
    """One sign-in of a browser (or API client using the cookie): live until signed out, expired or its user off.

    ``id_sha256`` is the SHA-256 of the random session id the signed cookie carries; the id itself is never stored.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client: Mapped[str] = mapped_column(String(CLIENT_CHARS))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SignInFailure(Base):
    """One failed sign-in: which user name was tried, from which client address, when (never the password)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_user_name_at", "user_name", "at"),
        Index("ix_sign_in_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(String(NAME_CHARS))
    client: Mapped[str] = mapped_column(String(CLIENT_CHARS))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
