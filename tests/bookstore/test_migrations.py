"""The Alembic migrations build exactly the tables the models describe, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from bookstore.db.migrate import downgrade, upgrade
from bookstore.models import Base


def test_migrated_database_matches_the_models(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()

    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(database_url):
    engine = create_engine(database_url)

    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {"books", "users", "wallets", "purchases", "outbox_messages"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
