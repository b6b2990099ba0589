"""Serving hosted mode: Gunicorn managing Uvicorn workers that share PostgreSQL and Redis.

The master process checks the settings and the two servers, migrates the database once, loads
the course, then forks the workers; each worker builds its own app (its own database pool and
Redis connections: nothing opened before the fork is shared). A worker that dies is replaced by
Gunicorn. No sandbox runner is ever started here: runs go through Redis Streams to the runners
(`deepdive runner --redis URL`, on this machine or others), or to one runner service at
`DEEPDIVE_RUNNER_URL` when that is set.

`deepdive serve --hosted --workers N` does all of this; the plain Gunicorn equivalent is

    gunicorn -c python:deepdive.gunicorn_conf

with the same `DEEPDIVE_*` environment and `WEB_CONCURRENCY=N` (see deepdive/gunicorn_conf.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from deepdive.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

    from deepdive.course.models import Course

# How long start-up waits for PostgreSQL or Redis to answer before saying it is unreachable.
CONNECT_TIMEOUT_SECONDS = 3


class HostedConfigError(Exception):
    """Hosted mode cannot start; the message says what to set or start, one problem a line."""


def hosted_settings(**overrides: Any) -> Settings:
    """Hosted settings from the environment (and `overrides`), refusing what several workers
    cannot share: a missing secret, a missing or SQLite database, a missing Redis."""
    try:
        settings = Settings(**{**overrides, "mode": "hosted"})
    except ValidationError as invalid:
        lines = [str(error["msg"]).removeprefix("Value error, ") for error in invalid.errors()]
        raise HostedConfigError("\n".join(lines)) from invalid
    problems = []
    if not settings.database_url:
        problems.append(
            "hosted mode needs DEEPDIVE_DATABASE_URL, a PostgreSQL database every worker shares "
            "(e.g. postgresql+psycopg://deepdive:PASSWORD@db:5432/deepdive)"
        )
    elif settings.database_url.startswith("sqlite"):
        problems.append(
            "hosted mode needs PostgreSQL: DEEPDIVE_DATABASE_URL is a SQLite file, which several "
            "workers on several machines cannot share"
        )
    if not settings.redis_url:
        problems.append(
            "hosted mode needs DEEPDIVE_REDIS_URL, the Redis every worker and runner shares "
            "(e.g. redis://redis:6379/0)"
        )
    if problems:
        raise HostedConfigError("\n".join(problems))
    return settings.prepare()


def check_servers(settings: Settings) -> None:
    """Raise HostedConfigError unless PostgreSQL and Redis both answer."""
    import redis
    from sqlalchemy import create_engine, make_url, text
    from sqlalchemy.exc import SQLAlchemyError

    database = make_url(settings.database_url or "")
    problems = []
    engine = create_engine(database, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as failure:
        reason = str(getattr(failure, "orig", failure)).strip().splitlines()[0]
        problems.append(
            f"PostgreSQL at {database.render_as_string(hide_password=True)} does not answer: "
            f"{reason}"
        )
    finally:
        engine.dispose()
    client = redis.Redis.from_url(
        settings.redis_url or "",
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=CONNECT_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError as failure:
        problems.append(
            f"Redis at {_redis_address(settings.redis_url or '')} does not answer: {failure}"
        )
    finally:
        client.close()
    if problems:
        raise HostedConfigError("\n".join(problems))


def _redis_address(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}"


def prepare_hosted(**overrides: Any) -> Settings:
    """Everything the master does once before forking: settings, servers, migrations."""
    from deepdive.db.migrate import current_revision, open_database

    settings = hosted_settings(**overrides)
    check_servers(settings)
    engine = open_database(settings.database_url or "")
    print(f"The database is at revision {current_revision(engine)}.", flush=True)
    engine.dispose()
    return settings


def gunicorn_options(settings: Settings, workers: int) -> dict[str, Any]:
    """The Gunicorn settings of hosted mode (shared by `deepdive serve` and gunicorn_conf)."""
    return {
        "bind": [f"{settings.host}:{settings.port}"],
        "workers": workers,
        "worker_class": "uvicorn_worker.UvicornWorker",
        # Give in-flight requests time to finish on a rolling restart.
        "graceful_timeout": 20,
        "timeout": 60,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "deepdive",
        # Gunicorn's control socket has one default path per user: two servers on one machine
        # (blue/green, tests) would take it from each other. Signals manage the master instead.
        "control_socket_disable": True,
    }


def worker_app(settings: Settings, course: Course | None = None) -> FastAPI:
    """The app of one web worker, its templates compiled before it takes a request."""
    from deepdive.web.app import create_app
    from deepdive.web.templating import compile_all

    app = create_app(settings, course)
    compile_all(app.state.templates)
    return app


def app_from_environment() -> FastAPI:
    """A worker's app, from the `DEEPDIVE_*` environment (Gunicorn's application factory)."""
    return worker_app(hosted_settings())


def run_gunicorn(settings: Settings, course: Course, workers: int) -> None:
    """Serve until stopped: Gunicorn's master here, `workers` Uvicorn workers forked from it."""
    from gunicorn.app.base import BaseApplication

    class _HostedApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in gunicorn_options(settings, workers).items():
                self.cfg.set(name, value)

        def load(self) -> FastAPI:
            # Called in each worker after the fork: the course is shared, the app is not.
            return worker_app(settings, course)

    _HostedApplication().run()
