"""A bounded pool: extra runs wait in line and hear their position; learners are rate-limited."""

from __future__ import annotations

import asyncio

import pytest

from deepdive.sandbox.events import Finished, Queued, Started
from deepdive.sandbox.ratelimit import RateLimiter, RateLimitError
from deepdive.sandbox.run_request import RunRequest

SLOW = "import time\nfrom fastapi import FastAPI\ntime.sleep(1.0)\napp = FastAPI()\n"


def test_runs_beyond_the_pool_size_queue_and_report_their_position(runner_client):
    async def one(index: int) -> list:
        await asyncio.sleep(index * 0.05)  # arrive in a known order
        events = []
        async for event in runner_client.events(RunRequest(code=SLOW)):
            events.append(event)
        return events

    async def all_runs() -> list[list]:
        for _ in range(200):  # earlier tests' sandboxes may still be exiting
            if not (await runner_client.ping()).running:
                break
            await asyncio.sleep(0.05)
        return await asyncio.gather(*(one(i) for i in range(4)))

    runs = asyncio.run(all_runs())
    for events in runs:
        assert isinstance(events[-1], Finished)
        assert events[-1].result.outcome == "ok"
        assert sum(isinstance(e, Started) for e in events) == 1
    positions = sorted([e.position for e in events if isinstance(e, Queued)] for events in runs)
    assert positions == [[], [], [1], [2, 1]]  # two workers: two start at once, two wait
    waited = max(runs, key=lambda events: len(events))
    assert waited[-1].result.usage.queue_ms > 500


def test_rate_limiter_allows_the_quota_then_says_when_to_retry():
    now = [1000.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    for _ in range(3):
        limiter.acquire("learner-1")
    with pytest.raises(RateLimitError) as refused:
        limiter.acquire("learner-1")
    assert refused.value.retry_after == pytest.approx(60.0)
    assert str(refused.value) == "You can run code 3 times a minute. Try again in 60 seconds."
    limiter.acquire("learner-2")  # another learner has their own quota
    now[0] += 60.5
    limiter.acquire("learner-1")


def test_rate_limiter_window_slides():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.check("a") is None
    now[0] = 30
    assert limiter.check("a") is None
    now[0] = 45
    assert limiter.check("a") == pytest.approx(15)
    now[0] = 60.5
    assert limiter.check("a") is None
