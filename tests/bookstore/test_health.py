"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from bookstore.db.migrate import downgrade
from bookstore.main import create_app


def test_health_answers_ok(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_reports_the_database_and_its_migration(client, settings):
    response = client.get("/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["migration"] == "0001"
    assert body["database"] == settings.database_url.split(":")[0].split("+")[0]


def test_ready_is_503_when_the_database_lacks_migrations(client, settings):
    engine = create_engine(settings.database_url)
    downgrade(engine, "base")
    engine.dispose()

    response = client.get("/ready")

    assert response.status_code == 503
    assert response.json()["error"] == "not_ready"
    assert "prestart" in response.json()["message"]


def test_ready_is_503_when_the_database_is_unreachable(tmp_path, settings):
    unreachable = settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'no-such-dir' / 'db.sqlite3'}"}
    )
    with TestClient(create_app(unreachable)) as client:
        response = client.get("/ready")

    assert response.status_code == 503
    assert "not reachable" in response.json()["message"]
