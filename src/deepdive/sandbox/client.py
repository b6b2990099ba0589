"""Talking to a runner from the web server (or anywhere): `RunnerClient`.

    client = RunnerClient(settings.runner_url, token)
    async for event in client.events(request):   # Queued, Started, then Finished
        ...
    result = await client.run(request)            # or just the result

Every failure to reach the runner raises `RunnerUnavailableError` with a message a person can act
on; a request the runner refuses raises `RunnerError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any

from pydantic import TypeAdapter

from deepdive.sandbox import protocol
from deepdive.sandbox.events import Finished, RunEvent, RunnerInfo, SessionEvent
from deepdive.sandbox.protocol import RunnerAddress
from deepdive.sandbox.run_request import RunRequest, SessionCommand
from deepdive.sandbox.run_result import RunResult

_EVENTS: TypeAdapter[RunEvent] = TypeAdapter(RunEvent)


class RunnerUnavailableError(ConnectionError):
    """The runner cannot be reached, or went away during a run."""


class RunnerError(RuntimeError):
    """The runner refused the request (invalid request, wrong token, engine failure)."""


class RunRefusedError(RunnerError):
    """The runner refused the request as it stands (an invalid request, an unknown instrument):
    sending it again will not help."""


class TooManyRunsError(RunnerError):
    """The run's owner already has all the runs one learner may have; the message says so."""


