"""Fixtures for hosted mode: a real PostgreSQL database and a real Redis for each test.

Nothing here stands in for either server. Without them (no `DEEPDIVE_TEST_POSTGRES_URL` /
`DEEPDIVE_TEST_REDIS_URL`) the hosted tests are skipped, unless `DEEPDIVE_REQUIRE_HOSTED=1`
(set by `.ci/run`) makes a missing server a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, make_url, text

from deepdive.course.models import Course
from deepdive.db.migrate import open_database
from deepdive.settings import Settings
from deepdive.web.app import create_app

POSTGRES_ENV = "DEEPDIVE_TEST_POSTGRES_URL"  # a server where the role may CREATE DATABASE
REDIS_ENV = "DEEPDIVE_TEST_REDIS_URL"  # a Redis database index the tests may flush
REQUIRED = os.environ.get("DEEPDIVE_REQUIRE_HOSTED") == "1"


def _server_url(variable: str, what: str) -> str:
    url = os.environ.get(variable)
    if not url:
        message = f"hosted tests need a real {what}: set {variable}"
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
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
