"""Engine and session factory for the platform database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from deepdive.settings import Settings


def make_engine(
    url: str, *, pool_size: int = 5, max_overflow: int = 10, pool_timeout: float = 10.0
) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout. The pool sizes
    apply to PostgreSQL (`Settings.db_pool_size` and friends; see `engine_for`)."""
    if url.startswith("postgresql"):
        # A database that went away is noticed (pre-ping) and waited for briefly, not forever:
        # requests then fail fast with a 503 and work again as soon as it is back.
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            connect_args={"connect_timeout": 3},
        )
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if ":memory:" not in url:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    return engine


def engine_for(settings: Settings) -> Engine:
    """The engine of a web worker: `settings.database_url` with the configured pool."""
    return make_engine(
        settings.database_url or "",
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
