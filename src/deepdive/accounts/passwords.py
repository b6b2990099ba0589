"""Password hashing: argon2id through pwdlib.

The cost is OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1 lane): about 0.1 s of
one core, where pwdlib's default (64 MiB, 3 passes, 4 lanes) takes most of a second of every
core of a small server, so a class logging in at once would queue for minutes. The parameters
are stored in each hash: raising them later still verifies the old hashes.
"""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

TIME_COST = 2
MEMORY_KIB = 19 * 1024
LANES = 1


class Passwords:
    """Hashes and checks passwords. Checking against no account takes as long as a wrong
    password, so a failed login does not reveal which usernames exist."""

    def __init__(self) -> None:
        self._hash = PasswordHash(
            (Argon2Hasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=LANES),)
        )
        self._dummy = self._hash.hash("not a password of any account")

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, hashed: str | None) -> bool:
        if hashed is None:
            self._hash.verify(password, self._dummy)
            return False
        return self._hash.verify(password, hashed)


@cache
def passwords() -> Passwords:
    """The process's hasher (its dummy hash is made once, on first use)."""
    return Passwords()
