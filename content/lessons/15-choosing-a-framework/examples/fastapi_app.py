from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(title="Benchmark: FastAPI")

BOOKS = {
    1: {"id": 1, "title": "Dune", "year": 1965},
    2: {"id": 2, "title": "Neuromancer", "year": 1984},
    3: {"id": 3, "title": "Hyperion", "year": 1989},
}


class BookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1000, le=2100)


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"message": "Hello, world"}


@app.get("/books/{book_id}")
async def read_book(book_id: int) -> dict[str, int | str]:
    book = BOOKS.get(book_id)
    if book is None:
        raise HTTPException(status_code=404, detail="No such book")
    return book


@app.post("/books", status_code=201)
async def create_book(book: BookIn) -> dict[str, int | str]:
    # Answered, not stored: a benchmark must not grow the table with every request.
    return {"id": len(BOOKS) + 1, **book.model_dump()}
