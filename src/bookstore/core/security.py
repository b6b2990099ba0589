"""Password hashing (argon2id via pwdlib) and access tokens (HS256 JWTs via PyJWT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from bookstore.core.config import Settings

# Only this algorithm is ever accepted: a token that says `"alg": "none"` (or anything else)
# is rejected before its claims are read.
_ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ["sub", "iat", "exp"]


class InvalidTokenError(Exception):
    """The token is malformed, tampered with, expired or signed with another key."""


class PasswordHasher:
    """Hashes and checks passwords with argon2id at the cost the settings ask for."""

    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            [
                Argon2Hasher(
                    time_cost=settings.argon2_time_cost,
                    memory_cost=settings.argon2_memory_kib,
                    parallelism=settings.argon2_parallelism,
                )
            ]
        )
        # Checked against when the username does not exist, so a failed sign-in takes as long
        # for unknown users as for wrong passwords and does not reveal which accounts exist.
        self._dummy_hash = self._hash.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, hashed: str | None) -> bool:
        if hashed is None:
            self._hash.verify(password, self._dummy_hash)
            return False
        return self._hash.verify(password, hashed)


def create_access_token(subject: str, settings: Settings, *, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": subject,
        "iat": issued,
        "exp": issued + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)


def read_access_token(token: str, settings: Settings) -> str:
    """The token's subject, after checking its signature, algorithm and expiry."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidTokenError("the token has expired; sign in again") from error
    except jwt.InvalidTokenError as error:
        raise InvalidTokenError("the token is not valid") from error
    subject = claims["sub"]
    if not isinstance(subject, str):
        raise InvalidTokenError("the token's subject is not a string")
    return subject
