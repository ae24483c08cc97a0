"""Password and API-key hashing with argon2id (RFC 9106) through argon2-cffi. Secrets are never stored or logged.

An API key looks like ``hr_<key_id>_<secret>``: ``key_id`` (public, 12 characters) finds the row, and the whole
key is checked against its argon2id hash, so a stolen database does not reveal usable keys.

A web session id is 32 random bytes: guessing one is hopeless, so the ledger keeps only its SHA-256 (a fast hash
is enough for a secret of that entropy, and it is looked up on every request).
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

API_KEY_PREFIX = "hr_"
KEY_ID_CHARS = 12
MIN_PASSWORD_CHARS = 10
SESSION_ID_BYTES = 32

_HASHER = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)

#: The hash a sign-in with an unknown user name (or one without a password) is checked against, so that it costs
#: the same argon2id work as a known name and the answer's timing does not tell which names exist. Made once with
#: :data:`_HASHER`'s parameters from a random secret nobody kept (a test checks the parameters still match).
DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$++b4pdPueEAgBVh6uT2Thw$6mt5B6myfhcR1VX/haRbhWoM5TtCzeZ/0SiUIH8not0"


def hash_secret(secret: str) -> str:
    """An argon2id hash (PHC string, salted) of a password or API key."""
    return _HASHER.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    """Whether ``secret`` matches ``stored_hash``; False for a malformed hash too."""
    try:
        return _HASHER.verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``, always at the cost of one argon2id verification.

    With no stored hash (an unknown user, or one without a password) the password is checked against
    :data:`DUMMY_HASH` and False is returned, so both cases take the same time.
    """
    matches = verify_secret(stored_hash if stored_hash is not None else DUMMY_HASH, password)
    return matches and stored_hash is not None


def new_session_id() -> str:
    """A fresh, unguessable web session id (goes in the signed cookie; the ledger keeps :func:`session_digest`)."""
    return secrets.token_urlsafe(SESSION_ID_BYTES)


def session_digest(session_id: str) -> str:
    """The SHA-256 (hex) of a session id: what the ledger stores and looks sessions up by."""
    return hashlib.sha256(session_id.encode("utf-8", "surrogatepass")).hexdigest()


def check_password_strength(password: str) -> str | None:
    """Why ``password`` is too weak to accept, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"a password needs at least {MIN_PASSWORD_CHARS} characters, got {len(password)}"
    if password.strip() != password:
        return "a password must not start or end with spaces"
    return None


def new_api_key() -> tuple[str, str]:
    """A fresh API key: (key_id, full key). Show the full key once; store only :func:`hash_secret` of it."""
    key_id = secrets.token_hex(KEY_ID_CHARS // 2)
    return key_id, f"{API_KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def split_api_key(key: str) -> str | None:
    """The key_id of a well-formed API key, else None."""
    if not key.startswith(API_KEY_PREFIX):
        return None
    key_id, sep, rest = key[len(API_KEY_PREFIX) :].partition("_")
    if not sep or len(key_id) != KEY_ID_CHARS or not rest:
        return None
    return key_id
