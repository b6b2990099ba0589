"""The web tier's rate limits on in-memory storage (local mode); hosted mode's Redis storage is
tested in tests/hosted/test_shared_limits.py."""

from __future__ import annotations

import asyncio

import pytest
from limits import RateLimitItemPerSecond

from deepdive.sandbox import RateLimitError
from deepdive.web.ratelimits import Limits, LoginLimiter, RunLimiter


def test_run_limiter_allows_the_quota_then_says_when_to_retry():
    limiter = RunLimiter(Limits(None), 3)

    async def scenario() -> RateLimitError:
        for _ in range(3):
            await limiter.acquire("learner-1")
        with pytest.raises(RateLimitError) as refused:
            await limiter.acquire("learner-1")
        await limiter.acquire("learner-2")  # another learner has their own quota
        return refused.value

    refused = asyncio.run(scenario())
    assert 55 < refused.retry_after <= 60
    assert str(refused) == "You can run code 3 times a minute. Try again in 60 seconds."


def test_the_window_moves_the_oldest_hit_out_first():
    limits = Limits(None)
    item = RateLimitItemPerSecond(2, 1)

    async def scenario() -> None:
        assert await limits.hit(item, "a") is None
        await asyncio.sleep(0.4)
        assert await limits.hit(item, "a") is None
        wait = await limits.hit(item, "a")
        # The first hit leaves the window 1 s after it was made: at most 0.6 s from now.
        assert wait is not None
        assert 0 < wait <= 0.6
        await asyncio.sleep(wait + 0.05)
        assert await limits.hit(item, "a") is None  # the first left the window
        assert await limits.hit(item, "a") is not None  # the second is still in it

    asyncio.run(scenario())


def test_login_limits_count_per_account_in_any_case_and_per_address():
    limiter = LoginLimiter(Limits(None), per_account=2, per_address=3)

    async def scenario() -> list[str | None]:
        answers = []
        for name, address in [("Ada", "10.0.0.1"), ("ada ", "10.0.0.2"), ("ADA", "10.0.0.3")]:
            refused = await limiter.login_refusal(name, address)
            answers.append(refused and refused.message)
        for name in ("b", "c", "d", "e"):
            refused = await limiter.login_refusal(name, "10.0.0.9")
            answers.append(refused and refused.message)
        return answers

    answers = asyncio.run(scenario())
    assert answers[:2] == [None, None]
    assert answers[2].startswith("Too many login attempts for 'ada'. Try again in ")
    assert answers[3:6] == [None, None, None]
    assert answers[6].startswith("Too many login attempts from your network.")
