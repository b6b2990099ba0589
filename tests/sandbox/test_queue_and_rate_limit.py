"""A bounded pool: extra runs wait in line and hear their position; learners share it fairly.
(The per-minute run limit is the web tier's: tests/web/test_ratelimits.py.)"""

from __future__ import annotations

import asyncio
import time

from deepdive.sandbox.client import TooManyRunsError
from deepdive.sandbox.events import Finished, Queued, Started
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.run_result import RunResult

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


QUICK = "from fastapi import FastAPI\napp = FastAPI()\n"


async def _idle(runner_client) -> None:
    for _ in range(200):  # earlier tests' sandboxes may still be exiting
        info = await runner_client.ping()
        if not info.running and all(n >= info.workers for n in info.ready.values()):
            return
        await asyncio.sleep(0.05)


def test_one_learner_cannot_keep_another_waiting(runner_client):
    async def scenario():
        await _idle(runner_client)
        hogging = [
            asyncio.ensure_future(runner_client.run(RunRequest(code=SLOW), owner="learner-hog"))
            for _ in range(8)
        ]
        await asyncio.sleep(0.3)
        started = time.perf_counter()
        other = await runner_client.run(RunRequest(code=QUICK), owner="learner-other")
        waited = time.perf_counter() - started
        return other, waited, await asyncio.gather(*hogging, return_exceptions=True)

    other, waited, hogging = asyncio.run(scenario())
    assert other.outcome == "ok"
    assert other.usage.queue_ms < 100
    assert waited < 1.0
    refused = [r for r in hogging if isinstance(r, TooManyRunsError)]
    ran = [r for r in hogging if isinstance(r, RunResult)]
    assert len(refused) == 6  # one running and one waiting, the rest refused
    assert "2 runs going (1 running, 1 waiting)" in str(refused[0])
    assert "Wait for one to finish" in str(refused[0])
    assert [r.outcome for r in ran] == ["ok", "ok"]


def test_waiting_learners_are_served_in_turn(runner_client):
    """Two workers, three learners with two runs each: every learner's first run starts before
    anyone's second one."""

    async def run(owner: str, index: int, starts: list[tuple[str, int]]) -> None:
        async for event in runner_client.events(RunRequest(code=SLOW), owner=owner):
            if isinstance(event, Started):
                starts.append((owner, index))

    async def scenario() -> list[tuple[str, int]]:
        await _idle(runner_client)
        starts: list[tuple[str, int]] = []
        tasks = []
        for owner in ("learner-a", "learner-b", "learner-c"):
            for index in (1, 2):
                tasks.append(asyncio.ensure_future(run(owner, index, starts)))
                await asyncio.sleep(0.02)
        await asyncio.gather(*tasks)
        return starts

    starts = asyncio.run(scenario())
    firsts = [position for position, (_, index) in enumerate(starts) if index == 1]
    assert sorted(owner for owner, _ in starts[:3]) == ["learner-a", "learner-b", "learner-c"]
    assert max(firsts) == 2
