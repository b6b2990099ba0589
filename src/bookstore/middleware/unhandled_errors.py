"""Turn an unexpected exception into a logged, anonymous 500.

This sits inside the other middleware on purpose. Starlette's own last-resort handler sits
outside all of them, so its 500s would lack the request id, CORS and security headers.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bookstore.api.errors import error_response

logger = logging.getLogger("bookstore.errors")


class UnhandledErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_and_track(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_track)
        except Exception:
            # The log line carries the request id and the traceback; the client gets neither
            # the traceback nor any other internals, only the id to quote.
            logger.exception("Unhandled error in %s %s", scope["method"], scope["path"])
            if response_started:
                raise
            response = error_response(
                500,
                "Something went wrong on our side. It has been logged; quote the request id "
                "if you report it.",
            )
            await response(scope, receive, send)
