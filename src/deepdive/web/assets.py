"""Static files with content-hashed URLs, so browsers may cache them for a year.

The course's style sheets (the theme, the site, the widget kit, every widget kind's and the
incidents') travel as one file, `css/course.css`, built from them when first asked for: a page
then waits for a single style sheet before its first paint instead of one per widget kind, and
every later page finds it cached.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"


STYLESHEET = "css/course.css"
# In cascade order: what the widgets build on comes first.
_BASE_STYLESHEETS = ("css/theme.css", "css/site.css", "css/kit.css", "css/incidents.css")


def stylesheet_parts() -> tuple[str, ...]:
    """The files `css/course.css` is made of, in order (widget kinds sorted by name)."""
    widgets = sorted((STATIC_DIR / "css" / "widgets").glob("*.css"))
    return (*_BASE_STYLESHEETS, *(path.relative_to(STATIC_DIR).as_posix() for path in widgets))


@cache
def _stylesheet() -> bytes:
    return b"\n".join(
        f"/* {name} */\n".encode() + (STATIC_DIR / name).read_bytes() for name in stylesheet_parts()
    )


@cache
def _digest(relative: str) -> str:
    body = _stylesheet() if relative == STYLESHEET else (STATIC_DIR / relative).read_bytes()
    return hashlib.sha256(body).hexdigest()[:12]


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

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == STYLESHEET and scope["method"] in ("GET", "HEAD"):
            return Response(_stylesheet(), media_type="text/css")
        return await super().get_response(path, scope)
