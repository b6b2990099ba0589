import asyncio

import httpx
import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("variant", ["async-await", "def-sleep", "async-blocking", "threadpool"])
def test_every_variant_waits_and_answers(example, variant):
    response = TestClient(example("waiting_styles").app).get(f"/{variant}/20")
    assert response.status_code == 200
    assert response.json() == {"variant": variant, "waited_ms": 20}


async def _loop_ticks_while(app, path: str) -> int:
    """How often a 10 ms ticker got to run on the event loop while `path` was being served."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        await client.get(path)
        task.cancel()
    return ticks


@pytest.mark.parametrize("variant", ["async-await", "def-sleep", "threadpool"])
def test_the_event_loop_keeps_running_while_a_request_waits(example, variant):
    ticks = asyncio.run(_loop_ticks_while(example("waiting_styles").app, f"/{variant}/300"))
    assert ticks >= 5


def test_a_blocking_call_in_async_def_stops_the_event_loop(example):
    ticks = asyncio.run(_loop_ticks_while(example("waiting_styles").app, "/async-blocking/300"))
    assert ticks <= 1
