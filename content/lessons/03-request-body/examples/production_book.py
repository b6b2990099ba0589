from itertools import count

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field


class BookBase(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=2, max_length=120)
    year: int = Field(ge=1000, le=2100)
    genre: str | None = Field(default=None, max_length=40)


class BookCreate(BookBase):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BookPublic(BookBase):
    id: int


app = FastAPI(title="Bookshop", max_body_size=4096)
_ids = count(start=1)


@app.post("/books", status_code=201)
def create_book(book: BookCreate) -> BookPublic:
    return BookPublic(id=next(_ids), **book.model_dump())
