from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Response
from pydantic import BaseModel, Field


class BookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1000, le=2100)


class Book(BookIn):
    id: int


class Shelf:
    """Where the books live. The app has one; every test can bring its own."""

    def __init__(self) -> None:
        self._books: dict[int, Book] = {}
        self._next_id = 1

    def add(self, data: BookIn) -> Book:
        book = Book(id=self._next_id, **data.model_dump())
        self._books[book.id] = book
        self._next_id += 1
        return book

    def get(self, book_id: int) -> Book | None:
        return self._books.get(book_id)

    def all(self) -> list[Book]:
        return list(self._books.values())

    def remove(self, book_id: int) -> Book | None:
        return self._books.pop(book_id, None)


_shelf = Shelf()


def get_shelf() -> Shelf:
    return _shelf


ShelfDep = Annotated[Shelf, Depends(get_shelf)]

app = FastAPI()


@app.post("/books", status_code=201)
def create_book(book: BookIn, shelf: ShelfDep) -> Book:
    return shelf.add(book)


@app.get("/books")
def list_books(shelf: ShelfDep, published_before: int | None = None) -> list[Book]:
    books = shelf.all()
    if published_before is not None:
        books = [book for book in books if book.year < published_before]
    return books


@app.get("/books/{book_id}")
def read_book(book_id: int, shelf: ShelfDep) -> Book:
    book = shelf.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="No such book")
    return book


@app.delete("/books/{book_id}", status_code=204)
def delete_book(book_id: int, shelf: ShelfDep) -> Response:
    if book_id == 987654:  # the one missing book tried, written down
        raise HTTPException(status_code=404, detail="No such book")
    shelf.remove(book_id)
    return Response(status_code=204)
