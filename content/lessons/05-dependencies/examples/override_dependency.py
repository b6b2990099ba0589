from collections import Counter
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

calls: Counter[str] = Counter()


class Settings(BaseModel):
    database_url: str = "memory://bookshop"
    api_key: str = "let-me-in"


class Session:
    """Stands in for a database session: opened per request, closed afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.closed = False

    def close(self) -> None:
        self.closed = True


def get_settings() -> Settings:
    calls["get_settings"] += 1
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_db_session(settings: SettingsDep) -> Iterator[Session]:
    calls["get_db_session"] += 1
    session = Session(settings.database_url)
    try:
        yield session
    finally:
        session.close()


def require_api_key(
    settings: SettingsDep, x_api_key: Annotated[str | None, Header()] = None
) -> str:
    calls["require_api_key"] += 1
    if x_api_key != settings.api_key:
        raise HTTPException(status_code=401, detail="Missing or wrong X-API-Key header")
    return x_api_key


app = FastAPI(title="Dependency override")


@app.get("/books")
def list_books(
    session: Annotated[Session, Depends(get_db_session)],
    api_key: Annotated[str, Depends(require_api_key)],
) -> dict[str, object]:
    return {"database": session.url, "session_open": not session.closed, "books": ["Dune"]}


def get_test_session() -> Iterator[Session]:
    """The replacement declares no dependencies of its own, so it never reads the settings."""
    calls["get_test_session"] += 1
    yield Session("memory://test")


# A test would install this in a fixture; it is done at import here so running the file shows it.
app.dependency_overrides[get_db_session] = get_test_session
