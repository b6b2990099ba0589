"""Run dispatch through Redis when things go wrong: a full queue, garbage on a run's reply list,
no runner, Redis down and back. No runner is started here: the tests play the runner's part on
the real Redis (pushing what a broken or hostile runner would) and check what the web side does.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from deepdive.db.migrate import open_database
from deepdive.sandbox import streams
from deepdive.sandbox.client import RunLostError, RunnerUnavailableError, RunRefusedError
from deepdive.sandbox.events import Queued
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.streams import StreamsClient
from deepdive.settings import Settings
from deepdive.web.app import create_app

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
HTTPS = "https://127.0.0.1:8000"
BODY = {"widget": "basics/first-endpoint", "code": APP, "requests": [{"path": "/"}]}


def _app(tmp_path: Path, postgres_url: str, redis_url: str, course, **options):
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


def _csrf(client: TestClient) -> dict[str, str]:
    client.get("/health")
    return {"X-CSRF-Token": client.cookies["deepdive_csrf"], "Origin": HTTPS}


def test_a_full_queue_answers_503_with_retry_after_and_runs_nothing(
    sign_in, tmp_path, postgres_url, redis_url, course
):
    app = _app(tmp_path, postgres_url, redis_url, course, run_queue_limit=2)
    waiting = StreamsClient(redis_url)
    for _ in range(2):
        asyncio.run(waiting.submit(RunRequest(code=APP), owner="learner-99"))
    with TestClient(app, base_url=HTTPS) as client:
        sign_in(app, client)
        headers = _csrf(client)
        plain = client.post("/api/runs", json=BODY, headers=headers)
        streamed = client.post(
            "/api/runs", json=BODY, headers={**headers, "Accept": "application/x-ndjson"}
        )
    for response in (plain, streamed):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["message"] == streams.QUEUE_FULL.format(waiting=2)
    with redis.Redis.from_url(redis_url) as connection:
        assert connection.xlen(streams.STREAM) == 2


GARBAGE = {
    "not JSON": lambda run_id: "{nope",
    "not an object": lambda run_id: "[1, 2]",
    "no attempt": lambda run_id: json.dumps({"run_id": run_id, "event": {"type": "started"}}),
    "unknown event": lambda run_id: json.dumps(
        {"run_id": run_id, "attempt": 1, "event": {"type": "xp", "xp": 1000}}
    ),
    "a result that is no result": lambda run_id: json.dumps(
        {"run_id": run_id, "attempt": 1, "event": {"type": "result", "result": {"outcome": "ok"}}}
    ),
    "an error without a message": lambda run_id: json.dumps(
        {"run_id": run_id, "attempt": 1, "error": {"reason": "refused"}}
    ),
    "oversized": lambda run_id: "x" * (streams.MAX_ENVELOPE + 1),
}


@pytest.mark.parametrize("garbage", list(GARBAGE))
def test_garbage_on_a_runs_reply_list_fails_the_run_with_a_clear_message(redis_url, garbage):
    client = StreamsClient(redis_url)

    async def main() -> BaseException:
        run = await client.submit(RunRequest(code=APP), owner=None)
        await client.connection().rpush(streams.reply_key(run.run_id), GARBAGE[garbage](run.run_id))
        try:
            while True:
                event = await run.next_event()
                assert isinstance(event, Queued), event
        except RunLostError as lost:
            return lost

    lost = asyncio.run(main())
    assert str(lost).startswith("The code runner sent back something that is not a valid run")


def test_replies_for_another_run_or_an_earlier_attempt_are_ignored(redis_url):
    client = StreamsClient(redis_url)
    forged = {"type": "result", "result": {"outcome": "ok"}}

    async def main() -> BaseException:
        run = await client.submit(RunRequest(code=APP), owner=None)
        key = streams.reply_key(run.run_id)
        refused = {"reason": "refused", "message": "Invalid run request: a runner said no."}
        await client.connection().rpush(
            key,
            json.dumps({"run_id": "f" * 32, "attempt": 9, "event": forged}),
            json.dumps({"run_id": run.run_id, "attempt": 2, "event": {"type": "started"}}),
            json.dumps({"run_id": run.run_id, "attempt": 1, "event": forged}),
            json.dumps({"run_id": run.run_id, "attempt": 2, "error": refused}),
        )
        events = []
        try:
            while True:
                events.append(await run.next_event())
        except RunRefusedError as error:
            assert [type(event).__name__ for event in events if event] == ["Queued", "Started"]
            return error

    assert str(asyncio.run(main())) == "Invalid run request: a runner said no."


def test_garbage_sent_to_a_run_of_the_page_is_a_503_with_the_message(
    sign_in, tmp_path, postgres_url, redis_url, course
):
    app = _app(tmp_path, postgres_url, redis_url, course)
    answers = []
    with TestClient(app, base_url=HTTPS) as client:
        sign_in(app, client)
        headers = _csrf(client)
        posting = threading.Thread(
            target=lambda: answers.append(client.post("/api/runs", json=BODY, headers=headers))
        )
        posting.start()
        with redis.Redis.from_url(redis_url, decode_responses=True) as connection:
            deadline = time.monotonic() + 10
            while not (entries := connection.xrange(streams.STREAM)):
                assert time.monotonic() < deadline
                time.sleep(0.02)
            run_id = json.loads(entries[0][1]["run"])["run_id"]
            connection.rpush(streams.reply_key(run_id), '{"run_id": "' + run_id + '", "attempt"')
        posting.join(20)
        health = client.get("/health")
    assert answers[0].status_code == 503
    assert answers[0].json()["message"].startswith("The code runner sent back something")
    assert health.status_code == 200


def test_ping_without_any_runner_says_how_to_start_one(redis_url):
    with pytest.raises(RunnerUnavailableError, match="deepdive runner --redis URL"):
        asyncio.run(StreamsClient(redis_url).ping())


def test_the_runners_command_says_when_no_runner_is_up(redis_url):
    command = [sys.executable, "-m", "deepdive.sandbox.cli", "sandbox", "runners"]
    listed = subprocess.run(
        [*command, "--redis", redis_url], capture_output=True, text=True, timeout=60, check=False
    )
    assert listed.returncode == 1
    assert json.loads(listed.stdout) == []
    assert "No runner takes runs from redis://127.0.0.1:6379/" in listed.stderr


def test_redis_down_is_a_clear_503_and_runs_queue_again_once_it_is_back(
    sign_in, tmp_path, postgres_url, course, own_redis
):
    url = own_redis.url
    app = _app(tmp_path, postgres_url, url, course, run_queue_limit=1)
    with TestClient(app, base_url=HTTPS) as client:
        sign_in(app, client)
        headers = _csrf(client)
        own_redis.kill()
        down = client.post("/api/runs", json=BODY, headers=headers)
        streamed = client.post(
            "/api/runs", json=BODY, headers={**headers, "Accept": "application/x-ndjson"}
        )
        with pytest.raises(RunnerUnavailableError, match="not answering"):
            asyncio.run(app.state.sandbox.ping())
        own_redis.start()
        # Back: the app's own connection answers again (a full queue, told by Redis).
        asyncio.run(StreamsClient(url).submit(RunRequest(code=APP), owner=None))
        back = client.post("/api/runs", json=BODY, headers=headers)
    assert down.status_code == 503
    # The shared run limit is asked first, and says that Redis does not answer.
    assert "Redis server does not answer" in down.json()["message"]
    assert streamed.status_code == 503  # refused before any stream starts
    assert back.status_code == 503
    assert back.json()["message"] == streams.QUEUE_FULL.format(waiting=1)
