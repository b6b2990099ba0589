"""A per-learner limit on runs per minute, for the web layer (in memory, one process)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class RateLimitError(Exception):
    """Too many runs; `retry_after` seconds until the next one is allowed."""

    def __init__(self, retry_after: float, per_minute: int) -> None:
        self.retry_after = retry_after
        self.per_minute = per_minute
        seconds = max(1, math.ceil(retry_after))
        super().__init__(
            f"You can run code {per_minute} times a minute. "
            f"Try again in {seconds} second{'s' if seconds != 1 else ''}."
        )


class RateLimiter:
    """A sliding one-minute window per key (a learner id, a session id, an address)."""

    def __init__(
        self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, window: float = 60.0
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._clock = clock
        self._window = window
        self._hits: dict[str, deque[float]] = {}

    def check(self, key: str) -> float | None:
        """Count a run for `key` if allowed (None), else return the seconds to wait."""
        now = self._clock()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self._window:
            hits.popleft()
        if len(hits) >= self.per_minute:
            return hits[0] + self._window - now
        hits.append(now)
        if len(self._hits) > 10_000:
            self._forget_idle(now)
        return None

    def acquire(self, key: str) -> None:
        """Count a run for `key`, or raise `RateLimitError` (its message is for the learner)."""
        wait = self.check(key)
        if wait is not None:
            raise RateLimitError(wait, self.per_minute)

    def _forget_idle(self, now: float) -> None:
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self._window
        ]:
            del self._hits[key]
