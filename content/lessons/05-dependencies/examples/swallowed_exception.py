from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException

log: list[str] = []


def get_session_swallowing() -> Iterator[str]:
    try:
        yield "session"
    except Exception as exc:
        log.append(f"rolled back after {exc!r}")  # ...and forgot to re-raise


def get_session() -> Iterator[str]:
    try:
        yield "session"
    except Exception as exc:
        log.append(f"rolled back after {exc!r}")
        raise


app = FastAPI(title="Swallowed exception")


@app.get("/broken/{book_id}")
def read_broken(
    book_id: int, session: Annotated[str, Depends(get_session_swallowing)]
) -> dict[str, str]:
    raise HTTPException(status_code=404, detail=f"No book with id {book_id}")


@app.get("/fixed/{book_id}")
def read_fixed(book_id: int, session: Annotated[str, Depends(get_session)]) -> dict[str, str]:
    raise HTTPException(status_code=404, detail=f"No book with id {book_id}")
