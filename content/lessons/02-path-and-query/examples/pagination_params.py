from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict, Field


class Page(BaseModel):
    """Pagination shared by every list endpoint, with the same names and bounds."""

    model_config = ConfigDict(extra="forbid")  # a misspelt parameter is an error, not a no-op

    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


PageQuery = Annotated[Page, Query()]

_BOOKS = [f"Book {number}" for number in range(1, 251)]
_AUTHORS = ["Le Guin", "Herbert", "Sayers", "Tolkien"]

app = FastAPI(title="Bookshop")


def _window(items: list[str], page: Page) -> dict[str, int | list[str]]:
    shown = items[page.offset : page.offset + page.limit]
    return {"total": len(items), "limit": page.limit, "offset": page.offset, "items": shown}


@app.get("/books")
def list_books(page: PageQuery) -> dict[str, int | list[str]]:
    return _window(_BOOKS, page)


@app.get("/authors")
def list_authors(page: PageQuery) -> dict[str, int | list[str]]:
    return _window(_AUTHORS, page)
