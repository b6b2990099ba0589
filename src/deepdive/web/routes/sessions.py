"""Session runs from the page: a WebSocket of the platform relayed to a long-lived sandbox.

The page opens `/api/sessions`, and its first message starts the learner's app in a sandbox:

    {"op": "start", "widget": "slug/id", "code": "...", "csrf": "<the CSRF cookie's token>"}

Then it sends the session's commands (`deepdive.sandbox.SessionCommand` as JSON: `connect`,
`send`, `close`, `request`, `end`) and receives, as JSON text frames:

* `{"event": "queued", "position": n}` and `{"event": "started"}`;
* `{"event": "session", "data": {...}}` for everything the app did (`ready`, `accepted`,
  `message`, `closed`, `response`, `error`, `idle`), each with `t_ms` measured in the sandbox;
* `{"event": "refused", "message": ...}` for a message that was not passed on (too large, too
  fast, not a command), the session going on;
* `{"event": "result", "result": RunResult, "attempts": n}` when the session is over, or
  `{"event": "error", "message": ...}` when it could not start or the runner went away.

The socket closes after the result (1000), on a refusal to start (1008), or when the runner is
unavailable (1011). Closing the page's socket ends the sandbox's session.
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

from deepdive.course.progress import save_draft
from deepdive.sandbox import (
    Finished,
    Queued,
    RateLimitError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    RunRequest,
    SessionCommand,
    SessionEvent,
    Started,
)
from deepdive.sandbox.client import Session
from deepdive.settings import Settings
from deepdive.web.deps import NO_RUNNER, learner_id_of, run_owner
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
    learner_id = await learner_id_of(websocket)
    try:
        state.run_limiter.acquire(str(learner_id))
    except RateLimitError as limited:
        await _refuse_start(websocket, str(limited))
        return
    attempts = await run_in_threadpool(_record_attempt, state, learner_id, start)
    run = RunRequest(kind="session", code=start.code)
    await _relay(websocket, client, run, attempts, run_owner(learner_id))


def _record_attempt(state: Any, learner_id: int, start: SessionStart) -> int:
    with state.session_factory() as session:
        return save_draft(session, learner_id, start.widget, start.code, attempted=True)


async def _relay(
    websocket: WebSocket, client: RunnerClient, run: RunRequest, attempts: int, owner: str
) -> None:
    settings: Settings = websocket.app.state.settings
    try:
        async with client.session(run, owner=owner) as session:
            inbound = asyncio.ensure_future(_inbound(websocket, session, settings))
            try:
                await _outbound(websocket, session, attempts)
            finally:
                inbound.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await inbound
    except (RunnerUnavailableError, RunnerError, OSError):
        await _send(websocket, {"event": "error", "message": _GONE})
        with contextlib.suppress(RuntimeError):
            await websocket.close(code=1011)
        return
    with contextlib.suppress(RuntimeError):
        await websocket.close(code=1000)


async def _outbound(websocket: WebSocket, session: Session, attempts: int) -> None:
    """The runner's events, to the page, until the session's result."""
    while True:
        event = await session.next_event()
        if event is None:
            return
        if isinstance(event, Queued):
            await _send(websocket, {"event": "queued", "position": event.position})
        elif isinstance(event, Started):
            await _send(websocket, {"event": "started"})
        elif isinstance(event, SessionEvent):
            await _send(websocket, {"event": "session", "data": event.event})
        elif isinstance(event, Finished):
            result = event.result.model_dump(mode="json")
            await _send(websocket, {"event": "result", "result": result, "attempts": attempts})
            return


async def _inbound(websocket: WebSocket, session: Session, settings: Settings) -> None:
    """The page's commands, checked, to the runner; the page leaving ends the session."""
    limit = settings.session_message_kib * 1024
    throttle = _Throttle(settings.session_messages_per_second)
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                await _refused(websocket, "Send commands as text frames of JSON, not binary.")
                continue
            if len(text) > limit:
                await _refused(
                    websocket,
                    f"That message is {len(text) // 1024} KiB; the limit is "
                    f"{settings.session_message_kib} KiB. It was not delivered.",
                )
                continue
            if not throttle.allow():
                await _refused(
                    websocket,
                    f"You are sending faster than {settings.session_messages_per_second:g} "
                    "messages a second: this one was not delivered.",
                )
                continue
            try:
                command = SessionCommand.model_validate_json(text)
            except ValidationError as problem:
                first = problem.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "message"
                await _refused(websocket, f"Not a session command ({where}: {first['msg']}).")
                continue
            await session.send(command)
            if command.op == "end":
                return
    except WebSocketDisconnect:
        pass
    with contextlib.suppress(RunnerUnavailableError):
        await session.send(SessionCommand(op="end"))


async def _refused(websocket: WebSocket, message: str) -> None:
    await _send(websocket, {"event": "refused", "message": message})
