from typing import Annotated

from fastapi import FastAPI, Path, Query

app = FastAPI(title="Bookshop")


def _seen(value: object) -> dict[str, object]:
    """What FastAPI passed to the function: the converted value and its Python type."""
    return {"value": value, "type": type(value).__name__}


@app.get("/books/{book_id}")
def echo_params(
    book_id: Annotated[int, Path(ge=1)],
    in_stock: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, dict[str, object]]:
    return {
        "book_id": _seen(book_id),
        "in_stock": _seen(in_stock),
        "limit": _seen(limit),
    }


@app.get("/books/featured")
def featured_books() -> dict[str, list[int]]:
    return {"featured": [3, 7]}
