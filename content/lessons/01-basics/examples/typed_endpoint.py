from fastapi import FastAPI

app = FastAPI(title="Bookshop")


@app.get("/books/{book_id}")
def read_book(book_id: int, page: int = 1, large_print: bool = False) -> dict[str, int | bool]:
    """Open a book at a page, optionally in a large-print edition."""
    return {"book_id": book_id, "page": page, "large_print": large_print}
