from datetime import date

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field


class BookCreate(BaseModel):
    title: str
    year: int = Field(ge=1000, le=2100, strict=True)


class EditionCreate(BaseModel):
    model_config = ConfigDict(strict=True)

    title: str
    published: date


app = FastAPI(title="Bookshop")


@app.post("/books", status_code=201)
def create_book(book: BookCreate) -> BookCreate:
    return book


@app.post("/editions", status_code=201)
def create_edition(edition: EditionCreate) -> EditionCreate:
    return edition
