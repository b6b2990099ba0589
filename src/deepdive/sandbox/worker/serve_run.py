"""The app's side of a graded run: the learner's app served by Uvicorn over given connections.

The runner hands the sandbox a few connected sockets; each becomes one HTTP connection of a real
Uvicorn server (its h11 protocol, exactly as `uvicorn app:app` would speak it). The run lasts
until the grader has closed every connection (it does when its check is over, or when it dies).
An exception the app raises while handling a request is kept, with the request it broke.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import sys
from dataclasses import dataclass, field
from typing import Any

from deepdive.sandbox.run_result import HttpResponse
from deepdive.sandbox.worker.asgi import (
    EXCHANGE,
    ASGIApp,
    Exchange,
    Lifespan,
    LifespanError,
    Receive,
    Scope,
    Send,
)
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.tracebacks import error_info


@dataclass
class ServedErrors:
    """The app's unhandled exceptions, each as the 500 of the request that raised it."""

    failures: list[HttpResponse] = field(default_factory=list)


def _numbered(app: ASGIApp, files: LearnerFiles, errors: ServedErrors) -> ASGIApp:
    """Give each HTTP request an Exchange, so the Recorder can keep what it raised."""
    counter = itertools.count()

    async def numbered(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        exchange = Exchange(next(counter))
        token = EXCHANGE.set(exchange)
        try:
            await app(scope, receive, send)
        finally:
            EXCHANGE.reset(token)
            if exchange.exception is not None and len(errors.failures) < 20:
                failed = HttpResponse(
                    method=str(scope.get("method")),
                    path=str(scope.get("path")),
                    status=500,
                    reason="Internal Server Error",
                    error=error_info(exchange.exception, files),
                )
                errors.failures.append(failed)

    return numbered


async def serve(
    app: ASGIApp, connections: list[socket.socket], files: LearnerFiles
) -> ServedErrors:
    """Serve `app` on every connection until all of them are closed."""
    from uvicorn import Config
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.server import ServerState

    errors = ServedErrors()
    lifespan = Lifespan(app)
    await lifespan.startup()
    config = Config(
        _numbered(app, files, errors),
        http="h11",
        lifespan="off",
        log_level="critical",
        access_log=False,
        proxy_headers=False,
    )
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    app_state: dict[str, Any] = {}
    for connection in connections:
        connection.setblocking(False)
        await loop.connect_accepted_socket(
            lambda: H11Protocol(config=config, server_state=state, app_state=app_state),
            sock=connection,
        )
    # Uvicorn's protocols tell nobody when they close; they leave the server's state then.
    while state.connections or state.tasks:  # noqa: ASYNC110
        await asyncio.sleep(0.005)
    # The check judged what the app answered: a shutdown that fails afterwards is the app's
    # own output (as Uvicorn logs it), not a reason to throw that verdict away.
    try:
        await lifespan.shutdown()
    except LifespanError as failure:
        print(f"Application shutdown failed: {failure.original or failure}", file=sys.stderr)
    return errors
