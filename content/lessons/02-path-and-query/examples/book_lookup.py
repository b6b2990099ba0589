from typing import Annotated

from fastapi import FastAPI, HTTPException, Path

app = FastAPI(title="Bookshop")

_TITLES = {1: "The Hobbit", 2: "Gaudy Night", 3: "Dune"}


@app.get("/books/{book_id}")
def read_book(
    book_id: Annotated[int, Path(ge=1, description="The book's catalogue number")],
) -> dict[str, int | str]:
    title = _TITLES.get(book_id)
    if title is None:
        raise HTTPException(status_code=404, detail=f"No book with id {book_id}")
    return {"id": book_id, "title": title}
