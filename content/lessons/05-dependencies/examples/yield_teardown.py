from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException

events: list[str] = []
_STOCK = {1: 3, 2: 0}


def open_connection() -> Iterator[str]:
    events.append("connection: open")
    try:
        yield "connection-1"
    finally:
        events.append("connection: close")


def begin_transaction(connection: Annotated[str, Depends(open_connection)]) -> Iterator[str]:
    events.append("transaction: begin")
    try:
        yield f"transaction on {connection}"
    except Exception as exc:
        events.append(f"transaction: rollback after {type(exc).__name__}")
        raise
    else:
        events.append("transaction: commit")


app = FastAPI(title="Teardown order")


@app.post("/orders/{book_id}")
def place_order(
    book_id: int, transaction: Annotated[str, Depends(begin_transaction)]
) -> dict[str, object]:
    events.append("endpoint")
    if book_id not in _STOCK:
        raise HTTPException(status_code=404, detail=f"No book with id {book_id}")
    if _STOCK[book_id] == 0:
        raise RuntimeError(f"book {book_id} is out of stock")  # a bug: should be a 409
    _STOCK[book_id] -= 1
    return {"book_id": book_id, "left": _STOCK[book_id], "transaction": transaction}
