from typing import Annotated

from fastapi import Depends, FastAPI, Query

_BOOKS = ["Dune", "Emma", "Ulysses", "Beloved", "Solaris"]


class Pagination:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=50)] = 2,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset

    def apply(self, items: list[str]) -> list[str]:
        return items[self.offset : self.offset + self.limit]


app = FastAPI(title="Class dependencies")


@app.get("/books")
def list_books(page: Annotated[Pagination, Depends()]) -> dict[str, object]:
    return {"limit": page.limit, "offset": page.offset, "items": page.apply(_BOOKS)}
