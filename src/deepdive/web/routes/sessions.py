"""Session runs from the page: a WebSocket of the platform relayed to a long-lived sandbox.

The page opens `/api/sessions`, and its first message starts the learner's app in a sandbox:

    {"op": "start", "widget": "slug/id", "code": "...", "csrf": "<the CSRF cookie's token>"}

Then it sends the session's commands (`deepdive.sandbox.SessionCommand` as JSON: `connect`,
`send`, `close`, `request`, `end`) and receives, as JSON text frames:

* `{"event": "queued", "position": n}` and `{"event": "started"}`;
* `{"event": "session", "data": {...}}` for everything the app did (`ready`, `accepted`,
  `message`, `closed`, `response`, `error`, `idle`), each with `t_ms` measured in the sandbox;
* `{"event": "refused", "message": ..., "frame": n}` for a message that was not passed on (too
  large, too fast, not a command), the session going on; `n` counts the page's messages after
  its start, so the page knows which one it was;
* `{"event": "result", "result": RunResult, "attempts": n}` when the session is over, or
  `{"event": "error", "message": ...}` when it could not start or the runner went away.

The socket closes after the result (1000), on a refusal to start (1008), or when the runner is
unavailable (1011). Closing the page's socket ends the sandbox's session.

Rooms: a start with `"room": "<name>"` shares one session between the learner's own tabs. The
first tab of a room starts the app; a later tab of the same learner, widget and room joins that
session (`{"event": "joined", "members": n}`) and hears every event of it, so WebSocket
connections opened from two tabs meet in the same app. A tab leaving closes the connections it
opened (the app sees them disconnect); the session ends when its last tab has left, or when a tab
starts the room again with different code (the others are told to join again). Rooms are the
learner's tabs, never another learner's. In hosted mode a tab served by another web worker joins
too: the room's events and that tab's commands travel through Redis (see web/room_relay.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, ValidationError
from redis.exceptions import RedisError

from deepdive.accounts.sessions import LoginRequiredError
from deepdive.course.progress import save_draft
from deepdive.sandbox import (
    Finished,
    Queued,
    RateLimitError,
    RunLostError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    RunQueueFullError,
    RunRequest,
    SessionCommand,
    SessionEvent,
    Started,
)
from deepdive.sandbox.client import Session
from deepdive.settings import Settings
from deepdive.web.deps import NO_RUNNER, learner_id_of, run_owner
from deepdive.web.ratelimits import LimitsUnavailableError
from deepdive.web.room_relay import (
    MAX_ROOM_MEMBERS,
    RemoteRoom,
    RoomHost,
    find_room,
    follow_room,
    room_full,
    room_key,
)
from deepdive.web.routes.drafts import MAX_CODE_CHARS, WidgetRef
from deepdive.web.security import request_csrf_cookie, same_origin

router = APIRouter()

_START_TIMEOUT = 10.0
_GONE = "The session ended: the sandbox runner closed the connection. Start it again."


class SessionStart(BaseModel):
    op: str = Field(pattern="^start$")
    widget: WidgetRef
    code: str = Field(max_length=MAX_CODE_CHARS)
    csrf: str = Field(max_length=200)
    room: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")


_REPLACED = (
    "Another tab started this room again with different code, so this tab's session ended. "
    "Press Connect to join the new one."
)


class _Room:
    """One session run shared by a learner's tabs: its events go to every member."""

    def __init__(self, session: Session, code: str) -> None:
        self.session = session
        self.code = code
        self.members: list[WebSocket] = []
        self.ended = False
        # Connections the app has closed (or never opened): nothing to close for a leaving tab.
        self.closed: set[str] = set()
        # Hosted mode: the room announced in Redis, and the tabs that joined from other workers.
        self.host: RoomHost | None = None
        self.remote: set[str] = set()

    async def broadcast(self, data: dict[str, Any]) -> None:
        for member in list(self.members):
            await _send(member, data)
        if self.host is not None:
            await self.host.publish(data)

    def full(self) -> bool:
        return len(self.members) + len(self.remote) >= MAX_ROOM_MEMBERS

    async def remote_joined(self, member: str) -> int | None:
        """A tab on another worker asks to join: the room's tab count, or None when full."""
        if self.ended or self.full():
            return None
        self.remote.add(member)
        return len(self.members) + len(self.remote)

    async def remote_command(self, _member: str, command: SessionCommand) -> None:
        if command.op == "connect":
            self.closed.discard(command.connection)
        with contextlib.suppress(RunnerUnavailableError):
            await self.session.send(command)

    async def remote_left(self, member: str, opened: set[str]) -> None:
        self.remote.discard(member)
        with contextlib.suppress(RunnerUnavailableError):
            for name in sorted(opened - self.closed):
                await self.session.send(SessionCommand(op="close", connection=name, code=1001))
            if not self.members and not self.remote and not self.ended:
                self.ended = True
                await self.session.send(SessionCommand(op="end"))

    async def leave(self, websocket: WebSocket, opened: set[str], *, gone: bool) -> None:
        """`websocket`'s tab has gone (or asked to end, and stays to hear the result): its
        connections close; the last one out ends the run."""
        listening = [member for member in self.members if member is not websocket]
        if gone:
            self.members = listening
        with contextlib.suppress(RunnerUnavailableError):
            for name in sorted(opened - self.closed):
                await self.session.send(SessionCommand(op="close", connection=name, code=1001))
            if not listening and not self.remote and not self.ended:
                self.ended = True
                await self.session.send(SessionCommand(op="end"))

    async def replace(self) -> None:
        """A newer start of the room with other code: this run ends, its tabs are told."""
        self.ended = True
        await self.broadcast({"event": "refused", "message": _REPLACED})
        with contextlib.suppress(RunnerUnavailableError):
            await self.session.send(SessionCommand(op="end"))


