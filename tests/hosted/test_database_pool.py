"""The web worker's PostgreSQL pool follows the settings: its size, its overflow and how long a
request waits for a connection (then a 503 page, and pages again once a connection is free)."""

from __future__ import annotations

import pytest
from tests.conftest import CourseClient
from tests.hosted.conftest import HOSTED_BASE_URL

from deepdive.settings import Settings
from deepdive.web.app import create_app


def test_pool_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DEEPDIVE_DB_POOL_SIZE", "7")
    monkeypatch.setenv("DEEPDIVE_DB_MAX_OVERFLOW", "0")
    monkeypatch.setenv("DEEPDIVE_DB_POOL_TIMEOUT", "2.5")
    settings = Settings(data_dir=tmp_path)
    pool = (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout)
    assert pool == (7, 0, 2.5)
    monkeypatch.setenv("DEEPDIVE_DB_POOL_SIZE", "0")
    with pytest.raises(ValueError, match="db_pool_size"):
        Settings(data_dir=tmp_path)


def test_a_request_waits_for_a_connection_only_as_long_as_the_pool_timeout(
    hosted_settings, course, sign_in
):
    settings = hosted_settings.model_copy(
        update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout": 0.5}
    )
    from deepdive.db.migrate import open_database

    open_database(settings.database_url or "").dispose()
    app = create_app(settings, course)
    with CourseClient(app, base_url=HOSTED_BASE_URL, follow_redirects=False) as client:
        sign_in(app, client)
        assert client.get("/lessons/basics").status_code == 200
        held = app.state.engine.connect()  # the pool's only connection, and no overflow
        try:
            page = client.get("/lessons/basics")
        finally:
            held.close()
        assert page.status_code == 503
        assert "cannot reach the database" in page.text
        assert client.get("/lessons/basics").status_code == 200
    app.state.engine.dispose()
