from datetime import date

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel


class Book(BaseModel):
    id: int
    title: str
    published: date
    tags: list[str] = []


class StoredBook(Book):
    """What the shop keeps internally: more than a client should ever see."""

    supplier_cost: float


_SHELF = {
    1: StoredBook(
        id=1,
        title="Dune",
        published=date(1965, 8, 1),
        tags=["science fiction"],
        supplier_cost=3.10,
    ),
}

app = FastAPI(title="Bookshop")


@app.get("/books/{book_id}")
def read_book(book_id: int) -> Book:
    book = _SHELF.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail=f"No book with id {book_id}")
    return book
