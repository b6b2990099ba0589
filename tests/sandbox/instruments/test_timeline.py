"""The `timeline` instrument: worker-thread work and background tasks, measured in the sandbox."""

from __future__ import annotations

from deepdive.sandbox.instruments import result_model
from deepdive.sandbox.run_request import HttpRequest, RunRequest

APP = """
import time

from fastapi import BackgroundTasks, FastAPI
from fastapi.concurrency import run_in_threadpool

app = FastAPI()


@app.get("/sync/{ms}")
def sync_wait(ms: int):
    time.sleep(ms / 1000)
    return {"ms": ms}


@app.get("/wrapped")
async def wrapped():
    return await run_in_threadpool(time.sleep, 0.01)


def broken(order: int) -> None:
    raise ValueError(f"order {order} is lost")


async def slow_note() -> None:
    import asyncio

    await asyncio.sleep(0.05)


@app.post("/orders/{order}", status_code=202)
async def place(order: int, tasks: BackgroundTasks):
    tasks.add_task(slow_note)
    tasks.add_task(broken, order)
    return {"order": order}
"""


def _timeline(run_in_sandbox, *paths: str, method: str = "GET") -> dict:
    requests = [HttpRequest(method=method, path=path) for path in paths]
    result = run_in_sandbox(
        RunRequest(code=APP, requests=requests, concurrent=True, instruments=["timeline"])
    )
    timeline = result.instrumentation["timeline"]
    result_model("timeline").model_validate(timeline)
    return timeline


def test_a_def_endpoint_is_timed_in_its_worker_thread(run_in_sandbox):
    timeline = _timeline(run_in_sandbox, "/sync/20")
    (request,) = timeline["requests"]
    (span,) = request["threads"]
    assert request["start_ms"] <= span["queued_ms"] <= span["start_ms"] < span["end_ms"]
    assert span["end_ms"] <= request["response_ms"]
    assert span["thread"] == 1
    assert timeline["thread_limit"] == 40


def test_run_in_threadpool_from_async_def_is_timed_too(run_in_sandbox):
    (request,) = _timeline(run_in_sandbox, "/wrapped")["requests"]
    assert len(request["threads"]) == 1


def test_fifty_def_requests_never_use_more_than_forty_threads(run_in_sandbox):
    timeline = _timeline(run_in_sandbox, *["/sync/300"] * 50)
    assert timeline["peak_threads"] == 40
    threads = {r["threads"][0]["thread"] for r in timeline["requests"]}
    assert len(threads) == 40
    waits = sorted(
        r["threads"][0]["start_ms"] - r["threads"][0]["queued_ms"] for r in timeline["requests"]
    )
    assert waits[-10] >= 50  # the last ten waited for a thread to come back


def test_background_tasks_run_after_the_response_and_a_raising_one_is_recorded(run_in_sandbox):
    (request,) = _timeline(run_in_sandbox, "/orders/7", method="POST")["requests"]
    assert request["status"] == 202
    note, failure = request["tasks"]
    assert note["name"] == "slow_note"
    assert note["error"] is None
    assert request["response_ms"] <= note["start_ms"] < note["end_ms"] <= failure["start_ms"]
    assert failure["name"] == "broken"
    assert failure["error"] == "ValueError: order 7 is lost"
    assert failure["end_ms"] <= request["end_ms"]
