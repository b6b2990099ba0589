"""Refuse request bodies above a size limit with a 413 in the error envelope.

A declared `Content-Length` that is too large is refused before anything is read; a body sent
in chunks is counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bookstore.api.errors import error_response


def _too_large_message(limit: int) -> str:
    return f"The request body is larger than this service accepts ({limit // 1024} KiB)."


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = error_response(413, _too_large_message(self.max_bytes))
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the route's body parsing; the error handlers render it.
                    raise HTTPException(413, _too_large_message(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)
