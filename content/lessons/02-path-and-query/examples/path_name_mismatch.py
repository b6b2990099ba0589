from fastapi import FastAPI

app = FastAPI(title="Bookshop")


@app.get("/books/{book_id}")
def read_book(id: int) -> dict[str, int]:  # not named book_id, so it is read from the query
    return {"id": id}
