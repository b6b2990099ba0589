"""What a learner hears when they ran code too often (the web tier's limits raise it: see
`deepdive.web.ratelimits`)."""

from __future__ import annotations

import math


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
