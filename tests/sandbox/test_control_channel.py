"""The runner trusts nothing a sandbox sends on its control socket.

The learner's code shares a process with the sandbox's reporting, so it can find the control
socket (a SOCK_SEQPACKET descriptor) and write what it likes. Every case here does, for real.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from deepdive.sandbox.run_request import RunRequest, SessionCommand
from deepdive.sandbox.testing import require_full_isolation

FIND_CONTROL_SOCKET = """
import json, os, socket


def control_socket():
    for fd in range(3, 256):
        try:
            candidate = socket.socket(fileno=fd)
        except OSError:
            continue
        kind = candidate.type
        candidate.detach()
        if kind == socket.SOCK_SEQPACKET:
            return fd
    raise RuntimeError("no control socket")


def flood(message, times):
    packet = json.dumps(message).encode()
    fd = control_socket()
    for _ in range(times):
        os.write(fd, packet)
"""


def _runner_pid(runner_client) -> int:
    return asyncio.run(runner_client.ping()).pid


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _wait_until_idle(runner_client) -> None:
    for _ in range(200):
        info = asyncio.run(runner_client.ping())
        if info.running == 0 and all(n >= info.workers for n in info.ready.values()):
            return
        time.sleep(0.05)


def _open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_an_app_run_that_floods_the_control_socket_with_events_is_stopped(attack, runner_client):
    pid = _runner_pid(runner_client)
    before = _rss_mib(pid)
    code = FIND_CONTROL_SOCKET + (
        "flood({'type': 'event', 'event': {'kind': 'message', 'text': 'e' * 150_000}}, 1600)\n"
        "print('flooded')"
    )
    result = attack(code)
    assert result.outcome == "crashed"
    assert "control channel" in result.message
    assert "flooded" not in result.stdout
    assert _rss_mib(pid) - before < 100


def test_forged_failure_reports_do_not_fill_the_runners_log(attack, sandbox_runner):
    log = sandbox_runner.log_path
    before = log.stat().st_size
    code = FIND_CONTROL_SOCKET + "flood({'type': 'failed', 'error': 'F' * 4000}, 5000)\n"
    result = attack(code)
    assert result.outcome == "crashed"
    grown = log.read_bytes()[before:]
    assert len(grown) < 16 * 1024, f"{len(grown)} bytes were logged"


def test_a_forged_failure_cannot_write_log_records_of_its_own(attack, sandbox_runner):
    log = sandbox_runner.log_path
    before = log.stat().st_size
    forged = "ok\nERROR:deepdive.sandbox:the runner's token is hunter2"
    attack(FIND_CONTROL_SOCKET + f"flood({{'type': 'failed', 'error': {forged!r}}}, 1)\n")
    grown = log.read_text(errors="replace")[before:]
    assert "\nERROR:deepdive.sandbox:the runner's token" not in grown


@pytest.mark.parametrize(
    "message",
    [
        {"type": "tripped", "reason": "wall", "frames": [{"bogus": 1}]},
        {"type": "tripped", "reason": "boredom", "frames": []},
        {"type": "ready", "features": "all of them", "cpu": -1},
        {"type": "forked", "pid": "one"},
        {"type": "launch-missiles"},
    ],
    ids=["bad-frames", "bad-reason", "bad-ready", "bad-forked", "unknown-type"],
)
def test_a_malformed_message_ends_the_run_as_crashed(attack, message):
    code = FIND_CONTROL_SOCKET + f"flood({message!r}, 1)\nos._exit(3)\n"
    result = attack(code)
    assert result.outcome == "crashed"
    assert "control channel" in result.message


def test_runs_ended_for_malformed_messages_release_what_they_held(attack, runner_client):
    pid = _runner_pid(runner_client)
    _wait_until_idle(runner_client)
    before = _open_descriptors(pid)
    forged = {"type": "tripped", "reason": "wall", "frames": [{"line": "x"}]}
    for _ in range(6):
        assert attack(FIND_CONTROL_SOCKET + f"flood({forged!r}, 1)\nos._exit(3)\n").outcome == (
            "crashed"
        )
    _wait_until_idle(runner_client)
    assert _open_descriptors(pid) <= before + 2


FLOODING_APP = """
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def flood(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.send_text("w" * 10_000)
"""


def test_a_session_that_sends_faster_than_its_client_reads_is_stopped(runner_client):
    require_full_isolation(asyncio.run(runner_client.ping()))
    pid = _runner_pid(runner_client)
    before = _rss_mib(pid)

    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=FLOODING_APP)) as session:
            assert (await asyncio.wait_for(session.receive(), 10))["kind"] == "ready"
            await session.send(SessionCommand(op="connect", path="/ws"))
            await asyncio.sleep(3)  # a client that reads nothing for a while
            peak = _rss_mib(pid)
            while await asyncio.wait_for(session.receive(), 30) is not None:
                pass
            return session.result, peak

    result, peak = asyncio.run(scenario())
    assert result.outcome == "output_limit"
    assert "faster than they could be delivered" in result.message
    assert peak - before < 150


def test_events_of_a_session_still_arrive_in_order(runner_client):
    code = FLOODING_APP.replace("while True:", "for n in range(300):").replace(
        '"w" * 10_000', "str(n)"
    )

    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=code)) as session:
            await asyncio.wait_for(session.receive(), 10)
            await session.send(SessionCommand(op="connect", path="/ws"))
            texts = []
            while len(texts) < 300:
                event = await asyncio.wait_for(session.receive(), 10)
                assert event is not None, (len(texts), session.result and session.result.message)
                if event["kind"] == "message":
                    texts.append(event["text"])
            await session.end()
            return texts, session.result

    texts, result = asyncio.run(scenario())
    assert texts == [str(n) for n in range(300)]
    assert result.outcome == "ok"


def test_events_a_session_sent_before_it_ended_reach_a_client_that_reads_late(runner_client):
    # The app sends everything at once and the session then ends (idle): what is still on its
    # way to the client must arrive, all of it and in order, before the end.
    code = FLOODING_APP.replace("while True:", "for n in range(200):").replace(
        '"w" * 10_000', 'f"{n} " + "w" * 10_000'
    )

    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=code)) as session:
            await asyncio.wait_for(session.receive(), 10)
            await session.send(SessionCommand(op="connect", path="/ws"))
            await asyncio.sleep(4)  # longer than the idle time of the test runner's sessions
            texts = []
            while (event := await asyncio.wait_for(session.receive(), 10)) is not None:
                if event["kind"] == "message":
                    texts.append(event["text"].split()[0])
            return texts, session.result

    texts, result = asyncio.run(scenario())
    assert texts == [str(n) for n in range(200)]
    assert result.outcome == "ok"
