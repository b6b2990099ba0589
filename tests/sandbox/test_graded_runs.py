"""Graded runs: a check judges the learner's app over HTTP from a sandbox of its own."""

from __future__ import annotations

import asyncio

from deepdive.sandbox.events import CaseFinished
from deepdive.sandbox.run_request import RunRequest

APP = """
from fastapi import FastAPI

app = FastAPI()
VERSION = "1.0"


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/version")
def version():
    return {"version": VERSION}


@app.get("/boom")
def boom():
    return 1 / 0
"""

CHECK = """
def test_health_is_ok(client):
    response = client.get("/health")
    assert response.status_code == 200, "GET /health should answer 200"


def test_version_is_one(client):
    response = client.get("/version")
    assert response.json() == {"version": "1.0"}, f"GET /version answered {response.json()}"


def test_the_source_is_there_as_text(source):
    assert "def version" in source["app.py"], "write a function called version"
"""


def _grade(run_in_sandbox, code: str, check: str = CHECK):
    return run_in_sandbox(RunRequest(kind="grade", code=code, tests=check))


def test_a_correct_app_passes_every_check(run_in_sandbox):
    result = _grade(run_in_sandbox, APP)
    assert result.kind == "grade"
    assert result.outcome == "ok", result.message
    assert [case.outcome for case in result.tests] == ["passed"] * 3
    assert result.message == "Every check passed (3 of 3)."


def test_a_failing_check_says_its_sentence(run_in_sandbox):
    result = _grade(run_in_sandbox, APP.replace('VERSION = "1.0"', 'VERSION = "2.0"'))
    assert result.message == "2 of 3 checks passed."
    failed = next(case for case in result.tests if case.outcome == "failed")
    assert failed.message == "GET /version answered {'version': '2.0'}"


def test_an_app_that_does_not_load_is_the_verdict(run_in_sandbox):
    result = _grade(run_in_sandbox, APP + "\ndef broken(:\n")
    assert result.outcome == "syntax_error"
    assert result.error.line == 22


def test_the_apps_own_exceptions_are_reported_beside_the_verdict(run_in_sandbox):
    check = CHECK + "\n\ndef test_boom(client):\n    assert client.get('/boom').status_code == 500"
    result = _grade(run_in_sandbox, APP, check)
    assert result.outcome == "ok", result.message
    assert all(case.outcome == "passed" for case in result.tests)
    (failure,) = result.responses
    assert (failure.method, failure.path, failure.status) == ("GET", "/boom", 500)
    assert failure.error.type == "ZeroDivisionError"
    assert failure.error.line == 20


def test_the_app_cannot_read_the_check_nor_change_its_verdict(run_in_sandbox):
    forger = APP + (
        "\nimport os, sys\n"
        "found = [p for p in ('/work/code', '/tmp', os.getcwd()) if os.path.isdir(p)\n"
        "         for f in os.listdir(p) if 'check' in f or f.startswith('test_')]\n"
        "print('found', found)\n"
        "try:\n"
        "    import _pytest, pytest\n"
        "    pytest.main = lambda *a, **k: 0\n"
        "except Exception:\n"
        "    pass\n"
    )
    check = 'def test_secret(client):\n    assert client.get("/x").status_code == 200, "nope"\n'
    result = _grade(run_in_sandbox, forger, check)
    assert "found []" in result.stdout
    assert [case.outcome for case in result.tests] == ["failed"]
    assert result.message == "0 of 1 checks passed."


def test_each_check_is_reported_as_it_finishes(runner_client):
    async def collect():
        request = RunRequest(kind="grade", code=APP, tests=CHECK)
        return [event async for event in runner_client.events(request)]

    events = asyncio.run(collect())
    cases = [event.case.name for event in events if isinstance(event, CaseFinished)]
    assert cases == ["test_health_is_ok", "test_version_is_one", "test_the_source_is_there_as_text"]


def test_requests_at_once_reach_the_app_over_several_connections(run_in_sandbox):
    code = APP + (
        "\nimport asyncio\n\n@app.get('/slow')\nasync def slow():\n"
        "    await asyncio.sleep(0.4)\n    return {'ok': True}\n"
    )
    check = (
        "import time\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
        "def test_together(client):\n"
        "    started = time.perf_counter()\n"
        "    with ThreadPoolExecutor(5) as pool:\n"
        "        codes = list(pool.map(lambda _: client.get('/slow').status_code, range(5)))\n"
        "    took = time.perf_counter() - started\n"
        "    assert codes == [200] * 5\n"
        "    assert took < 1.5, f'took {took:.2f} s'\n"
    )
    result = _grade(run_in_sandbox, code, check)
    assert [case.outcome for case in result.tests] == ["passed"], result.tests


WS_APP = """
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket, token: str | None = None):
    if token is None:
        await websocket.close(code=1008)
        return
    await websocket.accept()
    try:
        while True:
            await websocket.send_text("echo: " + await websocket.receive_text())
    except WebSocketDisconnect:
        pass
"""

WS_CHECK = """
import pytest
from websockets.exceptions import InvalidStatus


def test_echoes_over_a_real_websocket(websocket_connect):
    with websocket_connect("/ws?token=t") as ws:
        ws.send("hi")
        assert ws.recv(timeout=2) == "echo: hi", "no echo"


def test_refused_without_a_token(websocket_connect):
    with pytest.raises(InvalidStatus) as refused:
        websocket_connect("/ws")
    assert refused.value.response.status_code == 403, "not refused"
"""


def test_a_check_reaches_the_app_over_real_websockets(run_in_sandbox):
    result = _grade(run_in_sandbox, WS_APP, WS_CHECK)
    assert result.outcome == "ok", (result.message, [c.message for c in result.tests])
    assert [case.outcome for case in result.tests] == ["passed"] * 2


def test_a_shutdown_that_fails_after_the_check_keeps_the_verdict(run_in_sandbox):
    code = "from contextlib import asynccontextmanager\n" + APP.replace(
        "app = FastAPI()", "app = FastAPI(lifespan=lifespan)"
    ).replace(
        "from fastapi import FastAPI\n",
        "from fastapi import FastAPI\n\n\n@asynccontextmanager\nasync def lifespan(app):\n"
        "    yield\n    raise RuntimeError('the pool would not close')\n",
    )
    result = _grade(run_in_sandbox, code)
    assert result.outcome == "ok", result.message
    assert [case.outcome for case in result.tests] == ["passed"] * 3
    assert "Application shutdown failed: the pool would not close" in result.stderr
