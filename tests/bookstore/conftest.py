"""Fixtures for the Bookstore suite.

Every test gets a fresh database, on SQLite (a copy of a migrated template file) and, when
BOOKSTORE_TEST_POSTGRES_URL is set, on PostgreSQL (a freshly migrated schema of its own): the
whole suite runs on both.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from tests.conftest import LiveServer, free_port

from bookstore.core.config import Settings
from bookstore.main import create_app
from bookstore.prestart import prepare_database

POSTGRES_URL_VARIABLE = "BOOKSTORE_TEST_POSTGRES_URL"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password"
TEST_SECRET = "test-secret-key-that-is-long-enough-for-hs256"

Headers = dict[str, str]


def make_settings(data_dir: Path, database_url: str = "") -> Settings:
    return Settings(
        environment="test",
        secret_key=TEST_SECRET,
        data_dir=data_dir,
        database_url=database_url,
        first_admin_username=ADMIN_USERNAME,
        first_admin_password=ADMIN_PASSWORD,
        # Cheap hashing keeps the suite fast; production keeps the strong defaults.
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the first admin, copied for each test."""
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    prepare_database(make_settings(data_dir))
    return data_dir / "bookstore.sqlite3"


class PostgresSchemas:
    """A fresh, freshly migrated schema per test inside one PostgreSQL database.

    A schema is PostgreSQL's namespace for tables: the app under test sees only its own,
    because its connections put that schema first on their search path. Creating and
    migrating one takes a tenth of a second, where cloning a whole database takes seconds
    on a busy machine.
    """

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(server_url)
        libpq_url = self.server_url.set(drivername="postgresql")
        self.admin = psycopg.connect(libpq_url.render_as_string(hide_password=False))
        self.admin.autocommit = True
        self.names = (f"bookstore_test_{os.getpid()}_{n}" for n in itertools.count())

    def create(self, scratch_dir: Path) -> tuple[str, str]:
        """A new schema with every migration and the first admin: (schema name, URL)."""
        name = next(self.names)
        self.admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE".encode())
        self.admin.execute(f"CREATE SCHEMA {name}".encode())
        url = self.server_url.update_query_dict({"options": f"-csearch_path={name}"})
        url_text = url.render_as_string(hide_password=False)
        prepare_database(make_settings(scratch_dir, url_text))
        return name, url_text

    def drop(self, name: str) -> None:
        self.admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE".encode())


@pytest.fixture(scope="session")
def postgres_schemas() -> Iterator[PostgresSchemas]:
    server_url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not server_url:
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}, e.g. "
            "postgresql+psycopg://user:password@127.0.0.1:5432/db (.ci/run sets it)"
        )
    schemas = PostgresSchemas(server_url)
    yield schemas
    schemas.admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database holding only the first admin."""
    if request.param == "sqlite":
        path = tmp_path / "data" / "bookstore.sqlite3"
        path.parent.mkdir()
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    schemas: PostgresSchemas = request.getfixturevalue("postgres_schemas")
    name, url = schemas.create(tmp_path / "scratch")
    yield url
    schemas.drop(name)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def live_server(app: FastAPI) -> Iterator[LiveServer]:
    """The app behind a real Uvicorn, for tests that need real sockets and real concurrency."""
    with LiveServer(app, free_port()) as server:
        yield server


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: Any, username: str, password: str) -> Headers:
    """Headers authorising requests as this user (works with TestClient and httpx.Client)."""
    response = client.post("/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def sign_up(
    client: Any, username: str, password: str = "reader-password", **fields: str
) -> Headers:
    """Create a reader account and return headers signed in as it."""
    response = client.post(
        "/users",
        json={"username": username, "email": f"{username}@example.com", "password": password}
        | fields,
    )
    assert response.status_code == 201, response.text
    return sign_in(client, username, password)


@pytest.fixture
def admin(client: TestClient) -> Headers:
    return sign_in(client, ADMIN_USERNAME, ADMIN_PASSWORD)


@pytest.fixture
def reader(client: TestClient) -> Headers:
    return sign_up(client, "reader", full_name="Rita Reader")


def isbn13(number: int) -> str:
    """A checksum-valid ISBN-13 for any small number (distinct numbers, distinct ISBNs)."""
    first12 = f"978{number:09d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


_book_numbers = itertools.count(1)


def book_payload(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "The Left Hand of Darkness",
        "author": "Ursula K. Le Guin",
        "year": 1969,
        "genre": "science fiction",
        "isbn": isbn13(next(_book_numbers)),
        "price_cents": 1299,
    } | overrides


@pytest.fixture
def add_book(client: TestClient, admin: Headers) -> Callable[..., dict[str, Any]]:
    """Create a book as the admin (fields overridable) and return its JSON."""

    def _add(**overrides: Any) -> dict[str, Any]:
        response = client.post("/books", json=book_payload(**overrides), headers=admin)
        assert response.status_code == 201, response.text
        return response.json()

    return _add
