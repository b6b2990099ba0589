"""Hosted mode's accounts in the web app: session cookies, the account and admin pages, and
what a request without a login gets (pages: /login; /api: 401 JSON)."""

from __future__ import annotations

import binascii
import json
from base64 import b64decode

from fastapi import FastAPI, Request
from fastapi.responses import Response
from itsdangerous import BadSignature
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import Receive, Scope, Send

from deepdive.accounts.sessions import (
    LoginRequiredError,
    header_account,
    session_middleware_options,
)


class SessionCookieMiddleware(SessionMiddleware):
    """Starlette's SessionMiddleware, and one more promise: a cookie with a right signature
    whose content is no session (an older format, say) reads as no session instead of an error."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            raw = HTTPConnection(scope).cookies.get(self.session_cookie)
            if raw is not None and not self._readable(raw):
                headers = _without_cookie(scope["headers"], self.session_cookie)
                scope = {**scope, "headers": headers}
        await super().__call__(scope, receive, send)

    def _readable(self, raw: str) -> bool:
        try:
            data = self.signer.unsign(raw.encode(), max_age=self.max_age)
        except BadSignature:
            return True  # the parent reads a bad signature as no session
        try:
            return isinstance(json.loads(b64decode(data, validate=True)), dict)
        except (ValueError, binascii.Error):
            return False


def _without_cookie(headers: list[tuple[bytes, bytes]], name: str) -> list[tuple[bytes, bytes]]:
    prefix = name.encode() + b"="
    kept = []
    for key, value in headers:
        if key == b"cookie":
            parts = [part for part in value.split(b";") if not part.strip().startswith(prefix)]
            value = b";".join(parts)
        kept.append((key, value))
    return kept


async def _login_required(request: Request, problem: Exception) -> Response:
    from deepdive.web.routes.accounts import login_redirect

    assert isinstance(problem, LoginRequiredError)
    return login_redirect(request, problem)


def install_accounts(app: FastAPI) -> None:
    """Call before any other middleware is added, so that the session wraps only the routes."""
    from deepdive.web.routes import accounts, admin

    app.include_router(accounts.router)
    app.include_router(admin.router)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_middleware(SessionCookieMiddleware, **session_middleware_options(app.state.settings))
    app.state.templates.env.globals.update(hosted_mode=True, header_account=header_account)
