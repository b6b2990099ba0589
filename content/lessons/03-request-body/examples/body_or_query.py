from typing import Annotated

from fastapi import Body, FastAPI, Query
from pydantic import BaseModel


class BookCreate(BaseModel):
    title: str
    author: str


class Review(BaseModel):
    stars: int
    text: str


app = FastAPI(title="Bookshop")


@app.post("/shelves/{shelf_id}/books", status_code=201)
def shelve_book(shelf_id: int, book: BookCreate, notify: bool = False) -> dict[str, object]:
    return {"shelf_id": shelf_id, "book": book, "notify": notify}


@app.post("/books/reviewed", status_code=201)
def create_reviewed_book(book: BookCreate, review: Review) -> dict[str, object]:
    return {"book": book, "review": review}


@app.post("/books/wrapped", status_code=201)
def create_wrapped_book(book: Annotated[BookCreate, Body(embed=True)]) -> BookCreate:
    return book


@app.post("/books/tagged")
def tag_books(tags: list[str]) -> list[str]:
    return tags


@app.get("/books")
def list_books(tag: Annotated[list[str], Query()]) -> list[str]:
    return tag
