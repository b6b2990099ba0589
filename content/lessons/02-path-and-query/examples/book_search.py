from enum import StrEnum
from operator import attrgetter
from typing import Annotated, Literal

from fastapi import FastAPI, Query
from pydantic import BaseModel


class Genre(StrEnum):
    fantasy = "fantasy"
    mystery = "mystery"
    science_fiction = "science-fiction"


class Book(BaseModel):
    id: int
    title: str
    genre: Genre
    in_stock: bool


class BookPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[Book]


_BOOKS = [
    Book(id=1, title="The Hobbit", genre=Genre.fantasy, in_stock=True),
    Book(id=2, title="Gaudy Night", genre=Genre.mystery, in_stock=False),
    Book(id=3, title="Dune", genre=Genre.science_fiction, in_stock=True),
    Book(id=4, title="The Dispossessed", genre=Genre.science_fiction, in_stock=False),
    Book(id=5, title="A Wizard of Earthsea", genre=Genre.fantasy, in_stock=True),
]

app = FastAPI(title="Bookshop")


@app.get("/books")
def search_books(
    genre: Genre | None = None,
    in_stock: bool | None = None,
    title: Annotated[str | None, Query(max_length=50)] = None,
    sort: Literal["id", "title"] = "id",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> BookPage:
    """Filter the catalogue, sort it, and return one page of the result."""
    found = [
        book
        for book in _BOOKS
        if (genre is None or book.genre == genre)
        and (in_stock is None or book.in_stock == in_stock)
        and (title is None or title.casefold() in book.title.casefold())
    ]
    found.sort(key=attrgetter(sort))
    page = found[offset : offset + limit]
    return BookPage(total=len(found), limit=limit, offset=offset, items=page)
