from fastapi import FastAPI
from pydantic import BaseModel, Field


class Author(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    born: int | None = Field(default=None, ge=0, le=2100)


class Publisher(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    country: str = Field(min_length=2, max_length=2)


class BookCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    authors: list[Author] = Field(min_length=1, max_length=10)
    publisher: Publisher | None = None
    tags: list[str] = Field(default=[], max_length=5)


app = FastAPI(title="Bookshop")


@app.post("/books", status_code=201)
def create_book(book: BookCreate) -> BookCreate:
    return book