def _rooms(state: Any) -> dict[tuple[int, str, str], _Room]:
    if not hasattr(state, "session_rooms"):
        state.session_rooms = {}
    return state.session_rooms


class _Throttle:
    """A token bucket: `rate` messages a second on average, bursts of up to `rate`."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = rate
        self.last = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


async def _send(websocket: WebSocket, data: dict[str, Any]) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_text(json.dumps(data))


async def _refuse_start(websocket: WebSocket, message: str) -> None:
    await _send(websocket, {"event": "error", "message": message})
    with contextlib.suppress(RuntimeError):
        await websocket.close(code=1008)


def _allowed(websocket: WebSocket) -> bool:
    scheme = "https" if websocket.url.scheme == "wss" else "http"
    return same_origin(websocket.headers, scheme)


@router.websocket("/api/sessions")
async def session_socket(websocket: WebSocket) -> None:
    """Relay the page's commands to a session run and its events back (see the module)."""
    if not _allowed(websocket):
        await websocket.close(code=1008)  # another site's page: refused before accepting
        return
    await websocket.accept()
    state = websocket.app.state
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), _START_TIMEOUT)
        start = SessionStart.model_validate_json(raw)
    except (TimeoutError, ValidationError, KeyError, WebSocketDisconnect) as problem:
        if not isinstance(problem, WebSocketDisconnect):
            await _refuse_start(
                websocket,
                'The session did not start: the first message must be {"op": "start", '
                '"widget": ..., "code": ..., "csrf": ...}.',
            )
        return
    cookie = request_csrf_cookie(websocket.scope)
    valid = cookie and state.csrf_tokens.valid(cookie) and hmac.compare_digest(cookie, start.csrf)
    if not valid:
        await _refuse_start(
            websocket, "The page's security token is missing or out of date. Reload the page."
        )
        return
    slug, _, interactive_id = start.widget.partition(":")[0].partition("/")
    if state.course.widget(f"{slug}/{interactive_id}") is None:
        await _refuse_start(websocket, f"There is no interactive {slug}/{interactive_id}.")
        return
    client: RunnerClient | None = state.sandbox
    if client is None:
        await _send(websocket, {"event": "error", "message": NO_RUNNER})
        await websocket.close(code=1011)
        return
    try:
        learner_id = await learner_id_of(websocket)
        await state.run_limiter.acquire(str(learner_id))
    except (RateLimitError, LoginRequiredError) as refused:
        await _refuse_start(websocket, str(refused))
        return
    except LimitsUnavailableError as down:
        await _refuse_start(websocket, down.message)
        return
    key = (learner_id, start.widget.partition(":")[0], start.room) if start.room else None
    room = _rooms(state).get(key) if key else None
    if room is not None and not room.ended and room.code == start.code:
        if room.full():  # this worker's tabs and those that joined from other workers
            await _refuse_start(websocket, room_full(start.room or ""))
            return
        await _join(websocket, room, start.room or "")
        return
    if room is None and key and _redis_url(state):
        remote = await find_room(_redis_url(state) or "", room_key(*key), start.code)
        if remote is not None:
            await _join_remote(websocket, remote, room_key(*key))
            return
    if room is not None and not room.ended:
        await room.replace()
    attempts = await run_in_threadpool(_record_attempt, state, learner_id, start)
    run = RunRequest(kind="session", code=start.code)
    await _relay(websocket, client, run, attempts, run_owner(learner_id), key, start.code)


def _redis_url(state: Any) -> str | None:
    settings: Settings = state.settings
    return settings.redis_url if settings.mode == "hosted" else None


async def _announce(state: Any, room: _Room, key: str) -> RoomHost | None:
    """In hosted mode, let tabs on other workers find and join the room (None when Redis does
    not answer: the room still works for this worker's tabs)."""
    url = _redis_url(state)
    if url is None:
        return None
    host = RoomHost(url, key, room.code)
    try:
        await host.start(room.remote_joined, room.remote_command, room.remote_left)
    except RedisError:
        await host.close()
        return None
    return host


