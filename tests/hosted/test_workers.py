"""`deepdive serve --hosted --workers 2`: Gunicorn runs two Uvicorn workers on real PostgreSQL
and Redis, they share the learner's data (no page is ever answered stale by the other worker),
and a worker killed with SIGKILL is replaced while the server keeps answering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from tests.conftest import free_port
from tests.hosted.serving import HostedServer

from deepdive.accounts import service
from deepdive.db.engine import make_session_factory
from deepdive.db.migrate import head_revision
from deepdive.hosted import HostedConfigError, hosted_settings


@pytest.fixture
def server(tmp_path: Path, postgres_url: str, redis_url: str) -> Iterator[HostedServer]:
    with HostedServer(tmp_path / "data", postgres_url, redis_url, workers=2) as running:
        yield running


def _xp_in_page(html: str) -> int:
    return int(html.split("<strong data-xp>")[1].split("<")[0])


def test_xp_earned_through_one_worker_shows_at_once_through_the_other(server, course, postgres_url):
    # The master migrated the database once, before forking; the workers only use it.
    assert len(server.worker_pids()) == 2
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert revision == head_revision()
    log = server.output()
    assert log.count(f"The database is at revision {revision}") == 1
    assert "2 worker(s)" in log
    assert "no runner is started" in log

    engine = create_engine(postgres_url)
    with make_session_factory(engine)() as session:
        service.create_user(session, "ada", "correct horse battery")
    engine.dispose()
    first = server.client_on_worker()
    second = server.client_on_worker(avoid={first.worker})
    first.log_in("ada", "correct horse battery")  # the same account, through each worker
    second.log_in("ada", "correct horse battery")
    lesson = course.lessons[0]
    page = f"/lessons/{lesson.slug}"
    assert _xp_in_page(first.get(page).text) == 0
    assert _xp_in_page(second.get(page).text) == 0

    expected = 0
    for question in lesson.quiz.questions:
        answered = first.send_json(
            "POST",
            f"/api/lessons/{lesson.slug}/quiz/{question.id}",
            {"answer": sorted(question.correct_indexes)},
        )
        assert answered.status_code == 200, answered.text
        expected += lesson.question_xp(question)
        # The very next page from the other worker has it: nothing there is cached.
        assert _xp_in_page(second.get(page).text) == expected
        assert second.get("/api/progress").json()["xp"] == expected
    assert expected > 0
    first.close()
    second.close()


def test_a_worker_has_every_page_template_compiled_before_its_first_request(
    hosted_settings, course
):
    from deepdive.db.migrate import open_database
    from deepdive.hosted import worker_app

    open_database(hosted_settings.database_url or "").dispose()
    app = worker_app(hosted_settings, course)
    env = app.state.templates.env
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    assert "lesson.html" in names
    compiled = {name for _loader, name in env.cache}
    assert set(names) <= compiled  # nothing is left to compile when requests arrive at once
    app.state.engine.dispose()


def test_a_killed_worker_is_replaced_and_the_server_keeps_answering(server):
    before = server.worker_pids()
    names_before = server.wait_for_workers(2)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)

    # Every request meanwhile is answered by the surviving worker or the new one.
    deadline = time.monotonic() + 30
    while server.worker_pids() in (before, before - {victim}) and time.monotonic() < deadline:
        assert server.health()["status"] == "ok"
    after = server.worker_pids()
    assert len(after) == 2
    assert victim not in after
    # The replacement answers too, under a name of its own.
    names = set()
    while not names - names_before and time.monotonic() < deadline:
        names.add(server.health()["worker"])
    assert names - names_before, server.output()


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        ("DEEPDIVE_SECRET_KEY", "hosted mode needs DEEPDIVE_SECRET_KEY"),
        ("DEEPDIVE_DATABASE_URL", "hosted mode needs DEEPDIVE_DATABASE_URL"),
        ("DEEPDIVE_REDIS_URL", "hosted mode needs DEEPDIVE_REDIS_URL"),
    ],
)
def test_a_missing_setting_is_refused_with_its_name(tmp_path, monkeypatch, unset, message):
    monkeypatch.setenv("DEEPDIVE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DEEPDIVE_SECRET_KEY", "a-shared-secret-for-every-worker")
    monkeypatch.setenv("DEEPDIVE_DATABASE_URL", "postgresql+psycopg://deepdive@127.0.0.1:1/x")
    monkeypatch.setenv("DEEPDIVE_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.delenv(unset)
    with pytest.raises(HostedConfigError, match=message):
        hosted_settings()


def test_a_sqlite_database_is_refused_in_hosted_mode(tmp_path):
    with pytest.raises(HostedConfigError, match="hosted mode needs PostgreSQL"):
        hosted_settings(
            data_dir=tmp_path,
            secret_key="a-shared-secret-for-every-worker",
            database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            redis_url="redis://127.0.0.1:1/0",
        )


def _serve_hosted(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deepdive", "serve", "--hosted"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unreachable_servers_stop_serve_with_their_addresses(tmp_path, postgres_url, redis_url):
    closed = free_port()
    env = {
        "DEEPDIVE_DATA_DIR": str(tmp_path / "data"),
        "DEEPDIVE_SECRET_KEY": "a-shared-secret-for-every-worker",
        "DEEPDIVE_DATABASE_URL": make_url(postgres_url)
        .set(port=closed)
        .render_as_string(hide_password=False),
        "DEEPDIVE_REDIS_URL": redis_url,
    }
    finished = _serve_hosted(env)
    assert finished.returncode == 1
    assert f"PostgreSQL at postgresql+psycopg://deepdive:***@127.0.0.1:{closed}/" in (
        finished.stderr
    )
    assert "Redis" not in finished.stderr  # this one answered
    assert "Traceback" not in finished.stderr

    finished = _serve_hosted(
        {
            **env,
            "DEEPDIVE_DATABASE_URL": postgres_url,
            "DEEPDIVE_REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        }
    )
    assert finished.returncode == 1
    assert f"Redis at 127.0.0.1:{closed} does not answer" in finished.stderr
    assert "Traceback" not in finished.stderr
