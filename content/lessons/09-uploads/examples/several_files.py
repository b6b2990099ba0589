from typing import Annotated

from fastapi import FastAPI, File, Form, UploadFile

app = FastAPI()


@app.post("/books/{book_id}/pages")
async def upload_pages(
    book_id: int,
    pages: Annotated[list[UploadFile], File(description="Scans, in reading order")],
    first_page: Annotated[int, Form(ge=1)] = 1,
) -> dict[str, object]:
    return {
        "book_id": book_id,
        "first_page": first_page,
        "names": [page.filename for page in pages],
        "sizes": [page.size for page in pages],
    }
