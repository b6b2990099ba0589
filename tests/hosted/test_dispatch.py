"""Runs dispatched through Redis Streams to real runners (`deepdive runner --redis`) started here.

Two runners of one worker each serve the whole module; every test starts from an empty Redis
(the runners recreate the stream's group when it goes). The tests that kill a runner come last,
and the fixture starts a fresh one for whatever test needs the pair next.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from deepdive.db.migrate import open_database
from deepdive.sandbox import streams
from deepdive.sandbox.client import RunLostError
from deepdive.sandbox.events import CaseFinished, Finished, Started
from deepdive.sandbox.run_request import HttpRequest, RunRequest, SessionCommand
from deepdive.sandbox.streams import StreamsClient
from deepdive.sandbox.testing import start_stream_runner
from deepdive.settings import Settings
from deepdive.web.app import create_app

CLAIM_SECONDS = "2"
APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/books/{book_id}")
def book(book_id: int):
    return {"id": book_id, "title": f"Book {book_id}"}
"""
TESTS = """
from fastapi.testclient import TestClient

from app import app


def test_a_book():
    assert TestClient(app).get("/books/3").json()["title"] == "Book 3"


def test_a_wrong_idea():
    assert TestClient(app).get("/books/x").status_code == 200
"""


def _slow(seconds: float) -> str:
    return f"import time\ntime.sleep({seconds})\n" + APP


ECHO = """
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            await websocket.send_text((await websocket.receive_text()).upper())
    except WebSocketDisconnect:
        pass
"""


class Runners:
    """Two runners on the tests' Redis, started again when a test has killed one."""

    def __init__(self, home: Path, redis_url: str) -> None:
        self.home = home
        self.redis_url = redis_url
        self.processes: dict[str, object] = {}
        self.started = 0

    def ensure(self) -> None:
        for name in ("runner-a", "runner-b"):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:  # type: ignore[attr-defined]
                self.started += 1
                self.processes[name] = start_stream_runner(
                    self.home / f"{name}-{self.started}",
                    self.redis_url,
                    name,
                    # The limits of the direct runner the tests compare with.
                    DEEPDIVE_RUN_CLAIM_SECONDS=CLAIM_SECONDS,
                    DEEPDIVE_SANDBOX_WALL_SECONDS="10",
                    DEEPDIVE_SANDBOX_CPU_SECONDS="5",
                    DEEPDIVE_SANDBOX_MEMORY_MIB="256",
                    DEEPDIVE_SANDBOX_SESSION_IDLE_SECONDS="6",
                    DEEPDIVE_SANDBOX_SESSION_SECONDS="30",
                )

    def pid(self, name: str) -> int:
        return self.processes[name].pid  # type: ignore[attr-defined]

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGCONT)  # type: ignore[attr-defined]
                process.terminate()  # type: ignore[attr-defined]
        for process in self.processes.values():
            process.wait(20)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def module_runners(
    tmp_path_factory: pytest.TempPathFactory, redis_server_url: str
) -> Iterator[Runners]:
    runners = Runners(tmp_path_factory.mktemp("stream-runners"), redis_server_url)
    try:
        yield runners
    finally:
        runners.stop()


@pytest.fixture
def runners(module_runners: Runners, redis_url: str) -> Runners:
    """Both runners up and beating into the (just emptied) Redis."""
    module_runners.ensure()
    with redis.Redis.from_url(redis_url) as connection:
        deadline = time.monotonic() + 10
        while connection.exists("deepdive:runners:runner-a", "deepdive:runners:runner-b") < 2:
            assert time.monotonic() < deadline, "the runners stopped beating"
            time.sleep(0.05)
    return module_runners


def _client(redis_url: str, **options: float) -> StreamsClient:
    return StreamsClient(redis_url, **options)  # type: ignore[arg-type]


def _comparable(result) -> dict:
    data = result.model_dump(mode="json")
    for name in ("run_id", "usage", "isolation"):
        data.pop(name)
    for response in data["responses"]:
        response.pop("elapsed_ms")
    # What a failed test prints holds timings and sandbox paths: its verdict must agree.
    data["tests"] = [(c["nodeid"], c["outcome"], c["message"], c["line"]) for c in data["tests"]]
    return data


def test_a_run_through_redis_gives_what_the_direct_runner_gives(runners, redis_url, runner_client):
    client = _client(redis_url)
    app_run = RunRequest(code=APP, requests=[HttpRequest(path="/books/7")])
    test_run = RunRequest(kind="test", code=APP, tests=TESTS)
    for request in (app_run, test_run):
        through_redis = asyncio.run(client.run(request))
        direct = asyncio.run(runner_client.run(request))
        assert _comparable(through_redis) == _comparable(direct)
    assert through_redis.outcome == "ok", through_redis.message + through_redis.stdout[-2000:]
    assert through_redis.tests[0].outcome == "passed"
    assert through_redis.tests[1].outcome == "failed"


