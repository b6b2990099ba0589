import hashlib
from typing import Annotated

from fastapi import FastAPI, Form, UploadFile

app = FastAPI()


@app.post("/covers")
async def upload_cover(
    file: UploadFile,
    description: Annotated[str, Form(min_length=1, max_length=200)],
) -> dict[str, str | int | None]:
    data = await file.read()
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "description": description,
    }
