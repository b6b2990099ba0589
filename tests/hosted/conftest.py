"""Fixtures for hosted mode: a real PostgreSQL database and a real Redis for each test.

Nothing here stands in for either server. Without them (no `DEEPDIVE_TEST_POSTGRES_URL` /
`DEEPDIVE_TEST_REDIS_URL`) the hosted tests are skipped, unless `DEEPDIVE_REQUIRE_HOSTED=1`
(set by `.ci/run`) makes a missing server a failure.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from tests.conftest import CourseClient, free_port
from tests.hosted.instructor_world import World, make_world

from deepdive.course.models import Course
from deepdive.db.migrate import open_database
from deepdive.db.models import Cohort, Learner
from deepdive.settings import Settings
from deepdive.web.app import create_app


@pytest.fixture
def hosted_settings(tmp_path: Path, postgres_url: str, redis_url: str, runner_url: str) -> Settings:
    return Settings(
        mode="hosted",
        data_dir=tmp_path / "data",
        database_url=postgres_url,
        redis_url=redis_url,
        secret_key=secrets.token_urlsafe(32),
        host="127.0.0.1",
        port=8000,
        runner_url=runner_url,
    ).prepare()


@pytest.fixture
def hosted_app(hosted_settings: Settings, course: Course) -> FastAPI:
    open_database(hosted_settings.database_url or "").dispose()
    return create_app(hosted_settings, course)


# ---- accounts: clients, users, logins (shared by every hosted test) ---------------------------

HOSTED_BASE_URL = "https://127.0.0.1:8000"  # hosted cookies are Secure: clients speak HTTPS
PASSWORD = "correct horse battery"  # what make_user gives every account unless told otherwise


@pytest.fixture
def hosted_clients(hosted_app: FastAPI) -> Iterator[Callable[[], CourseClient]]:
    """A factory of browsers: each call opens another CourseClient (own cookies) over
    `hosted_app`, speaking HTTPS so that the Secure session cookie is kept and sent."""
    opened: list[CourseClient] = []

    def open_client() -> CourseClient:
        client = CourseClient(hosted_app, base_url=HOSTED_BASE_URL, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def hosted_client(hosted_clients: Callable[[], CourseClient]) -> CourseClient:
    """One browser on the hosted app, not logged in (redirects are not followed)."""
    return hosted_clients()


@pytest.fixture
def hosted_db(hosted_app: FastAPI) -> Callable[[], Session]:
    """Opens a session on the hosted app's database: `with hosted_db() as session: ...`."""
    return hosted_app.state.session_factory


@pytest.fixture
def make_cohort(hosted_db: Callable[[], Session]) -> Callable[..., Cohort]:
    """`make_cohort("Autumn")` → a new Cohort (its `join_code` is set)."""
    from deepdive.accounts import service

    def make(name: str = "Autumn") -> Cohort:
        with hosted_db() as session:
            return service.create_cohort(session, name)

    return make


@pytest.fixture
def make_user(hosted_db: Callable[[], Session]) -> Callable[..., Learner]:
    """`make_user("ada", role="learner"|"instructor"|"admin", cohort=Cohort | None,
    password=PASSWORD, display_name=None)` → a new account (a Learner row). With `cohort`, the
    account joins it: a learner as a learner, an instructor or admin as an instructor."""
    from deepdive.accounts import service

    def make(
        username: str,
        *,
        role: str = "learner",
        cohort: Cohort | None = None,
        password: str = PASSWORD,
        display_name: str | None = None,
    ) -> Learner:
        with hosted_db() as session:
            user = service.create_user(
                session, username, password, display_name=display_name, role=role
            )
            if cohort is not None:
                place = "learner" if role == "learner" else "instructor"
                service.add_member(session, cohort, user, place)
            return user

    return make


def _log_in(client: CourseClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Log `client` in through the login form (as htmx sends it); asserts that it worked."""
    response = client.post(
        "/login",
        data={"username": username, "password": password, "next": "/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text[:500]
    assert response.headers.get("hx-redirect") == "/"
    assert "deepdive_session" in client.cookies
    return response


@pytest.fixture
def log_in() -> Callable[..., httpx.Response]:
    """`log_in(client, "ada", password=PASSWORD)`: the login form, asserted to succeed."""
    return _log_in


def _sign_in(app: FastAPI, client: TestClient, username: str = "ada") -> Learner:
    """Create a learner account in `app`'s database and log `client` in through the login form
    (for tests that build their own app and client instead of using `hosted_client`)."""
    from deepdive.accounts import service

    with app.state.session_factory() as session:
        user = service.create_user(session, username, PASSWORD)
    client.get("/health")
    origin = str(client.base_url).rstrip("/")
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "next": "/"},
        headers={
            "HX-Request": "true",
            "X-CSRF-Token": client.cookies["deepdive_csrf"],
            "Origin": origin,
        },
    )
    assert response.status_code == 200, response.text[:500]
    assert "deepdive_session" in client.cookies
    return user


@pytest.fixture
def sign_in() -> Callable[..., Learner]:
    """`sign_in(app, client, username="ada")`: a new learner account, logged in on `client`."""
    return _sign_in


class RedisServer:
    """A redis-server of our own on `port`, started and killed at will."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with redis.Redis(port=self.port) as connection:
                    connection.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    server = RedisServer(free_port())
    server.start()
    yield server
    server.kill()


@pytest.fixture
def world(hosted_app: FastAPI, course: Course) -> Iterator[World]:
    """Two cohorts with their learners and instructors, an admin and a learner in none
    (tests/hosted/instructor_world.py)."""
    world = make_world(hosted_app, course)
    yield world
    world.close()
