from fastapi import FastAPI

app = FastAPI(title="Bookshop")

_TITLES = {1: "Dune", 2: "Solaris"}


@app.get("/untyped/{book_id}")
def find_untyped(book_id) -> dict[str, object]:
    return {"book_id": book_id, "found": book_id in _TITLES}


@app.get("/typed/{book_id}")
def find_typed(book_id: int) -> dict[str, object]:
    return {"book_id": book_id, "found": book_id in _TITLES}
