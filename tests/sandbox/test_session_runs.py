"""Session runs: a long-lived sandbox that talks WebSocket with the client."""

from __future__ import annotations

import asyncio

from deepdive.sandbox.run_request import HttpRequest, RunRequest, SessionCommand

ECHO = """
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
members = []


@app.websocket("/ws/{name}")
async def chat(websocket: WebSocket, name: str):
    await websocket.accept()
    members.append(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            for member in members:
                await member.send_text(f"{name}: {text}")
    except WebSocketDisconnect:
        members.remove(websocket)
        print(f"{name} left")


@app.get("/members")
def count():
    return {"members": len(members)}
"""


async def _next_of(session, kind: str) -> dict:
    while True:
        event = await asyncio.wait_for(session.receive(), 5)
        assert event is not None, "the session ended early"
        if event["kind"] == kind:
            return event


def test_two_connections_see_each_others_messages(runner_client):
    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=ECHO)) as session:
            await _next_of(session, "ready")
            await session.send(SessionCommand(op="connect", connection="a", path="/ws/ada"))
            await _next_of(session, "accepted")
            await session.send(SessionCommand(op="connect", connection="b", path="/ws/bob"))
            await _next_of(session, "accepted")
            await session.send(SessionCommand(op="send", connection="a", text="hello"))
            first = await _next_of(session, "message")
            second = await _next_of(session, "message")
            await session.send(SessionCommand(op="request", request=HttpRequest(path="/members")))
            response = await _next_of(session, "response")
            await session.send(SessionCommand(op="close", connection="b"))
            result = await session.end()
        return first, second, response, result

    first, second, response, result = asyncio.run(scenario())
    assert {first["connection"], second["connection"]} == {"a", "b"}
    assert first["text"] == second["text"] == "ada: hello"
    assert response["response"]["json_body"] == {"members": 2}
    assert result.outcome == "ok"
    assert result.kind == "session"
    assert "bob left" in result.stdout


def test_idle_session_ends_by_itself(runner_client):
    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=ECHO)) as session:
            kinds = []
            while (event := await asyncio.wait_for(session.receive(), 15)) is not None:
                kinds.append(event["kind"])
            return kinds, session.result

    kinds, result = asyncio.run(scenario())
    assert kinds == ["ready", "idle"]
    assert result.outcome == "ok"


LARGE = """
from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.get("/boom")
def boom():
    return {"x": 1 / 0}


@app.get("/large")
def large():
    return {"data": "b" * 300_000}


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text("t" * 500_000)
    await websocket.send_bytes(bytes(400_000))
    await websocket.send_text("small")
    await websocket.close()
"""


def test_large_answers_and_errors_reach_a_session_client(runner_client):
    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=LARGE)) as session:
            await _next_of(session, "ready")
            events = []
            for path in ("/boom", "/large"):
                request = HttpRequest(path=path)
                await session.send(SessionCommand(op="request", request=request))
                events.append(await _next_of(session, "response"))
            await session.send(SessionCommand(op="connect", connection="a", path="/ws"))
            events += [await _next_of(session, "message") for _ in range(3)]
            await _next_of(session, "closed")
            return events, await session.end()

    (boom, large, text, data, small), result = asyncio.run(scenario())
    assert boom["response"]["status"] == 500
    assert boom["response"]["error"]["type"] == "ZeroDivisionError"
    assert boom["response"]["error"]["line"] == 9
    assert large["response"]["status"] == 200
    assert large["response"]["size_bytes"] > 300_000
    assert large["response"]["truncated"] is True
    assert large["response"]["body"].startswith('{"data":"bbb')
    assert text["size"] == 500_000
    assert text["truncated"]
    assert set(text["text"]) == {"t"}
    assert data["size"] == 400_000
    assert data["truncated"]
    assert small["text"] == "small"
    assert "truncated" not in small
    assert result.responses[1].size_bytes > 300_000


HANDSHAKE = """
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    offered = websocket.scope["subprotocols"]
    await websocket.accept(subprotocol=offered[-1], headers=[(b"x-room", b"lobby")])
    await websocket.send_json(
        {"offered": offered, "version": websocket.headers["sec-websocket-version"]}
    )
    try:
        await websocket.receive_text()
    except WebSocketDisconnect:
        pass
"""


def test_the_handshake_carries_the_offered_subprotocols_and_the_answer_is_shown(runner_client):
    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=HANDSHAKE)) as session:
            await _next_of(session, "ready")
            headers = {"Sec-WebSocket-Protocol": "json, chat.v2"}
            await session.send(SessionCommand(op="connect", path="/ws", headers=headers))
            accepted = await _next_of(session, "accepted")
            message = await _next_of(session, "message")
            refused = {"X-Name": "\u2603"}
            await session.send(SessionCommand(op="connect", connection="b", headers=refused))
            error = await _next_of(session, "error")
            result = await session.end()
        return accepted, message, error, result

    accepted, message, error, result = asyncio.run(scenario())
    assert accepted["subprotocol"] == "chat.v2"
    assert accepted["headers"] == [["x-room", "lobby"]]
    assert message["text"] == '{"offered":["json","chat.v2"],"version":"13"}'
    assert error["connection"] == "b"
    assert "which HTTP headers cannot carry" in error["message"]
    assert result.outcome == "ok", result.message


LEAVING = """
import sys

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.receive_text()
    sys.exit(1)


@app.get("/")
def root():
    return {"alive": True}
"""


def test_sys_exit_in_a_websocket_closes_that_connection_and_the_app_goes_on(runner_client):
    # As under Uvicorn: the connection is closed (1011), the server keeps serving.
    async def scenario():
        async with runner_client.session(RunRequest(kind="session", code=LEAVING)) as session:
            await _next_of(session, "ready")
            await session.send(SessionCommand(op="connect", path="/ws"))
            await _next_of(session, "accepted")
            await session.send(SessionCommand(op="send", text="bye"))
            error = await _next_of(session, "error")
            closed = await _next_of(session, "closed")
            await session.send(SessionCommand(op="request", request=HttpRequest(path="/")))
            answer = await _next_of(session, "response")
            result = await session.end()
        return error, closed, answer, result

    error, closed, answer, result = asyncio.run(scenario())
    assert error["message"] == "SystemExit(1)"
    assert closed["code"] == 1011
    assert answer["response"]["json_body"] == {"alive": True}
    assert result.outcome == "runtime_error"
    assert result.message == "SystemExit on line 13 of app.py: 1"
