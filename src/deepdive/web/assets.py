"""Static files with content-hashed URLs, so browsers may cache them for a year."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"


@cache
def _digest(relative: str) -> str:
    return hashlib.sha256((STATIC_DIR / relative).read_bytes()).hexdigest()[:12]


def static_url(relative: str) -> str:
    """URL of a file under static/, with a version that changes when the file does."""
    return f"/static/{relative}?v={_digest(relative)}"


class VersionedStaticFiles(StaticFiles):
    """StaticFiles that marks versioned URLs as immutable."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        versioned = b"v=" in scope.get("query_string", b"")

        async def send_with_cache_header(message: dict) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                value = b"public, max-age=31536000, immutable" if versioned else b"no-cache"
                message["headers"] = [*message.get("headers", []), (b"cache-control", value)]
            await send(message)

        await super().__call__(scope, receive, send_with_cache_header)
