"""The runner as a service: ping, refusals, tokens, instruments, and a clear error when gone."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

import pytest

from deepdive.sandbox.client import (
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    RunRefusedError,
)
from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.testing import (
    require_full_isolation,
    runner_environment_for,
    wait_for_runner,
)

FIRST = """
from fastapi import FastAPI

app = FastAPI(title="Bookshop")


@app.get("/")
def root():
    return {"message": "hello"}
"""


def test_ping_reports_capacity_isolation_and_instruments(runner_client):
    info = asyncio.run(runner_client.ping())
    assert info.workers == 2
    assert {"openapi", "timeline"} <= set(info.instruments)
    assert info.limits.memory_mib == 256
    require_full_isolation(info)
    assert info.isolation.missing == {}
    assert info.isolation.warning is None


def test_ping_accounts_for_the_cpu_runs_spend(runner_client, run_in_sandbox):
    """The runner's accounts split a run's CPU: a run that burns 0.2 s of CPU in the learner's
    code shows up after "ready", in the sandbox's total, not in getting it ready."""
    busy = (
        "import time\nend = time.process_time() + 0.2\nwhile time.process_time() < end:\n    pass\n"
    ) + FIRST
    before = asyncio.run(runner_client.ping()).cpu
    result = run_in_sandbox(RunRequest(code=busy, requests=[HttpRequest(path="/")]))
    assert result.outcome == "ok", result.message
    deadline = time.monotonic() + 10
    after = asyncio.run(runner_client.ping()).cpu
    while after.runs == before.runs and time.monotonic() < deadline:
        time.sleep(0.05)  # the sandbox is reaped a moment after its result arrives
        after = asyncio.run(runner_client.ping()).cpu
    runs = after.runs - before.runs
    assert runs >= 1
    ready = after.until_ready_ms - before.until_ready_ms
    in_all = after.sandboxes_ms - before.sandboxes_ms
    assert 0 < ready < 150 * runs
    assert in_all - ready >= 180
    assert after.runner_ms > before.runner_ms
    assert after.zygote_ms >= before.zygote_ms


def test_openapi_instrument_returns_the_learners_schema(run_in_sandbox):
    code = FIRST + "\n@app.get('/health')\ndef health():\n    return {'status': 'ok'}\n"
    result = run_in_sandbox(RunRequest(code=code, instruments=["openapi"]))
    data = result.instrumentation["openapi"]
    assert data["available"] is True
    assert data["schema"]["info"]["title"] == "Bookshop"
    assert set(data["schema"]["paths"]) == {"/", "/health"}


def test_openapi_instrument_explains_an_app_without_a_schema(run_in_sandbox):
    code = "async def app(scope, receive, send):\n    pass\n"
    result = run_in_sandbox(RunRequest(code=code, instruments=["openapi"]))
    assert result.instrumentation["openapi"]["available"] is False


def test_timeline_shows_background_work_after_the_response(run_in_sandbox):
    code = """
import time
from fastapi import BackgroundTasks, FastAPI
app = FastAPI()

def slow_email():
    time.sleep(0.2)

@app.post("/signup")
def signup(tasks: BackgroundTasks):
    tasks.add_task(slow_email)
    return {"ok": True}
"""
    request = RunRequest(
        code=code, requests=[HttpRequest(method="POST", path="/signup")], instruments=["timeline"]
    )
    result = run_in_sandbox(request)
    assert result.outcome == "ok", result.message
    (entry,) = result.instrumentation["timeline"]["requests"]
    assert entry["status"] == 200
    assert entry["response_ms"] - entry["start_ms"] < 100
    assert entry["end_ms"] - entry["response_ms"] >= 190


def test_unknown_instrument_is_refused_with_the_available_ones(runner_client):
    with pytest.raises(RunRefusedError, match=r"unknown instrument.*available: .*openapi"):
        asyncio.run(runner_client.run(RunRequest(code=FIRST, instruments=["telepathy"])))


