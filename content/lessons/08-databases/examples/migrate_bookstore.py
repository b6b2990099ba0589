from sqlalchemy import create_engine, inspect

from bookstore.db.migrate import current_revision, downgrade, head_revision, upgrade


def migrate(url: str) -> dict[str, object]:
    """Bring an empty database up to the newest migration, as the Bookstore does at start."""
    engine = create_engine(url)
    upgrade(engine)  # alembic upgrade head
    with engine.connect() as connection:
        state = {
            "revision": current_revision(connection),
            "head": head_revision(),
            "tables": sorted(inspect(connection).get_table_names()),
        }
    engine.dispose()
    return state


def roll_back_everything(url: str) -> list[str]:
    engine = create_engine(url)
    downgrade(engine, "base")  # alembic downgrade base
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    engine.dispose()
    return tables
