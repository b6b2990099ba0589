"""Fixtures shared by the whole suite: settings on a fresh data directory, the app, clients."""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from deepdive.course.loader import load_course
from deepdive.course.models import Course
from deepdive.db.migrate import open_database
from deepdive.settings import Settings
from deepdive.web.app import create_app

# One real sandbox runner for the whole session: `runner_url`, `run_in_sandbox`, ...
pytest_plugins = ["deepdive.sandbox.testing"]

REPO = Path(__file__).resolve().parents[1]
CONTENT_DIR = REPO / "content"
BASE_URL = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def course() -> Course:
    """The real course, loaded once for the whole run."""
    return load_course(CONTENT_DIR)


@pytest.fixture
def settings(tmp_path: Path, runner_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        content_dir=CONTENT_DIR,
        host="127.0.0.1",
        port=8000,
        runner_url=runner_url,
    ).prepare()


@pytest.fixture
def app(settings: Settings, course: Course) -> FastAPI:
    open_database(settings.database_url or "").dispose()
    return create_app(settings, course)


class CourseClient(TestClient):
    """A TestClient that behaves like the course's own pages: it has the CSRF cookie and sends
    the token and a same-origin Origin header with every state-changing request."""

    def csrf_headers(self) -> dict[str, str]:
        if "deepdive_csrf" not in self.cookies:
            self.get("/health")
        return {"X-CSRF-Token": self.cookies["deepdive_csrf"], "Origin": self.origin}

    @property
    def origin(self) -> str:
        return str(self.base_url).rstrip("/")

    def request(self, method: str, url: httpx.URL | str, **kwargs: object) -> httpx.Response:  # type: ignore[override]
        if method.upper() not in ("GET", "HEAD", "OPTIONS") and kwargs.pop("csrf", True):
            headers = dict(kwargs.pop("headers", None) or {})  # type: ignore[call-overload]
            kwargs["headers"] = {**self.csrf_headers(), **headers}
        return super().request(method, url, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def client(app: FastAPI) -> Iterator[CourseClient]:
    with CourseClient(app, base_url=BASE_URL) as test_client:
        yield test_client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """The app served by a real Uvicorn in a background thread."""

    def __init__(self, app: FastAPI, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(settings: Settings, course: Course) -> Iterator[LiveServer]:
    port = free_port()
    live_settings = settings.model_copy(update={"port": port})
    open_database(live_settings.database_url or "").dispose()
    with LiveServer(create_app(live_settings, course), port) as server:
        yield server


def solve_lesson(client: TestClient, lesson) -> None:
    """Earn every award of `lesson` through the API, as a learner who gets everything right:
    each quiz question answered right, each task checked (for real) with its solution."""
    from deepdive.course.grading import reference_code

    for question in lesson.quiz.questions:
        client.post(
            f"/api/lessons/{lesson.slug}/quiz/{question.id}",
            json={"answer": sorted(question.correct_indexes)},
        )
    for interactive in lesson.meta.interactives:
        for task in interactive.tasks:
            url = f"/api/lessons/{lesson.slug}/tasks/{interactive.id}/{task.id}"
            answer = {"code": reference_code(lesson, interactive, task)}
            if task.solution_tests:
                answer["tests"] = lesson.sources[task.solution_tests]
            checked = client.post(url, json=answer)
            assert checked.json()["passed"], checked.text


# Real PostgreSQL and Redis servers (hosted mode, and the database tests run on both backends).
# Nothing stands in for either server. Without them (no `DEEPDIVE_TEST_POSTGRES_URL` /
# `DEEPDIVE_TEST_REDIS_URL`) the tests that need one are skipped, unless
# `DEEPDIVE_REQUIRE_HOSTED=1` (set by `.ci/run`) makes a missing server a failure.
POSTGRES_ENV = "DEEPDIVE_TEST_POSTGRES_URL"  # a server where the role may CREATE DATABASE
REDIS_ENV = "DEEPDIVE_TEST_REDIS_URL"  # a Redis database index the tests may flush
REQUIRED = os.environ.get("DEEPDIVE_REQUIRE_HOSTED") == "1"


def _server_url(variable: str, what: str) -> str:
    url = os.environ.get(variable)
    if not url:
        message = f"this test needs a real {what}: set {variable}"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    return _server_url(POSTGRES_ENV, "PostgreSQL server")


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    name = f"deepdive_test_{secrets.token_hex(6)}"
    admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    """Drop a test database, ending its connections. An autovacuum worker may be in it at that
    moment: only a superuser may end one, so the drop waits until it has finished."""
    for attempt in range(50):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as error:
            if attempt == 49 or getattr(error.orig, "sqlstate", None) != "42501":
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def redis_server_url() -> str:
    """The tests' Redis database (not emptied: `redis_url` is, before each test)."""
    return _server_url(REDIS_ENV, "Redis server")


@pytest.fixture
def redis_url(redis_server_url: str) -> str:
    """A Redis database, emptied before the test."""
    import redis

    url = redis_server_url
    with redis.Redis.from_url(url) as connection:
        connection.flushdb()
    return url
