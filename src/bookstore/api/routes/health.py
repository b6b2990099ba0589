"""Probes for orchestrators: is the process alive, and can it serve (database reachable and
migrated)?"""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import SQLAlchemyError

from bookstore.api.deps import SessionDep
from bookstore.api.errors import error_responses
from bookstore.core.exceptions import ServiceUnavailableError
from bookstore.db.migrate import current_revision, head_revision
from bookstore.schemas.health import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/health")
def health() -> Health:
    """Liveness: answers as long as the process runs; touches nothing else."""
    return Health()


@router.get("/ready", responses=error_responses(503))
def ready(session: SessionDep) -> Readiness:
    """Readiness: the database answers and has every migration this code expects."""
    try:
        connection = session.connection()
        revision = current_revision(connection)
    except SQLAlchemyError as error:
        raise ServiceUnavailableError(
            f"The database is not reachable ({type(error).__name__}); check "
            "BOOKSTORE_DATABASE_URL and that the server is up."
        ) from error
    expected = head_revision()
    if revision != expected:
        raise ServiceUnavailableError(
            f"The database is at migration {revision}, but this code needs {expected}; "
            "run `python -m bookstore.prestart`."
        )
    return Readiness(database=connection.dialect.name, migration=revision)
