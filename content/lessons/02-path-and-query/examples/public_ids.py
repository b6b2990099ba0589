from typing import NamedTuple
from uuid import UUID

from fastapi import FastAPI, HTTPException


class _Row(NamedTuple):
    id: int  # the database's primary key: never part of a URL or a response
    ref: UUID  # the only identifier clients see
    title: str


_ROWS = [
    _Row(1, UUID("5c1a7e0e-8d3b-4f6a-9b2e-0f4d6c8a1b37"), "The Hobbit"),
    _Row(2, UUID("e2b94d51-07c6-4a8f-b3d0-6a9e1f5c2d84"), "Gaudy Night"),
]
_BY_REF = {row.ref: row for row in _ROWS}

app = FastAPI(title="Bookshop")


@app.get("/books/{book_ref}")
def read_book(book_ref: UUID) -> dict[str, str]:
    row = _BY_REF.get(book_ref)
    if row is None:
        raise HTTPException(status_code=404, detail="No such book")
    return {"ref": str(row.ref), "title": row.title}
