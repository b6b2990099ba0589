"""Prepare the database before the servers start: `python -m bookstore.prestart`.

Applies every migration, then creates the first admin if BOOKSTORE_FIRST_ADMIN_USERNAME and
BOOKSTORE_FIRST_ADMIN_PASSWORD are set and that account does not exist yet. It runs once per
deployment (compose runs it as its own service) rather than in every worker process, which
would race each other.
"""

from __future__ import annotations

import logging

from bookstore.core.config import Settings
from bookstore.core.logging import configure_logging
from bookstore.core.security import PasswordHasher
from bookstore.db.engine import make_engine, make_session_factory
from bookstore.db.migrate import upgrade
from bookstore.models import Role
from bookstore.schemas.user import UserCreate
from bookstore.services.users import create_user, find_by_username

logger = logging.getLogger(__name__)


def prepare_database(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        username, password = settings.first_admin_username, settings.first_admin_password
        if username and password:
            admin = UserCreate(
                username=username,
                email=settings.first_admin_email,
                password=password.get_secret_value(),
            )
            with make_session_factory(engine)() as session:
                if find_by_username(session, admin.username) is None:
                    create_user(session, admin, PasswordHasher(settings), role=Role.ADMIN)
                    logger.info("Created the first admin", extra={"username": admin.username})
    finally:
        engine.dispose()


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    prepare_database(settings)
    logger.info("The database is ready")


if __name__ == "__main__":
    main()
