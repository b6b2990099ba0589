"""A database made by an older version is migrated on start without losing data, the migrations
build exactly the tables the models describe, and they can be undone (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from deepdive.db.engine import make_engine
from deepdive.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    open_database,
    upgrade,
)
from deepdive.db.models import Base

LATEST = head_revision()


def test_fresh_database_is_created_at_the_latest_revision(database_url):
    engine = open_database(database_url)
    try:
        assert current_revision(engine) == LATEST
        assert {"learners", "lesson_progress", "xp_awards", "drafts", "attempts"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_migrated_database_matches_the_models(database_url):
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(database_url):
    engine = open_database(database_url)
    try:
        command.downgrade(alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert current_revision(engine) == LATEST
    finally:
        engine.dispose()


def test_database_from_the_first_release_keeps_its_data_when_migrated(database_url):
    old = make_engine(database_url)
    upgrade(old, "0001")
    with old.begin() as connection:
        connection.execute(
            text("INSERT INTO learners (id, created_at) VALUES (1, '2026-01-01 00:00:00+00')")
        )
        connection.execute(
            text(
                "INSERT INTO xp_awards (learner_id, award_key, xp, awarded_at) "
                "VALUES (1, 'quiz:basics:q', 10, '2026-01-02 00:00:00+00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO drafts (learner_id, widget_id, code, updated_at) "
                "VALUES (1, 'basics/first-endpoint', 'print(1)', '2026-01-02 00:00:00+00')"
            )
        )
    old.dispose()

    engine = open_database(database_url)
    try:
        assert current_revision(engine) == LATEST
        with engine.connect() as connection:
            assert connection.execute(text("SELECT award_key, xp FROM xp_awards")).all() == [
                ("quiz:basics:q", 10)
            ]
            assert connection.execute(text("SELECT code, attempts FROM drafts")).all() == [
                ("print(1)", 0)
            ]
    finally:
        engine.dispose()
