"""Rate limits of the web tier, built on the `limits` library: runs per learner, logins per
account and per address, sign-ups per address.

With `settings.redis_url` set (hosted mode) the counts live in Redis, so every web worker sees
the same ones; without it they live in this process's memory (local mode has one process). Both
use a moving window: "60 a minute" means at most 60 in any 60 seconds, and the refusal says
when the oldest of them leaves the window. Redis being unreachable is `LimitsUnavailableError`,
a 503 with a readable message, never a crash and never an unlimited free-for-all.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from dataclasses import dataclass

from fastapi import HTTPException
from limits import RateLimitItem, RateLimitItemPerMinute, storage, strategies
from limits.aio import storage as aio_storage
from limits.aio import strategies as aio_strategies
from limits.errors import StorageError

from deepdive.sandbox import RateLimitError
from deepdive.settings import Settings

# The Redis keys of every limit start with this (the database may be shared with run dispatch).
KEY_PREFIX = "deepdive-limits"
# A Redis that does not answer within this many seconds counts as down.
REDIS_TIMEOUT = 2.0
LIMITS_DOWN = (
    "The server cannot check its rate limits right now (its Redis server does not answer), "
    "so nothing was done. Try again in a minute."
)


class LimitsUnavailableError(HTTPException):
    """The shared counts could not be read (Redis is down): a 503 for the person asking."""

    def __init__(self) -> None:
        super().__init__(503, LIMITS_DOWN, headers={"Retry-After": "30"})
        self.message = LIMITS_DOWN


def _async_redis_uri(url: str) -> str:
    """`limits`' name for a redis-py asyncio connection to `url` (redis://, rediss://, unix://)."""
    scheme, _, rest = url.partition("://")
    schemes = {"redis": "async+redis", "rediss": "async+rediss", "unix": "async+redis+unix"}
    if scheme not in schemes:
        raise ValueError(
            f"DEEPDIVE_REDIS_URL must start with redis://, rediss:// or unix://: {url}"
        )
    return f"{schemes[scheme]}://{rest}"


class Limits:
    """Counts hits against limits, in Redis (shared by every worker) or in memory."""

    def __init__(self, redis_url: str | None) -> None:
        self.shared = redis_url is not None
        if redis_url is not None:
            self._uri = _async_redis_uri(redis_url)
            # Asyncio connections belong to the event loop that opened them: one client per
            # loop (a worker has one; a test may drive one app from several).
            self._by_loop: weakref.WeakKeyDictionary[
                asyncio.AbstractEventLoop, aio_strategies.MovingWindowRateLimiter
            ] = weakref.WeakKeyDictionary()
        else:
            # The synchronous memory storage: it never waits, so it is safe on the event loop,
            # and its locks are threads' (any event loop, any test client may use it).
            self._memory = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def _shared(self) -> aio_strategies.MovingWindowRateLimiter:
        loop = asyncio.get_running_loop()
        strategy = self._by_loop.get(loop)
        if strategy is None:
            strategy = aio_strategies.MovingWindowRateLimiter(
                aio_storage.RedisStorage(
                    self._uri,
                    implementation="redispy",
                    wrap_exceptions=True,
                    key_prefix=KEY_PREFIX,
                    socket_timeout=REDIS_TIMEOUT,
                    socket_connect_timeout=REDIS_TIMEOUT,
                )
            )
            self._by_loop[loop] = strategy
        return strategy

    async def hit(self, item: RateLimitItem, *identifiers: str) -> float | None:
        """Count one hit for `identifiers`: None when allowed, else the seconds to wait."""
        try:
            if self.shared:
                shared = self._shared()
                if await shared.hit(item, *identifiers):
                    return None
                stats = await shared.get_window_stats(item, *identifiers)
            else:
                if self._memory.hit(item, *identifiers):
                    return None
                stats = self._memory.get_window_stats(item, *identifiers)
        except (StorageError, OSError) as problem:
            raise LimitsUnavailableError from problem
        return max(stats.reset_time - time.time(), 0.001)


class RunLimiter:
    """Runs per learner per minute (`settings.sandbox_runs_per_minute`), in any worker."""

    def __init__(self, limits: Limits, per_minute: int) -> None:
        self.per_minute = per_minute
        self._item = RateLimitItemPerMinute(per_minute, namespace="runs")
        self._limits = limits

    async def acquire(self, key: str) -> None:
        """Count a run for `key`, or raise `RateLimitError` (its message is for the learner);
        `LimitsUnavailableError` when the counts cannot be reached."""
        wait = await self._limits.hit(self._item, key)
        if wait is not None:
            raise RateLimitError(wait, self.per_minute)


@dataclass(frozen=True)
class LoginRefused:
    """Too many tries: what to tell the person, and the `Retry-After` seconds."""

    message: str
    retry_seconds: int

    def __str__(self) -> str:
        return self.message


def _refusal(what: str, wait: float) -> LoginRefused:
    seconds = max(1, math.ceil(wait))
    plural = "s" if seconds != 1 else ""
    return LoginRefused(f"{what} Try again in {seconds} second{plural}.", seconds)


class LoginLimiter:
    """Login attempts per account and per address, sign-ups per address (every attempt counts,
    right or wrong, so guessing a password is slow wherever the guesses come from)."""

    def __init__(
        self,
        limits: Limits,
        *,
        per_account: int = 5,
        per_address: int = 20,
        signups_per_address: int = 10,
    ) -> None:
        self._limits = limits
        self._account = RateLimitItemPerMinute(per_account, namespace="login-account")
        self._address = RateLimitItemPerMinute(per_address, namespace="login-address")
        self._signup = RateLimitItemPerMinute(signups_per_address, namespace="signup-address")

    async def login_refusal(self, username: str, address: str) -> LoginRefused | None:
        """Count a login attempt; None when it may go ahead, else why not."""
        wait = await self._limits.hit(self._address, address)
        if wait is not None:
            return _refusal("Too many login attempts from your network.", wait)
        account = username.strip().lower()[:64] or "-"
        wait = await self._limits.hit(self._account, account)
        if wait is not None:
            return _refusal(f"Too many login attempts for {account!r}.", wait)
        return None

    async def signup_refusal(self, address: str) -> LoginRefused | None:
        wait = await self._limits.hit(self._signup, address)
        if wait is not None:
            return _refusal("Too many sign-ups from your network.", wait)
        return None


def make_limiters(settings: Settings) -> tuple[RunLimiter, LoginLimiter]:
    """The app's run limiter and login limiter, sharing one storage."""
    limits = Limits(settings.redis_url)
    return RunLimiter(limits, settings.sandbox_runs_per_minute), LoginLimiter(limits)
