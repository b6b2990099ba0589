from typing import Annotated

from fastapi import Depends, FastAPI, Query

_BOOKS = ["Dune", "Emma", "Ulysses", "Beloved", "Solaris"]
_AUTHORS = ["Herbert", "Austen", "Joyce", "Morrison", "Lem"]


def pagination(
    limit: Annotated[int, Query(ge=1, le=50)] = 2, offset: Annotated[int, Query(ge=0)] = 0
) -> dict[str, int]:
    return {"limit": limit, "offset": offset}


PageDep = Annotated[dict[str, int], Depends(pagination)]

app = FastAPI(title="First dependency")


@app.get("/books")
def list_books(page: PageDep) -> dict[str, object]:
    start = page["offset"]
    return {"page": page, "items": _BOOKS[start : start + page["limit"]]}


@app.get("/authors")
def list_authors(page: PageDep) -> dict[str, object]:
    start = page["offset"]
    return {"page": page, "items": _AUTHORS[start : start + page["limit"]]}
