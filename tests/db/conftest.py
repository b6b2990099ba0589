"""Every database test runs on both backends the platform supports: a SQLite file (local mode)
and a real PostgreSQL database (hosted mode; skipped without a server, see tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'deepdive.sqlite3'}"
    return request.getfixturevalue("postgres_url")
