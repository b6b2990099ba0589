"""Apply the Alembic migrations that ship with the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect

_SCRIPT_LOCATION = "deepdive.db:migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to `revision`; existing data is kept."""
    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The revision the shipped migrations end at."""
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    return ScriptDirectory.from_config(config).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def open_database(url: str) -> Engine:
    """An engine for `url` with every migration applied (creating the database if needed)."""
    from deepdive.db.engine import make_engine

    engine = make_engine(url)
    upgrade(engine)
    return engine