class RunQueueFullError(RunnerUnavailableError):
    """Too many runs wait for a runner already; `retry_after` says when to try again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RunLostError(RunnerUnavailableError):
    """A dispatched run ended without a result (its runner stopped, it waited too long, or the
    runner's reply made no sense); the message is meant for the learner as is."""


class EventsClient:
    """What every client of runners shares: `run()` is `events()` down to the result."""

    def events(
        self, request: RunRequest, *, owner: str | None = None
    ) -> AsyncIterator[RunEvent]:  # pragma: no cover - overridden
        raise NotImplementedError

    async def run(
        self,
        request: RunRequest,
        on_event: Callable[[RunEvent], Awaitable[None] | None] | None = None,
        *,
        owner: str | None = None,
    ) -> RunResult:
        """Run `request` and return its result (`on_event` sees the events on the way)."""
        async for event in self.events(request, owner=owner):
            if on_event is not None:
                outcome = on_event(event)
                if asyncio.iscoroutine(outcome):
                    await outcome
            if isinstance(event, Finished):
                return event.result
        raise RunnerUnavailableError(f"The runner at {self} ended the run without a result.")


class RunnerClient(EventsClient):
    """An asynchronous client for one runner (one connection per run; safe to share)."""

    def __init__(self, url: str, token: str | None = None, *, connect_timeout: float = 5.0):
        self.address = RunnerAddress.parse(url)
        self._token = token
        self._connect_timeout = connect_timeout

    def __str__(self) -> str:
        return str(self.address)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            if self.address.scheme == "unix":
                opening = asyncio.open_unix_connection(self.address.path, limit=protocol.MAX_FRAME)
            else:
                opening = asyncio.open_connection(
                    self.address.host, self.address.port, limit=protocol.MAX_FRAME
                )
            return await asyncio.wait_for(opening, self._connect_timeout)
        except (TimeoutError, OSError) as error:
            raise RunnerUnavailableError(_unreachable(self.address, error)) from error

    def _hello(self, **fields: Any) -> dict[str, Any]:
        return {"token": self._token, **{k: v for k, v in fields.items() if v is not None}}

    async def ping(self) -> RunnerInfo:
        """The runner's status (capacity, load, isolation); raises when it does not answer."""
        reader, writer = await self._connect()
        try:
            await protocol.write_frame(writer, self._hello(op="ping"))
            frame = await _next(reader, self.address)
            return RunnerInfo.model_validate(frame["info"])
        finally:
            writer.close()

    async def events(
        self, request: RunRequest, *, owner: str | None = None
    ) -> AsyncIterator[RunEvent]:
        """Run `request`, yielding `Queued`, `Started` and finally `Finished(result)`.

        `owner` names the learner the run is for: the runner shares its workers fairly between
        owners and raises `TooManyRunsError` for one who has too many runs going already.
        """
        reader, writer = await self._connect()
        try:
            hello = self._hello(op="run", request=request.model_dump(mode="json"), owner=owner)
            await protocol.write_frame(writer, hello)
            while True:
                event = _EVENTS.validate_python(await _next(reader, self.address))
                yield event
                if isinstance(event, Finished):
                    return
        finally:
            writer.close()

    def session(self, request: RunRequest, *, owner: str | None = None) -> Session:
        """Open a session run: `async with client.session(request) as session: ...`."""
        if request.kind != "session":
            raise ValueError("client.session() needs a RunRequest with kind='session'")
        return Session(self, request, owner)


class Session:
    """A live session run. Send commands, receive the app's events, then `end()`."""

    def __init__(self, client: RunnerClient, request: RunRequest, owner: str | None = None):
        self._client = client
        self._request = request
        self._owner = owner
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self.result: RunResult | None = None

    async def __aenter__(self) -> Session:
        self._reader, self._writer = await self._client._connect()
        hello = self._client._hello(
            op="run", request=self._request.model_dump(mode="json"), owner=self._owner
        )
        await protocol.write_frame(self._writer, hello)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.result is None and exc is None:
            await self.end()
        if self._writer is not None:
            self._writer.close()

    async def send(self, command: SessionCommand) -> None:
        assert self._writer is not None
        frame = {"type": "command", "command": command.model_dump(mode="json")}
        try:
            await protocol.write_frame(self._writer, frame)
        except (ConnectionError, OSError) as error:
            raise RunnerUnavailableError(_gone(self._client.address)) from error

    async def receive(self) -> dict[str, Any] | None:
        """The app's next event (`{"kind": "message", "connection": ..., "text": ...}` etc.).

        None once the session is over; `result` then holds the run's result.
        """
        while True:
            event = await self.next_event()
            if event is None:
                return None
            if isinstance(event, SessionEvent):
                return event.event

    async def next_event(self) -> RunEvent | None:
        """The runner's next event of any kind (queue position, start, the app's events, the
        result); None once the session is over."""
        if self.result is not None:
            return None
        assert self._reader is not None
        event = _EVENTS.validate_python(await _next(self._reader, self._client.address))
        if isinstance(event, Finished):
            self.result = event.result
        return event

    async def end(self) -> RunResult:
        """Finish the session and return its result."""
        if self.result is not None:
            return self.result
        with contextlib.suppress(RunnerUnavailableError):
            await self.send(SessionCommand(op="end"))
        while await self.receive() is not None:
            pass
        assert self.result is not None
        return self.result


async def _next(reader: asyncio.StreamReader, address: RunnerAddress) -> dict[str, Any]:
    try:
        frame = await protocol.read_frame(reader)
    except (protocol.ProtocolError, ConnectionError, OSError) as error:
        raise RunnerUnavailableError(_gone(address)) from error
    if frame is None:
        raise RunnerUnavailableError(_gone(address))
    if frame.get("type") == "error":
        error = _ERRORS.get(frame.get("reason"), RunnerError)
        raise error(str(frame.get("message", "the runner refused the request")))
    return frame


_ERRORS: dict[object, type[RunnerError]] = {"refused": RunRefusedError, "busy": TooManyRunsError}


def _unreachable(address: RunnerAddress, error: BaseException) -> str:
    reason = getattr(error, "strerror", None) or type(error).__name__
    return (
        f"The code runner at {address} is not answering ({reason}). "
        "Is it running? Start one with `deepdive runner`, or restart `deepdive serve`."
    )


def _gone(address: RunnerAddress) -> str:
    return f"The code runner at {address} closed the connection before the run finished."


def ping_sync(url: str, token: str | None = None, timeout: float = 2.0) -> dict[str, Any]:
    """A blocking ping, for code without an event loop (start-up checks)."""
    address = RunnerAddress.parse(url)
    family = socket.AF_UNIX if address.scheme == "unix" else socket.AF_INET
    target: Any = address.path if address.scheme == "unix" else (address.host, address.port)
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(target)
            sock.sendall(protocol.encode_frame({"op": "ping", "token": token}))
            header = _recv_exactly(sock, 4)
            data = _recv_exactly(sock, int.from_bytes(header, "big"))
        except OSError as error:
            raise RunnerUnavailableError(_unreachable(address, error)) from error
    frame = json.loads(data)
    if frame.get("type") == "error":
        raise RunnerError(str(frame.get("message")))
    return dict(frame.get("info") or {})


def _recv_exactly(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionResetError("connection closed")
        data += chunk
    return data
