"""The hosted fixtures give each test its own real database and an empty Redis."""

from __future__ import annotations

import redis
from sqlalchemy import create_engine, text

from deepdive.db.migrate import current_revision, open_database


def test_each_test_gets_an_empty_migrated_postgresql_database(postgres_url):
    assert postgres_url.startswith("postgresql")
    engine = open_database(postgres_url)
    try:
        assert current_revision(engine) is not None
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM learners")).scalar() == 0
            assert connection.execute(text("SELECT version()")).scalar().startswith("PostgreSQL")
    finally:
        engine.dispose()


def test_redis_is_real_and_starts_empty(redis_url):
    with redis.Redis.from_url(redis_url) as connection:
        assert connection.dbsize() == 0
        connection.set("probe", "1")
        assert connection.get("probe") == b"1"
        assert connection.info("server")["redis_version"]


def test_postgres_databases_are_dropped_after_use(postgres_server_url, postgres_url):
    name = postgres_url.rsplit("/", 1)[1]
    admin = create_engine(postgres_server_url)
    try:
        with admin.connect() as connection:
            names = connection.execute(text("SELECT datname FROM pg_database")).scalars().all()
        assert name in names
    finally:
        admin.dispose()
