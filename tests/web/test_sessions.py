"""Session runs from the page: the platform's WebSocket relays to a live sandbox session."""

from __future__ import annotations

import json

import pytest
from starlette.websockets import WebSocketDisconnect
from tests.conftest import BASE_URL

WIDGET = "basics/first-endpoint"
WS_URL = BASE_URL.replace("http", "ws", 1) + "/api/sessions"
ECHO = """
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            if text == "bye":
                await websocket.close(code=4000, reason="asked to")
                return
            await websocket.send_text(f"echo: {text}")
    except WebSocketDisconnect:
        pass
"""


def _open(client):
    token = client.csrf_headers()["X-CSRF-Token"]
    socket = client.websocket_connect(WS_URL, headers={"Origin": BASE_URL})
    return socket, token


def _until(socket, wanted: str) -> dict:
    for _ in range(50):
        message = json.loads(socket.receive_text())
        if message["event"] == wanted or (
            message["event"] == "session" and message["data"]["kind"] == wanted
        ):
            return message
        assert message["event"] not in ("error", "result"), message
    raise AssertionError(f"no {wanted} event")


def _start(socket, token: str, code: str = ECHO) -> None:
    socket.send_text(json.dumps({"op": "start", "widget": WIDGET, "code": code, "csrf": token}))


def test_frames_go_to_the_learners_app_and_come_back_with_timestamps(client):
    socket, token = _open(client)
    with socket:
        _start(socket, token)
        _until(socket, "ready")
        socket.send_text(json.dumps({"op": "connect", "connection": "me", "path": "/ws"}))
        _until(socket, "accepted")
        socket.send_text(json.dumps({"op": "send", "connection": "me", "text": "hello"}))
        echoed = _until(socket, "message")["data"]
        assert echoed["text"] == "echo: hello"
        assert echoed["t_ms"] > 0
        socket.send_text(json.dumps({"op": "send", "connection": "me", "text": "bye"}))
        closed = _until(socket, "closed")["data"]
        assert (closed["code"], closed["reason"]) == (4000, "asked to")
        socket.send_text(json.dumps({"op": "end"}))
        result = _until(socket, "result")
        assert result["result"]["kind"] == "session"
        assert result["attempts"] == 1


def test_bad_messages_are_refused_with_a_reason_and_the_session_goes_on(client):
    socket, token = _open(client)
    with socket:
        _start(socket, token)
        _until(socket, "ready")
        socket.send_text("not json")
        assert "Not a session command" in _until(socket, "refused")["message"]
        socket.send_bytes(b"\x00\x01")
        assert "text frames" in _until(socket, "refused")["message"]
        socket.send_text(json.dumps({"op": "send", "text": "x" * (70 * 1024)}))
        assert "the limit is 64 KiB" in _until(socket, "refused")["message"]
        socket.send_text(json.dumps({"op": "connect", "connection": "me", "path": "/ws"}))
        _until(socket, "accepted")


def test_a_flood_of_messages_is_throttled_with_a_clear_message(client):
    socket, token = _open(client)
    with socket:
        _start(socket, token)
        _until(socket, "ready")
        socket.send_text(json.dumps({"op": "connect", "connection": "me", "path": "/ws"}))
        _until(socket, "accepted")
        # Far more than a burst's 20: the server may take its time over each one on a busy machine
        # (the bucket refills as it goes), and the refusal must still come.
        for n in range(200):
            socket.send_text(json.dumps({"op": "send", "connection": "me", "text": str(n)}))
        refused = _until(socket, "refused")
        assert "faster than 20 messages a second" in refused["message"]


def test_a_session_needs_the_pages_token_and_origin(client):
    socket, _ = _open(client)
    with socket:
        _start(socket, "forged.token")
        message = json.loads(socket.receive_text())
        assert message["event"] == "error"
        assert "security token" in message["message"]
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_text()
        assert closed.value.code == 1008
    foreign = client.websocket_connect(WS_URL, headers={"Origin": "http://evil.test"})
    with pytest.raises(WebSocketDisconnect) as refused, foreign:
        pass
    assert refused.value.code == 1008


def test_closing_the_page_ends_the_sandbox_session(client, runner_client):
    import asyncio
    import time

    socket, token = _open(client)
    with socket:
        _start(socket, token)
        _until(socket, "ready")
    deadline = time.monotonic() + 5
    while asyncio.run(runner_client.ping()).running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert asyncio.run(runner_client.ping()).running == 0


ROOM = """
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
members = {}


@app.websocket("/rooms/{room}")
async def chat(websocket: WebSocket, room: str, name: str):
    await websocket.accept()
    members[name] = websocket
    try:
        while True:
            text = await websocket.receive_text()
            for member in list(members.values()):
                await member.send_text(f"{name}: {text}")
    except WebSocketDisconnect:
        del members[name]
        for member in list(members.values()):
            await member.send_text(f"{name} left")
"""


def _start_room(socket, token: str, room: str, code: str = ROOM) -> None:
    start = {"op": "start", "widget": WIDGET, "code": code, "csrf": token, "room": room}
    socket.send_text(json.dumps(start))


def _message_on(socket, connection: str) -> str:
    for _ in range(50):
        message = json.loads(socket.receive_text())
        data = message.get("data", {})
        if data.get("kind") == "message" and data.get("connection") == connection:
            return data["text"]
        assert message["event"] not in ("error", "result"), message
    raise AssertionError(f"no message on {connection}")


def test_two_tabs_of_a_room_share_one_app_and_hear_each_other(client, runner_client):
    import asyncio

    first, token = _open(client)
    with first:
        _start_room(first, token, "lobby")
        _until(first, "ready")
        second, _ = _open(client)
        with second:
            _start_room(second, token, "lobby")
            joined = _until(second, "joined")
            assert joined["members"] == 2
            assert asyncio.run(runner_client.ping()).running == 1
            first.send_text(
                json.dumps(
                    {
                        "op": "connect",
                        "connection": "t1",
                        "path": "/rooms/lobby",
                        "query": {"name": "ada"},
                    }
                )
            )
            _until(first, "accepted")
            second.send_text(
                json.dumps(
                    {
                        "op": "connect",
                        "connection": "t2",
                        "path": "/rooms/lobby",
                        "query": {"name": "bob"},
                    }
                )
            )
            _until(second, "accepted")
            second.send_text(json.dumps({"op": "send", "connection": "t2", "text": "hi ada"}))
            assert _message_on(first, "t1") == "bob: hi ada"
        # The second tab has gone: its connection was closed, and the app told the room.
        assert _message_on(first, "t1") == "bob left"


def test_a_room_started_again_with_other_code_replaces_the_old_session(client):
    first, token = _open(client)
    with first:
        _start_room(first, token, "replace-me")
        _until(first, "ready")
        second, _ = _open(client)
        with second:
            _start_room(second, token, "replace-me", ROOM + "\n# edited\n")
            told = _until(first, "refused")
            assert "different code" in told["message"]
            _until(first, "result")
            _until(second, "ready")
