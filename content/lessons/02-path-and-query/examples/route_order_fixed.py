from fastapi import FastAPI, HTTPException

app = FastAPI(title="Bookshop")

_TITLES = {1: "The Hobbit", 2: "Gaudy Night", 3: "Dune"}
_FEATURED = [3, 1]


@app.get("/books/featured")  # fixed paths first, so they are tried before the template
def featured_books() -> dict[str, list[str]]:
    return {"featured": [_TITLES[book_id] for book_id in _FEATURED]}


@app.get("/books/{book_id}")
def read_book(book_id: int) -> dict[str, int | str]:
    if book_id not in _TITLES:
        raise HTTPException(status_code=404, detail=f"No book with id {book_id}")
    return {"id": book_id, "title": _TITLES[book_id]}