def test_invalid_request_is_refused_with_a_reason(runner_url):
    async def send_raw() -> None:
        client = RunnerClient(runner_url)
        reader, writer = await client._connect()
        from deepdive.sandbox import protocol

        await protocol.write_frame(writer, {"op": "run", "request": {"kind": "app"}})
        frame = await protocol.read_frame(reader)
        writer.close()
        assert frame is not None
        assert frame["type"] == "error"
        assert "Invalid run request" in frame["message"]
        assert "code" in frame["message"]

    asyncio.run(send_raw())


def test_client_says_clearly_when_no_runner_answers(tmp_path):
    client = RunnerClient(f"unix://{tmp_path}/absent.sock")
    with pytest.raises(RunnerUnavailableError, match=r"not answering.*deepdive runner"):
        asyncio.run(client.run(RunRequest(code=FIRST)))


# Learner code that looks for the runner's token in every object it can reach, and in its
# environment (the needle is assembled at run time, so the code itself does not contain it).
TOKEN_HUNT = """
import gc, os
needle = "s3cret" + "-token"
found = []
for obj in gc.get_objects():
    values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list | tuple) else ()
    for value in list(values):
        if isinstance(value, str) and value is not needle and needle in value:
            found.append(type(obj).__name__)
    secret = getattr(obj, "_secret_value", None)
    if isinstance(secret, str) and needle in secret:
        found.append("SecretStr")
if needle.encode() in open("/proc/self/environ", "rb").read() or needle in str(os.environ):
    found.append("environment")
print("found:", found)
from fastapi import FastAPI
app = FastAPI()
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_tcp_runner_needs_the_shared_token(tmp_path):
    port = _free_port()
    env = runner_environment_for(
        tmp_path,
        DEEPDIVE_DATA_DIR=str(tmp_path / "data"),
        DEEPDIVE_RUNNER_TOKEN="s3cret-token",
        DEEPDIVE_SANDBOX_WORKERS="1",
    )
    command = [sys.executable, "-m", "deepdive.sandbox.cli", "runner", "--tcp", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"tcp://127.0.0.1:{port}"
        wait_for_runner(process, url, "s3cret-token")
        with pytest.raises(RunnerError, match="wrong or missing token"):
            asyncio.run(RunnerClient(url, "guess").ping())
        with pytest.raises(RunnerError, match="wrong or missing token"):
            asyncio.run(RunnerClient(url).ping())
        result = asyncio.run(RunnerClient(url, "s3cret-token").run(RunRequest(code=FIRST)))
        assert result.outcome == "ok"
        hunt = asyncio.run(RunnerClient(url, "s3cret-token").run(RunRequest(code=TOKEN_HUNT)))
        assert hunt.stdout == "found: []\n", hunt.stdout
    finally:
        process.terminate()
        process.wait(10)
    assert process.returncode == 0


def test_tcp_runner_refuses_to_start_without_a_token(tmp_path):
    env = runner_environment_for(tmp_path)
    command = [sys.executable, "-m", "deepdive.sandbox.cli", "runner", "--tcp", "127.0.0.1:1"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "DEEPDIVE_RUNNER_TOKEN" in done.stderr


def test_a_client_that_leaves_mid_run_frees_its_sandbox(runner_client, run_in_sandbox):
    slow = FIRST + "\nimport time\ntime.sleep(30)\n"

    async def leave_after_start() -> None:
        async for event in runner_client.events(RunRequest(code=slow)):
            if event.type == "started":
                return  # closes the connection while the sandbox is busy

    asyncio.run(leave_after_start())
    for _ in range(100):
        if asyncio.run(runner_client.ping()).running == 0:
            break
        time.sleep(0.05)
    assert asyncio.run(runner_client.ping()).running == 0
    assert run_in_sandbox(RunRequest(code=FIRST)).outcome == "ok"
