"""Passwords (argon2 via pwdlib), access tokens (JWT via PyJWT) and station tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash

_hasher = PasswordHash.recommended()
_ALGORITHM = "HS256"
STATION_TOKEN_PREFIX = "loa_st_"
# Verifying against this keeps the time of a login with an unknown user close to a real one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    try:
        return _hasher.verify(password, password_hash)
    except Exception:  # a corrupt hash must never authenticate
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(15)


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    expires_at: datetime


def create_access_token(
    user_id: int, secret: str, minutes: int, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    payload = {"sub": str(user_id), "iat": issued, "exp": issued + timedelta(minutes=minutes)}
    return jwt.encode(payload, secret, algorithm=_ALGORITHM)


def decode_access_token(token: str, secret: str) -> AccessClaims | None:
    try:
        payload = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"require": ["sub", "exp"]}
        )
        return AccessClaims(
            user_id=int(payload["sub"]),
            expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def new_station_token() -> str:
    return STATION_TOKEN_PREFIX + secrets.token_urlsafe(32)


def station_token_digest(token: str) -> str:
    # Station tokens are 256-bit random values: a plain sha256 is enough to store them safely.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
