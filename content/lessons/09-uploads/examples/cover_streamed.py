import hashlib
from typing import Annotated

from fastapi import FastAPI, Form, HTTPException, UploadFile

MAX_BYTES = 4 * 1024 * 1024
ALLOWED_TYPES = {"image/png", "image/jpeg", "image/webp"}
CHUNK = 64 * 1024

app = FastAPI()


@app.post("/covers")
async def upload_cover(
    file: UploadFile,
    description: Annotated[str, Form(min_length=1, max_length=200)],
) -> dict[str, str | int | None]:
    if file.content_type not in ALLOWED_TYPES:
        raise HTTPException(415, f"A cover must be PNG, JPEG or WebP, not {file.content_type}")
    if file.size is None or file.size > MAX_BYTES:
        raise HTTPException(413, f"A cover can be {MAX_BYTES // 1024 // 1024} MiB at most")
    digest = hashlib.sha256()
    size = 0
    while chunk := await file.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return {
        "filename": file.filename,
        "content_type": file.content_type,
        "size": size,
        "sha256": digest.hexdigest(),
        "description": description,
    }
