"""Password and API-key hashing with argon2id (RFC 9106) through argon2-cffi. Secrets are never stored or logged.

An API key looks like ``hr_<key_id>_<secret>``: ``key_id`` (public, 12 characters) finds the row, and the whole
key is checked against its argon2id hash, so a stolen database does not reveal usable keys.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

API_KEY_PREFIX = "hr_"
KEY_ID_CHARS = 12
MIN_PASSWORD_CHARS = 10

_HASHER = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)


def hash_secret(secret: str) -> str:
    """An argon2id hash (PHC string, salted) of a password or API key."""
    return _HASHER.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    """Whether ``secret`` matches ``stored_hash``; False for a malformed hash too."""
    try:
        return _HASHER.verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


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
