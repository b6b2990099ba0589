"""Fixtures for hosted mode: settings and an app on a real PostgreSQL database and a real Redis
(`postgres_url` and `redis_url` come from tests/conftest.py)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from fastapi import FastAPI

from deepdive.course.models import Course
from deepdive.db.migrate import open_database
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
