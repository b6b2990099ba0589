"""Redis or PostgreSQL going away: clear 503s (an HTML page for pages, JSON for the API), a
/health that names the server that is down, and everything working again once it is back,
without a restart. The servers really stop: a redis-server of this test's own is killed and
started again on its port, and PostgreSQL is reached through a TCP proxy that is shut."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from tests.conftest import free_port

from deepdive.course.models import Course
from deepdive.db.migrate import open_database
from deepdive.settings import Settings
from deepdive.web.app import create_app


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target`; `close()` drops the listener and every connection
    (for the app, the server is gone), `open()` listens again on the same port."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port = port
        self.target = target
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        with self.lock:
            if self.listener is not None:
                with _Quietly():  # wakes the thread blocked in accept(), then stops listening
                    self.listener.shutdown(socket.SHUT_RDWR)
                self.listener.close()
                self.listener = None
            for sock in self.sockets:
                with _Quietly():
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


class _Quietly:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, *_: object) -> bool:
        return kind is not None and issubclass(kind, OSError)  # type: ignore[arg-type]


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with _Quietly():
        while data := source.recv(65536):
            sink.sendall(data)
    with _Quietly():
        sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def database_proxy(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    real = make_url(postgres_url)
    proxy = TcpProxy(free_port(), (real.host or "127.0.0.1", real.port or 5432))
    proxy.open()
    yield proxy, real.set(port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


@pytest.fixture
def outage_client(
    tmp_path: Path, course: Course, own_redis, database_proxy, sign_in
) -> Iterator[TestClient]:
    _, database_url = database_proxy
    settings = Settings(
        mode="hosted",
        data_dir=tmp_path / "data",
        database_url=database_url,
        redis_url=own_redis.url,
        secret_key="a-shared-secret-for-every-worker",
    ).prepare()
    open_database(database_url).dispose()
    app = create_app(settings, course)
    with TestClient(app, base_url="https://127.0.0.1:8000") as client:  # Secure cookies
        sign_in(app, client)  # pages need an account in hosted mode
        yield client


def _health_once_rechecked(client: TestClient) -> tuple[int, dict[str, str]]:
    time.sleep(1.05)  # a worker asks the servers at most once a second
    response = client.get("/health")
    return response.status_code, response.json()


def test_redis_down_is_reported_by_health_and_recovers_when_it_restarts(outage_client, own_redis):
    assert outage_client.get("/health").json() == {
        "status": "ok",
        "worker": outage_client.app.state.worker_name,
        "database": "ok",
        "redis": "ok",
    }
    own_redis.kill()
    status, body = _health_once_rechecked(outage_client)
    assert (status, body["status"], body["database"], body["redis"]) == (503, "down", "ok", "down")

    own_redis.start()  # the same port, a new process
    status, body = _health_once_rechecked(outage_client)
    assert (status, body["redis"]) == (200, "ok")


def test_database_down_gives_503_pages_and_json_then_recovers(outage_client, database_proxy):
    proxy, _ = database_proxy
    assert outage_client.get("/").status_code == 200  # the pool now holds a live connection
    proxy.close()

    page = outage_client.get("/")
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "cannot reach the database" in page.text
    assert "Traceback" not in page.text
    assert page.headers["retry-after"] == "5"
    api = outage_client.get("/api/progress")
    assert api.status_code == 503
    assert api.json()["error"] == "The course is briefly unavailable"
    status, body = _health_once_rechecked(outage_client)
    assert (status, body["database"], body["redis"]) == (503, "down", "ok")

    proxy.open()  # PostgreSQL is back: no restart of the app
    assert outage_client.get("/").status_code == 200
    assert outage_client.get("/api/progress").json()["xp"] == 0
    status, body = _health_once_rechecked(outage_client)
    assert (status, body["database"]) == (200, "ok")