def test_a_test_run_streams_started_each_case_then_the_result(runners, redis_url):
    async def collect() -> list:
        return [
            event
            async for event in _client(redis_url).events(
                RunRequest(kind="test", code=APP, tests=TESTS)
            )
        ]

    events = asyncio.run(collect())
    kinds = [type(event) for event in events if type(event).__name__ != "Queued"]
    assert kinds == [Started, CaseFinished, CaseFinished, Finished]
    assert [e.case.outcome for e in events if isinstance(e, CaseFinished)] == ["passed", "failed"]


def test_two_runners_share_the_load_and_none_holds_more_than_it_can_run(runners, redis_url):
    client = _client(redis_url)
    held: list[dict[str, int]] = []

    async def watch(stop: asyncio.Event) -> None:
        connection = client.connection()
        while not stop.is_set():
            with contextlib.suppress(redis.ResponseError):
                consumers = await connection.xinfo_consumers(streams.STREAM, streams.GROUP)
                held.append({c["name"]: c["pending"] for c in consumers})
            await asyncio.sleep(0.02)

    async def main() -> list:
        stop = asyncio.Event()
        watcher = asyncio.ensure_future(watch(stop))
        run = RunRequest(code=_slow(0.7), requests=[HttpRequest(path="/books/1")])
        results = await asyncio.gather(*(client.run(run) for _ in range(6)))
        stop.set()
        await watcher
        return results

    before = {status.name: status.done for status in asyncio.run(client.runners())}
    results = asyncio.run(main())
    assert [r.responses[0].json_body["id"] for r in results] == [1] * 6
    assert held
    assert max(count for sample in held for count in sample.values()) == 1
    deadline = time.monotonic() + 5  # the runners count a run in their next heartbeat
    while True:
        after = {status.name: status.done for status in asyncio.run(client.runners())}
        if sum(after.values()) - sum(before.values()) >= 6 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert all(after[name] > before[name] for name in ("runner-a", "runner-b")), (before, after)
    assert sum(after.values()) - sum(before.values()) == 6


def test_ping_counts_every_runner_up(runners, redis_url):
    info = asyncio.run(_client(redis_url).ping())
    assert info.workers == 2
    assert info.queued == 0
    assert {"openapi", "timeline"} <= set(info.instruments)


def test_the_runners_command_lists_every_runner_up(runners, redis_url):
    command = [sys.executable, "-m", "deepdive.sandbox.cli", "sandbox", "runners"]
    listed = subprocess.run(
        [*command, "--redis", redis_url], capture_output=True, text=True, timeout=60, check=False
    )
    assert listed.returncode == 0, listed.stderr
    statuses = json.loads(listed.stdout)
    assert [status["name"] for status in statuses] == ["runner-a", "runner-b"]
    assert [status["capacity"] for status in statuses] == [1, 1]
    assert "runner-a on " in listed.stderr


def test_a_session_run_goes_both_ways_through_redis(runners, redis_url):
    async def talk() -> tuple[list[dict], object]:
        seen = []
        session_run = RunRequest(kind="session", code=ECHO)
        async with _client(redis_url).session(session_run, owner="learner-1") as session:
            await session.send(SessionCommand(op="connect", path="/echo"))
            await session.send(SessionCommand(op="send", text="hello"))
            while (event := await session.receive()) is not None:
                seen.append(event)
                if event.get("kind") == "message":
                    break
            await session.send(SessionCommand(op="send", text="again"))
            while (event := await session.receive()) is not None:
                seen.append(event)
                if event.get("kind") == "message":
                    break
            result = await session.end()
        return seen, result

    seen, result = asyncio.run(talk())
    messages = [event["text"] for event in seen if event.get("kind") == "message"]
    assert messages == ["HELLO", "AGAIN"]
    assert result.kind == "session"


def test_a_run_that_waited_past_its_start_time_is_dropped_and_the_page_told(runners, redis_url):
    client = _client(redis_url, queue_seconds=0.3)
    pids = [runners.pid("runner-a"), runners.pid("runner-b")]

    async def main() -> list:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            waiting = [asyncio.ensure_future(client.run(RunRequest(code=APP))) for _ in range(3)]
            await asyncio.sleep(1.0)
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        return await asyncio.gather(*waiting, return_exceptions=True)

    outcomes = asyncio.run(main())
    assert all(isinstance(outcome, RunLostError) for outcome in outcomes), outcomes
    assert {str(outcome) for outcome in outcomes} == {streams.WAITED_TOO_LONG}
    with redis.Redis.from_url(redis_url) as connection:
        assert not connection.keys("deepdive:runs:attempt:*"), "a dropped run was started"


def _hosted_app(tmp_path: Path, postgres_url: str, redis_url: str, course, **options):
    settings = Settings(
        mode="hosted",
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        redis_url=redis_url,
        secret_key=secrets.token_urlsafe(32),
        **options,
    ).prepare()
    open_database(settings.database_url or "").dispose()
    return create_app(settings, course)


