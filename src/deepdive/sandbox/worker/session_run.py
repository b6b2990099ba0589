"""Session runs: the learner's app stays alive and talks WebSocket (and HTTP) with a client.

The client's commands (`SessionCommand`) arrive on the control socket; each WebSocket
connection is one ASGI call fed from a queue. Everything the app sends goes back to the client as
an event: `accepted`, `message`, `closed`, `response`, `error`; each frame the client sends is
acknowledged by `delivered` (its size) when it is handed to the app. The session ends on `end`,
after `session_idle_seconds` without a command, or at the session's time limit.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from deepdive.sandbox import channel
from deepdive.sandbox.run_request import SessionCommand
from deepdive.sandbox.run_result import HttpResponse
from deepdive.sandbox.worker import app_run
from deepdive.sandbox.worker.asgi import PROGRAM_EXITS, ASGIApp, Exchange, Lifespan, Message
from deepdive.sandbox.worker.files import LearnerFiles

_HANDSHAKE = {
    "host": "testserver",
    "connection": "upgrade",
    "upgrade": "websocket",
    "sec-websocket-key": "dGhlIHNhbmRib3gga2V5IQ==",
    "sec-websocket-version": "13",
}


class _Connection:
    def __init__(self, session: SessionRun, command: SessionCommand) -> None:
        self.session = session
        self.name = command.connection
        self.incoming: asyncio.Queue[Message] = asyncio.Queue()
        self.closed = False
        self.accepted = False
        self.client_code: int | None = None  # the code the client closed with, if it did
        self.incoming.put_nowait({"type": "websocket.connect"})
        query = urllib.parse.urlencode(command.query)
        # The handshake's headers as a client sends them (Starlette's TestClient sends these);
        # the subprotocols the client offers, as Uvicorn lists them in the scope.
        headers = {**_HANDSHAKE, **{name.lower(): value for name, value in command.headers.items()}}
        offered = headers.get("sec-websocket-protocol", "")
        self.scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": command.path,
            "raw_path": command.path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()],
            "client": ("127.0.0.1", 123),
            "server": ("testserver", 80),
            "subprotocols": [part.strip() for part in offered.split(",") if part.strip()],
            "state": {},
        }

    async def run(self, app: ASGIApp) -> None:
        code = 1011
        try:
            await app(self.scope, self.incoming.get, self._send)
            # Returned without closing: after the client's close, that close; after accepting,
            # the server closes normally; never accepted, the handshake fails.
            code = self.client_code or (1000 if self.accepted else 1006)
        except (Exception, *PROGRAM_EXITS) as exc:
            self.session.emit({"kind": "error", "connection": self.name, "message": repr(exc)})
            self.session.failures.append(exc)
        finally:
            if not self.closed:
                self.closed = True
                self.session.emit({"kind": "closed", "connection": self.name, "code": code})

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            self.accepted = True
            event = {"kind": "accepted", "connection": self.name}
            if message.get("subprotocol"):
                event["subprotocol"] = message["subprotocol"]
            if message.get("headers"):
                event["headers"] = [
                    [bytes(k).decode("latin-1"), bytes(v).decode("latin-1")]
                    for k, v in message["headers"]
                ]
            self.session.emit(event)
        elif kind == "websocket.send":
            event: dict[str, Any] = {"kind": "message", "connection": self.name}
            if message.get("text") is not None:
                event["text"] = message["text"]
            else:
                event["data_base64"] = base64.b64encode(message.get("bytes") or b"").decode()
            self.session.emit(event)
        elif kind == "websocket.close":
            self.closed = True
            self.session.emit(
                {
                    "kind": "closed",
                    "connection": self.name,
                    "code": message.get("code", 1000),
                    "reason": message.get("reason", ""),
                }
            )


# An event travels to the client in one control packet, with room to spare for its envelope.
_EVENT_ROOM = channel.MAX_MESSAGE - 4096


def _encoded_size(event: dict[str, Any]) -> int:
    return len(json.dumps(event, separators=(",", ":")).encode())


def _fitting(event: dict[str, Any]) -> dict[str, Any]:
    """`event`, or a copy whose frame or response body is cut short (`truncated`) to fit one
    packet: a frame keeps its whole `size` in bytes, a response its `size_bytes`.

    Only frames and responses can be that large; a frame short enough to fit whatever JSON makes
    of it (at most 12 bytes a character) is not encoded here just to be measured."""
    kind = event.get("kind")
    if kind == "message":
        frame = event.get("text") or event.get("data_base64") or ""
        if len(frame) * 12 + 1024 <= _EVENT_ROOM:
            return event
    elif kind != "response":
        return event
    if _encoded_size(event) <= _EVENT_ROOM:
        return event
    event = dict(event)
    if kind == "message":
        holder, key = event, "text" if "text" in event else "data_base64"
        value = event.get(key) or ""
        padding = value[-2:].count("=")
        event["size"] = len(value.encode()) if key == "text" else len(value) * 3 // 4 - padding
    elif isinstance(event.get("response"), dict):
        holder = event["response"] = dict(event["response"])
        key, holder["json_body"], holder["is_json"] = "body", None, False
    else:
        return event
    text = holder.get(key) or ""
    keep = len(text)
    holder["truncated"] = True
    while keep and _encoded_size(event) > _EVENT_ROOM:
        keep = keep // 2
        if key != "text":
            keep -= keep % 4  # whole base64 groups
        holder[key] = text[:keep]
    return event


class SessionRun:
    """Serves one session: commands arrive on `control`, events leave through `emit`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        control: socket.socket,
        files: LearnerFiles,
        emit: Callable[[dict[str, Any]], None],
        idle_seconds: float,
    ) -> None:
        self.app = app
        self._control = control
        self._files = files
        self._emit = emit
        self._idle_seconds = idle_seconds
        self._started = time.perf_counter()
        self.responses: list[HttpResponse] = []
        self.failures: list[BaseException] = []
        self._connections: dict[str, _Connection] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._commands: asyncio.Queue[SessionCommand | None] = asyncio.Queue()

    def emit(self, event: dict[str, Any]) -> None:
        # Every event carries when it happened, measured here, beside the app.
        event = {**event, "t_ms": round((time.perf_counter() - self._started) * 1000, 3)}
        self._emit(_fitting(event))

    async def serve(self) -> None:
        lifespan = Lifespan(self.app)
        await lifespan.startup()
        loop = asyncio.get_running_loop()
        ctl = self._control
        ctl.setblocking(False)
        loop.add_reader(ctl.fileno(), self._on_packet)
        self.emit({"kind": "ready"})
        try:
            async with app_run.client_for(self.app) as client:
                await self._loop(client)
        finally:
            loop.remove_reader(ctl.fileno())
            ctl.setblocking(True)
            for connection in self._connections.values():
                if not connection.closed:
                    connection.incoming.put_nowait({"type": "websocket.disconnect", "code": 1001})
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), 1)
            await lifespan.shutdown()
        if self.failures:
            raise self.failures[0]

    async def _loop(self, client: Any) -> None:
        idle = self._idle_seconds
        while True:
            try:
                command = await asyncio.wait_for(self._commands.get(), idle)
            except TimeoutError:
                self.emit({"kind": "idle", "seconds": idle})
                return
            if command is None or command.op == "end":
                return
            await self._apply(command, client)

    async def _apply(self, command: SessionCommand, client: Any) -> None:
        connection = self._connections.get(command.connection)
        if command.op == "connect":
            if connection is not None and not connection.closed:
                self.emit({"kind": "error", "message": f"{command.connection} is already open"})
                return
            problem = app_run.header_problem(command.headers, latin_1=True)
            if problem is not None:
                message = f"{command.connection} was not opened: {problem}"
                self.emit({"kind": "error", "connection": command.connection, "message": message})
                return
            connection = _Connection(self, command)
            self._connections[command.connection] = connection
            self._tasks.append(asyncio.ensure_future(connection.run(self.app)))
        elif command.op == "request" and command.request is not None:
            index = len(self.responses)
            exchange = Exchange(index)
            response = await app_run.send_one(client, command.request, exchange, self._files)
            self.responses.append(response)
            self.emit({"kind": "response", "response": response.model_dump(mode="json")})
        elif connection is None or connection.closed:
            self.emit({"kind": "error", "message": f"{command.connection} is not open"})
        elif command.op == "send":
            message: Message = {"type": "websocket.receive"}
            if command.text is not None:
                message["text"] = command.text
            else:
                message["bytes"] = base64.b64decode(command.data_base64 or "")
            connection.incoming.put_nowait(message)
            # When the frame reached the app's side, on the same clock as the app's replies.
            size = len(command.text.encode()) if command.text is not None else len(message["bytes"])
            self.emit({"kind": "delivered", "connection": command.connection, "size": size})
        elif command.op == "close":
            connection.client_code = command.code
            connection.incoming.put_nowait({"type": "websocket.disconnect", "code": command.code})

    def _on_packet(self) -> None:
        while True:
            try:
                packet = self._control.recv(channel.MAX_MESSAGE)
            except BlockingIOError:
                return
            except OSError:
                packet = b""
            if not packet:
                self._commands.put_nowait(None)
                return
            message = channel.decode(packet)
            if message is None or message["type"] != "session":
                continue
            try:
                self._commands.put_nowait(SessionCommand.model_validate(message["command"]))
            except ValidationError as error:
                self.emit({"kind": "error", "message": str(error)})
