"""Cover images: recognised by their first bytes, stored under generated names."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO

from bookstore.core.exceptions import ContentTooLargeError, UnsupportedMediaTypeError

MAX_COVER_BYTES = 2 * 1024 * 1024

# The client's Content-Type and file name are claims; the magic bytes are what the file is.
_SIGNATURES = {
    b"\xff\xd8\xff": ".jpg",
    b"\x89PNG\r\n\x1a\n": ".png",
}
MEDIA_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


def read_cover(upload: BinaryIO) -> tuple[bytes, str]:
    """The uploaded bytes and the file extension their signature says, or an error."""
    data = upload.read(MAX_COVER_BYTES + 1)
    if len(data) > MAX_COVER_BYTES:
        raise ContentTooLargeError(
            f"Covers may be at most {MAX_COVER_BYTES // (1024 * 1024)} MiB; "
            "scale the image down and try again."
        )
    for signature, extension in _SIGNATURES.items():
        if data.startswith(signature):
            return data, extension
    raise UnsupportedMediaTypeError(
        "Covers must be JPEG or PNG images, and this file does not start like either "
        "(whatever its name or Content-Type says)."
    )


def save_cover(covers_dir: Path, data: bytes, extension: str) -> str:
    """Store the image under a new random name and return that name."""
    name = secrets.token_hex(16) + extension
    partial = covers_dir / f".{name}.partial"
    partial.write_bytes(data)
    # Renaming is atomic: a reader never sees a half-written cover.
    os.replace(partial, covers_dir / name)
    return name


def remove_cover(covers_dir: Path, name: str | None) -> None:
    if name:
        (covers_dir / name).unlink(missing_ok=True)