HTTPS = "https://127.0.0.1:8000"


def _csrf(client: TestClient) -> dict[str, str]:
    client.get("/health")
    return {"X-CSRF-Token": client.cookies["deepdive_csrf"], "Origin": HTTPS}


def test_the_run_route_and_task_checks_run_through_redis_and_award_xp_once(
    sign_in, runners, redis_url, postgres_url, tmp_path, course
):
    app = _hosted_app(tmp_path, postgres_url, redis_url, course)
    assert isinstance(app.state.sandbox, StreamsClient)
    lesson = course.lesson("basics")
    solution = lesson.sources["examples/first_app_with_version.py"]
    with TestClient(app, base_url=HTTPS) as client:
        sign_in(app, client)
        headers = _csrf(client)
        body = {
            "widget": "basics/first-endpoint",
            "code": solution,
            "requests": [{"path": "/version"}],
        }
        ran = client.post("/api/runs", json=body, headers=headers)
        assert ran.status_code == 200, ran.text
        assert ran.json()["result"]["responses"][0]["status"] == 200
        streamed = client.post(
            "/api/runs", json=body, headers={**headers, "Accept": "application/x-ndjson"}
        )
        lines = [line for line in streamed.text.splitlines() if line]
        assert '"event": "started"' in lines[0] or '"event": "queued"' in lines[0]
        assert '"event": "result"' in lines[-1]
        task = "/api/lessons/basics/tasks/first-endpoint/version-route"
        first = client.post(task, json={"code": solution}, headers=headers).json()
        again = client.post(task, json={"code": solution}, headers=headers).json()
    assert (first["passed"], first["xp_awarded"]) == (True, 20)
    assert (again["passed"], again["total_xp"]) == (True, 20)  # the XP counted once


def test_a_runner_takes_runs_again_once_redis_is_back(tmp_path, own_redis):
    url = own_redis.url
    runner = None
    try:
        runner = start_stream_runner(tmp_path / "runner", url, "runner-c")
        own_redis.kill()
        time.sleep(2)  # the runner finds Redis gone
        own_redis.start()  # back, and empty: no stream, no group
        result = asyncio.run(_client(url).run(RunRequest(code=APP, requests=[HttpRequest()])))
        assert result.outcome == "ok"
        assert runner.poll() is None
    finally:
        if runner is not None:
            runner.terminate()
            runner.wait(20)


def _holder(connection: redis.Redis) -> str:
    """The runner that holds the one run in flight."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pending = connection.xpending_range(streams.STREAM, streams.GROUP, "-", "+", 10)
        if pending:
            return pending[0]["consumer"].decode()
        time.sleep(0.02)
    raise AssertionError("no runner took the run")


def test_a_run_whose_runner_is_killed_is_finished_by_the_other_once(runners, redis_url):
    client = _client(redis_url)
    request = RunRequest(code=_slow(2), requests=[HttpRequest(path="/books/5")])

    async def main() -> tuple[list, str]:
        events = []
        killed = ""
        async for event in client.events(request):
            events.append(event)
            if isinstance(event, Started) and not killed:
                with redis.Redis.from_url(redis_url) as connection:
                    killed = _holder(connection)
                os.kill(runners.pid(killed), signal.SIGKILL)
        return events, killed

    events, killed = asyncio.run(main())
    finals = [event for event in events if isinstance(event, Finished)]
    assert len(finals) == 1
    assert finals[0].result.outcome == "ok"
    assert finals[0].result.responses[0].json_body == {"id": 5, "title": "Book 5"}
    assert sum(isinstance(event, Started) for event in events) == 1
    with redis.Redis.from_url(redis_url) as connection:
        attempts = [int(connection.get(key)) for key in connection.keys("deepdive:runs:attempt:*")]
        assert attempts == [2]  # started by the killed runner, then by the other one
        time.sleep(1)
        assert not connection.keys("deepdive:runs:reply:*"), "a second result was sent"
        survivor = {"runner-a": "runner-b", "runner-b": "runner-a"}[killed]
        assert connection.exists(f"deepdive:runners:{survivor}")


def test_a_session_whose_runner_is_killed_fails_with_a_clear_message(runners, redis_url):
    client = _client(redis_url)

    async def main() -> BaseException | None:
        async with client.session(RunRequest(kind="session", code=ECHO)) as session:
            while not isinstance(await session.next_event(), Started):
                pass
            with redis.Redis.from_url(redis_url) as connection:
                os.kill(runners.pid(_holder(connection)), signal.SIGKILL)
            try:
                while await session.next_event() is not None:
                    pass
            except RunLostError as lost:
                return lost
        return None

    lost = asyncio.run(main())
    assert lost is not None
    assert str(lost) == streams.RUNNER_STOPPED
