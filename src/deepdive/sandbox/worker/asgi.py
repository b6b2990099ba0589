"""The engine's view of the learner's ASGI app: lifespan, and which request is in flight.

Each request the engine sends runs in its own task with `EXCHANGE` set, so the outermost wrapper
(`Recorder`) can file an unhandled exception under the right request, and instruments can tell
requests apart even when they run concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Exchange:
    """One request the engine sent, and what the app did with it."""

    index: int
    exception: BaseException | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    # The sandbox stopped reading the response's body (too large, or never ending): what the
    # app raised from then on is the sandbox's doing, not the learner's error.
    body_cut: bool = False


EXCHANGE: ContextVar[Exchange | None] = ContextVar("deepdive_exchange", default=None)

# What an app raises to end the program (`sys.exit()`, Ctrl-C), which Starlette lets pass: a
# server such as Uvicorn catches them too, ends that one request or connection, and goes on.
PROGRAM_EXITS = (SystemExit, KeyboardInterrupt)


class Recorder:
    """Outermost ASGI layer: keeps an unhandled exception instead of letting it escape.

    Starlette has already sent its 500 response by then, so the client still sees what a real
    server would send, and the learner also gets the traceback. `SystemExit` and
    `KeyboardInterrupt` raised while answering a request (`sys.exit()` in an endpoint) pass by
    Starlette: Uvicorn catches them as it catches any exception, answers 500 itself when the
    response has not begun, and goes on serving; so does this layer.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange = EXCHANGE.get()
        if exchange is None or scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            if not exchange.body_cut:
                exchange.exception = exc
        except PROGRAM_EXITS as exc:
            exchange.exception = exc
            if not started:
                await send(_SERVER_ERROR_START)
                await send(_SERVER_ERROR_BODY)


# What Uvicorn answers for an exception that no layer of the app turned into a response.
_SERVER_ERROR_START: Message = {
    "type": "http.response.start",
    "status": 500,
    "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")],
}
_SERVER_ERROR_BODY: Message = {"type": "http.response.body", "body": b"Internal Server Error"}


class LifespanError(Exception):
    """The app's startup (or shutdown, `phase`) failed; `original` is the learner's exception
    when there is one."""

    def __init__(
        self, message: str, original: BaseException | None, phase: str = "startup"
    ) -> None:
        super().__init__(message)
        self.original = original
        self.phase = phase


# The lifespan phase the app has begun and not finished ("startup", "shutdown"): a run stopped
# while waiting in one says so.
LIFESPAN_PENDING: list[str] = []


class Lifespan:
    """Drives the ASGI lifespan protocol (httpx's ASGITransport does not)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._incoming: asyncio.Queue[Message] = asyncio.Queue()
        self._outgoing: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._supported = True

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        self._task = asyncio.ensure_future(self._app(scope, self._incoming.get, self._send))
        await self._incoming.put({"type": "lifespan.startup"})
        reply = await self._pending("startup")
        if reply is None:
            self._supported = False
        elif reply["type"] == "lifespan.startup.failed":
            raise LifespanError(reply.get("message", ""), await self._exception())

    async def shutdown(self) -> None:
        """Like Uvicorn, report a shutdown that failed (the app's requests were answered)."""
        if not self._supported or self._task is None or self._task.done():
            return
        await self._incoming.put({"type": "lifespan.shutdown"})
        reply = await self._pending("shutdown")
        if reply is not None and reply["type"] == "lifespan.shutdown.failed":
            raise LifespanError(reply.get("message", ""), await self._exception(), "shutdown")

    async def _pending(self, phase: str) -> Message | None:
        LIFESPAN_PENDING.append(phase)
        reply = await self._reply()
        LIFESPAN_PENDING.remove(phase)  # not reached when a limit stops the run in between
        return reply

    async def _send(self, message: Message) -> None:
        await self._outgoing.put(message)

    async def _reply(self) -> Message | None:
        assert self._task is not None
        getter = asyncio.ensure_future(self._outgoing.get())
        done, _ = await asyncio.wait({getter, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        # The app returned or raised without answering: it does not speak lifespan.
        if not self._task.cancelled() and self._task.exception() is not None:
            exc = self._task.exception()
            if isinstance(exc, Exception):
                return None
            raise exc  # type: ignore[misc]
        return None

    async def _exception(self) -> BaseException | None:
        assert self._task is not None
        try:
            await self._task
        except Exception as exc:
            return exc
        return None