async def _join_remote(websocket: WebSocket, client: Any, key: str) -> None:
    """A tab whose room is held by another worker: it hears the room through Redis and its
    commands go there, until the session's result or the tab leaving."""
    room = RemoteRoom(client, key)
    joined = asyncio.Event()
    follower = asyncio.ensure_future(
        follow_room(client, room, lambda event: _send(websocket, event), joined)
    )
    inbound: asyncio.Future[None] | None = None
    try:
        waiting = asyncio.ensure_future(joined.wait())
        try:
            await asyncio.wait(
                {waiting, follower}, timeout=_START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            waiting.cancel()
        if room.ended:  # refused: the room is full, and the tab was told so
            return
        if not joined.is_set():
            await _send(websocket, {"event": "error", "message": _GONE})
            return
        inbound = asyncio.ensure_future(_inbound(websocket, room, websocket.app.state.settings))
        await asyncio.wait({follower, inbound}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (follower, inbound):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await client.aclose()
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await websocket.close(code=1000)


def _record_attempt(state: Any, learner_id: int, start: SessionStart) -> int:
    with state.session_factory() as session:
        return save_draft(session, learner_id, start.widget, start.code, attempted=True)


async def _relay(
    websocket: WebSocket,
    client: RunnerClient,
    run: RunRequest,
    attempts: int,
    owner: str,
    key: tuple[int, str, str] | None = None,
    code: str = "",
) -> None:
    settings: Settings = websocket.app.state.settings
    rooms = _rooms(websocket.app.state)
    try:
        async with client.session(run, owner=owner) as session:
            room = _Room(session, code)
            room.members.append(websocket)
            if key:
                rooms[key] = room
                room.host = await _announce(websocket.app.state, room, room_key(*key))
            inbound = asyncio.ensure_future(_inbound(websocket, room, settings))
            try:
                await _outbound(room, attempts)
            finally:
                inbound.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await inbound
                room.ended = True
                if room.host is not None:
                    await room.host.close()
                if key and rooms.get(key) is room:
                    del rooms[key]
    except (RunnerUnavailableError, RunnerError, OSError) as problem:
        # A dispatched run's own messages say what happened (queue full, runner stopped).
        told = isinstance(problem, RunLostError | RunQueueFullError)
        await _send(websocket, {"event": "error", "message": str(problem) if told else _GONE})
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=1011)
        return
    for member in {id(m): m for m in [websocket, *room.members]}.values():
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await member.close(code=1000)


async def _join(websocket: WebSocket, room: _Room, name: str) -> None:
    """Another tab of the room's learner: it hears the session and sends to it until it leaves
    or the session ends."""
    room.members.append(websocket)
    members = len(room.members)
    await _send(websocket, {"event": "joined", "room": name, "members": members})
    await _inbound(websocket, room, websocket.app.state.settings)
    # The opener's relay closes every member once the result has been sent.
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await websocket.close(code=1000)


async def _outbound(room: _Room, attempts: int) -> None:
    """The runner's events, to every tab of the room, until the session's result."""
    while True:
        event = await room.session.next_event()
        if event is None:
            return
        if isinstance(event, Queued):
            await room.broadcast({"event": "queued", "position": event.position})
        elif isinstance(event, Started):
            await room.broadcast({"event": "started"})
        elif isinstance(event, SessionEvent):
            if event.event.get("kind") == "closed":
                room.closed.add(str(event.event.get("connection")))
            await room.broadcast({"event": "session", "data": event.event})
        elif isinstance(event, Finished):
            result = event.result.model_dump(mode="json")
            await room.broadcast({"event": "result", "result": result, "attempts": attempts})
            return


async def _inbound(websocket: WebSocket, room: _Room, settings: Settings) -> None:
    """The page's commands, checked, to the runner; the page leaving closes its connections
    and, when it was the room's last tab, ends the session."""
    limit = settings.session_message_kib * 1024
    throttle = _Throttle(settings.session_messages_per_second)
    session = room.session
    opened: set[str] = set()
    frame = 0  # the page's messages after its start, counted so that a refusal names one
    try:
        while not room.ended:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            frame += 1
            text = message.get("text")
            if text is None:
                await _refused(
                    websocket, frame, "Send commands as text frames of JSON, not binary."
                )
                continue
            if len(text) > limit:
                await _refused(
                    websocket,
                    frame,
                    f"That message is {len(text) // 1024} KiB; the limit is "
                    f"{settings.session_message_kib} KiB. It was not delivered.",
                )
                continue
            if not throttle.allow():
                await _refused(
                    websocket,
                    frame,
                    f"You are sending faster than {settings.session_messages_per_second:g} "
                    "messages a second: this one was not delivered.",
                )
                continue
            try:
                command = SessionCommand.model_validate_json(text)
            except ValidationError as problem:
                first = problem.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "message"
                await _refused(
                    websocket, frame, f"Not a session command ({where}: {first['msg']})."
                )
                continue
            if command.op == "end":
                await room.leave(websocket, opened, gone=False)
                return
            if command.op == "connect":
                opened.add(command.connection)
                room.closed.discard(command.connection)
            await session.send(command)
    except (WebSocketDisconnect, RuntimeError):
        pass
    await room.leave(websocket, opened, gone=True)


async def _refused(websocket: WebSocket, frame: int, message: str) -> None:
    await _send(websocket, {"event": "refused", "message": message, "frame": frame})
