"""The runner service: an `Engine` behind a Unix or TCP socket, for the web server and others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import stat
from typing import Any

from pydantic import ValidationError

from deepdive.sandbox import protocol
from deepdive.sandbox.engine import Engine, EngineError
from deepdive.sandbox.events import RunEvent
from deepdive.sandbox.run_request import RunRequest, SessionCommand
from deepdive.sandbox.secrets_scrub import token_matches
from deepdive.sandbox.waiting import OwnerLimitError

log = logging.getLogger("deepdive.sandbox")
_HELLO_TIMEOUT = 10.0


class RunnerServer:
    """Accepts connections and runs their requests through `engine`."""

    def __init__(self, engine: Engine, token_digest: bytes | None) -> None:
        self.engine = engine
        self._digest = token_digest
        self._servers: list[asyncio.AbstractServer] = []
        self._paths: list[str] = []

    async def listen_unix(self, path: str) -> None:
        """Listen on a Unix socket only the current user can reach (mode 0600)."""
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            sock.bind(path)
        finally:
            os.umask(old_umask)
        self._paths.append(path)
        server = await asyncio.start_unix_server(
            lambda r, w: self._handle(r, w, remote=False), sock=sock, limit=protocol.MAX_FRAME
        )
        self._servers.append(server)

    async def listen_tcp(self, host: str, port: int) -> int:
        """Listen on TCP (a token is then mandatory). Returns the port actually bound."""
        if self._digest is None:
            raise ValueError("a TCP runner needs a token (DEEPDIVE_RUNNER_TOKEN)")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # Bound by hand: a host name would be resolved in a helper thread, and the runner
        # forks sandboxes, which must not happen while other threads exist.
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        server = await asyncio.start_server(
            lambda r, w: self._handle(r, w, remote=True), sock=sock, limit=protocol.MAX_FRAME
        )
        self._servers.append(server)
        return int(sock.getsockname()[1])

    async def close(self) -> None:
        for server in self._servers:
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        for path in self._paths:
            with contextlib.suppress(OSError):
                os.unlink(path)

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, remote: bool
    ) -> None:
        try:
            hello = await asyncio.wait_for(protocol.read_frame(reader), _HELLO_TIMEOUT)
            if hello is None:
                return
            if not token_matches(hello.get("token"), self._digest) or (
                remote and self._digest is None
            ):
                await _error(writer, "The runner refused the connection: wrong or missing token.")
                return
            op = hello.get("op")
            if op == "ping":
                info = self.engine.info().model_dump(mode="json")
                await protocol.write_frame(writer, {"type": "pong", "info": info})
            elif op == "run":
                await self._run(hello, reader, writer)
            else:
                await _error(writer, f"Unknown operation {op!r}.")
        except (TimeoutError, protocol.ProtocolError) as problem:
            with contextlib.suppress(Exception):
                await _error(writer, f"Protocol error: {problem}")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _run(
        self, hello: dict[str, Any], reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            request = RunRequest.model_validate(hello.get("request"))
        except ValidationError as problem:
            await _error(writer, f"Invalid run request: {problem}", reason="refused")
            return
        owner = hello.get("owner")
        if owner is not None and not (isinstance(owner, str) and 0 < len(owner) <= 200):
            await _error(writer, "Invalid run request: `owner` must be a short string.", "refused")
            return
        commands: asyncio.Queue[SessionCommand | None] | None = None
        if request.kind == "session":
            commands = asyncio.Queue()

        async def send(event: RunEvent) -> None:
            await protocol.write_frame(writer, event.model_dump_json())

        run = asyncio.ensure_future(self.engine.run(request, send, commands, owner))
        listener = asyncio.ensure_future(_listen(reader, commands))
        try:
            await asyncio.wait({run, listener}, return_when=asyncio.FIRST_COMPLETED)
            if not run.done() and (commands is None or listener.exception() is not None):
                run.cancel()  # the client went away: stop its sandbox
            await asyncio.gather(run, return_exceptions=True)
            if run.cancelled():
                return
            problem = run.exception()
            if isinstance(problem, OwnerLimitError):
                await _error(writer, str(problem), reason="busy")
            elif isinstance(problem, ValueError):
                await _error(writer, str(problem), reason="refused")
            elif isinstance(problem, EngineError):
                await _error(writer, str(problem))
            elif problem is not None:
                log.exception("run failed inside the runner", exc_info=problem)
                await _error(writer, f"The runner failed: {type(problem).__name__}: {problem}")
        finally:
            listener.cancel()


async def _listen(
    reader: asyncio.StreamReader, commands: asyncio.Queue[SessionCommand | None] | None
) -> None:
    """Forward a session's commands; return when the client closes its side."""
    while True:
        frame = await protocol.read_frame(reader)
        if frame is None:
            if commands is not None:
                commands.put_nowait(None)
            return
        if commands is not None and frame.get("type") == "command":
            with contextlib.suppress(ValidationError):
                commands.put_nowait(SessionCommand.model_validate(frame.get("command")))


async def _error(writer: asyncio.StreamWriter, message: str, reason: str = "failed") -> None:
    """Refuse or fail a request; `reason` tells the client which (see `protocol`)."""
    await protocol.write_frame(writer, {"type": "error", "reason": reason, "message": message})


async def serve(
    engine: Engine,
    *,
    token_digest: bytes | None,
    socket_path: str | None = None,
    tcp: tuple[str, int] | None = None,
    stop: asyncio.Event,
    announce: Any = print,
) -> None:
    """Start `engine`, listen, and serve until `stop` is set; then clean everything up."""
    isolation = await engine.start()
    server = RunnerServer(engine, token_digest)
    try:
        where: list[str] = []
        if socket_path:
            await server.listen_unix(socket_path)
            where.append(f"unix://{socket_path}")
        if tcp:
            port = await server.listen_tcp(*tcp)
            where.append(f"tcp://{tcp[0]}:{port}")
        state = "full isolation" if isolation.full else f"DEGRADED: {isolation.warning}"
        announce(f"Runner listening on {', '.join(where)} ({state})")
        await stop.wait()
    finally:
        await server.close()
        await engine.close()
