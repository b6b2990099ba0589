"""The grader's side of a graded run: a check module judging an app it can only reach by HTTP.

The grader is a sandbox of its own. The learner's app is served in another sandbox, and the
two share nothing but a few connected sockets, handed to each by the runner. The check's tests
get two fixtures:

* `client` – an `httpx.Client` whose requests travel over those connections, so they reach a
  real HTTP server (Uvicorn) running the learner's app; anything timed is timed here;
* `source` – the learner's files, as text (path -> source), for checks about the code itself;
* `websocket_connect` – opens a WebSocket to the app over one of those connections (each
  WebSocket uses one up), as the `websockets` package's synchronous client:
  `with websocket_connect("/ws?token=t") as ws: ws.send("hi"); ws.recv(timeout=2)`.

* `database` – for a task with `watch_database`, the `WatchedDatabase` the app's `sqlite3`
  connections reach: it counts every statement the app sends (`mark()`, then
  `statements_since(mark)`) and runs the check's own statements uncounted (`execute`).

The learner's files are never written here nor imported, nor run: the check cannot be read or
changed by the code it judges, and what it measures about that code (the SQL it sends, say) is
measured on this side of a connection (see `deepdive.sandbox.watched_db`).
"""

from __future__ import annotations

import contextlib
import http.client
import queue
import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as _ws_connect

from deepdive.sandbox.watched_db import WatchedDatabase

BASE_URL = "http://testserver"


class ConnectionsTransport(httpx.BaseTransport):
    """Sends each request over one of the pre-connected sockets (HTTP/1.1, kept alive)."""

    def __init__(self, connections: list[socket.socket], timeout: float) -> None:
        self._free: queue.Queue[socket.socket] = queue.Queue()
        for connection in connections:
            connection.settimeout(timeout)
            self._free.put(connection)
        self._count = len(connections)
        self._timeout = timeout

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._count == 0:
            raise httpx.ConnectError("the app's connections are all closed")
        try:
            connection = self._free.get(timeout=self._timeout)
        except queue.Empty:
            raise httpx.PoolTimeout("every connection to the app is busy") from None
        exchange = http.client.HTTPConnection("testserver", timeout=self._timeout)
        exchange.sock = connection
        target = request.url.raw_path.decode("ascii")
        headers = dict(request.headers)
        kept = True
        try:
            exchange.request(request.method, target, body=request.read(), headers=headers)
            reply = exchange.getresponse()
            content = reply.read()
            kept = not reply.will_close
        except (OSError, http.client.HTTPException) as problem:
            kept = False
            raise httpx.RemoteProtocolError(
                f"the app did not answer over HTTP: {problem}"
            ) from None
        finally:
            if kept:
                self._free.put(connection)
            else:
                self._count -= 1
                with contextlib.suppress(OSError):
                    connection.close()
        return httpx.Response(
            status_code=reply.status,
            headers=reply.getheaders(),
            content=content,
            request=request,
            extensions={"reason_phrase": reply.reason.encode("latin-1", "replace")},
        )

    def take(self) -> socket.socket:
        """A connection for good (a WebSocket's): it leaves the pool of HTTP connections."""
        if self._count <= 1:
            raise httpx.ConnectError("no connection to the app is left for another WebSocket")
        try:
            connection = self._free.get(timeout=self._timeout)
        except queue.Empty:
            raise httpx.PoolTimeout("every connection to the app is busy") from None
        self._count -= 1
        return connection

    def close(self) -> None:
        """Kept open between tests: every test's client shares the connections."""

    def shut(self) -> None:
        while not self._free.empty():
            with contextlib.suppress(OSError):
                self._free.get_nowait().close()


class GradingPlugin:
    """The fixtures of a check module (registered for graded runs only)."""

    def __init__(
        self,
        connections: list[socket.socket],
        sources: dict[str, str],
        timeout: float,
        *,
        database: WatchedDatabase | None = None,
    ):
        self._transport = ConnectionsTransport(connections, timeout)
        self._sources = dict(sources)
        self._database = database

    @pytest.fixture
    def database(self) -> WatchedDatabase:
        if self._database is None:
            pytest.fail("this check needs a task with `watch_database: true`")
        return self._database

    @pytest.fixture
    def client(self) -> Iterator[httpx.Client]:
        with httpx.Client(
            transport=self._transport,
            base_url=BASE_URL,
            timeout=None,  # noqa: S113  (the transport's sockets carry the run's time limit)
            follow_redirects=False,
        ) as client:
            yield client

    @pytest.fixture
    def source(self) -> dict[str, str]:
        return dict(self._sources)

    @pytest.fixture
    def websocket_connect(self) -> Iterator[Callable[..., ClientConnection]]:
        opened: list[ClientConnection] = []

        def connect(path: str, headers: dict[str, str] | None = None) -> ClientConnection:
            ws = _ws_connect(
                f"ws://testserver{path}",
                sock=self._transport.take(),
                additional_headers=headers,
                open_timeout=5,
                close_timeout=2,
                max_size=2**20,
            )
            opened.append(ws)
            return ws

        yield connect
        for ws in opened:
            with contextlib.suppress(Exception):
                ws.close()

    def pytest_sessionfinish(self) -> None:
        self._transport.shut()
        if self._database is not None:
            self._database.close()
