"""The grader's side of a graded run: a check module judging an app it can only reach by HTTP.

The grader is a sandbox of its own. The learner's app is served in another sandbox, and the
two share nothing but a few connected sockets, handed to each by the runner. The check's tests
get two fixtures:

* `client` – an `httpx.Client` whose requests travel over those connections, so they reach a
  real HTTP server (Uvicorn) running the learner's app; anything timed is timed here;
* `source` – the learner's files, as text (path -> source), for checks about the code itself.

The learner's files are never written here nor imported: the check cannot be read or changed
by the code it judges. (A check that must watch the code run, to count its SQL statements say,
runs `source` itself in a child process it forks, which keeps only a pipe back and is waited
for before any verdict is reported.)
"""

from __future__ import annotations

import contextlib
import http.client
import queue
import socket
from collections.abc import Iterator

import httpx
import pytest

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

    def close(self) -> None:
        """Kept open between tests: every test's client shares the connections."""

    def shut(self) -> None:
        while not self._free.empty():
            with contextlib.suppress(OSError):
                self._free.get_nowait().close()


class GradingPlugin:
    """The fixtures of a check module (registered for graded runs only)."""

    def __init__(self, connections: list[socket.socket], sources: dict[str, str], timeout: float):
        self._transport = ConnectionsTransport(connections, timeout)
        self._sources = dict(sources)

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

    def pytest_sessionfinish(self) -> None:
        self._transport.shut()
