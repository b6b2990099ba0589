"""Protections of a local server that runs code: Host checking, security headers, CSRF, a limit
on the size of a request's body.

The middlewares here are plain ASGI (no per-request task or body buffering), so they cost almost
nothing on the hot path.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deepdive.web.errors import MAX_BODY_BYTES, TOO_LARGE, error_response, too_large_message

CSRF_COOKIE = "deepdive_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-elem 'self'",
        # Style attributes only: Chromium's own editing writes them into the code editors while
        # text is replaced. They cannot run script; <style> elements stay forbidden.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
        "base-uri 'none'",
        "manifest-src 'self'",
    ]
)

_SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]


# Pages that are nobody else's business (account forms, other people's work): no browser or
# proxy cache keeps a copy, so the Back button after logging out shows nothing of them.
NO_STORE = {"Cache-Control": "no-store, private"}


def allowed_host_names(configured_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Host names (without port) the server answers to: its own, loopback names, and extras."""
    names = {"localhost", "127.0.0.1", "::1", "[::1]", configured_host.lower(), *extra}
    return frozenset(name.lower() for name in names if name and name not in {"0.0.0.0", "::"})  # noqa: S104


def _host_name(host_header: str) -> str:
    if host_header.startswith("["):  # IPv6 literal: [::1]:8000
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if ":" in host_header else host_header


class HostGuardMiddleware:
    """Refuse requests whose Host header names another server (DNS rebinding defence)."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = _raw_header(scope, b"host").decode("latin-1")
            if _host_name(host.lower()) not in self.allowed:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                response = PlainTextResponse(
                    f"This server does not answer to the host name {host!r}. "
                    "Open it as http://127.0.0.1 or http://localhost instead.",
                    status_code=400,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def security_headers(*, https: bool) -> list[tuple[bytes, bytes]]:
    headers = list(_SECURITY_HEADERS)
    if https:
        headers.append((b"strict-transport-security", b"max-age=63072000"))
    return headers


class SecurityHeadersMiddleware:
    """Add CSP and the other security headers to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(item for item in self.headers if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CsrfTokens:
    """Signed double-submit tokens: a cookie the browser keeps, echoed in a header or form field.

    The signature stops a token planted by another site (cookie tossing) from being accepted.
    """

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"deepdive-csrf:" + secret.encode()).digest()
        self._known_valid: set[str] = set()

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def new(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        if token in self._known_valid:  # every page view checks the same few tokens again
            return True
        nonce, dot, signature = token.rpartition(".")
        if not dot or not hmac.compare_digest(signature, self._sign(nonce)):
            return False
        if len(self._known_valid) >= 10_000:
            self._known_valid.clear()
        self._known_valid.add(token)
        return True


def same_origin(headers: Headers, scheme: str) -> bool:
    """True when Origin (or, without it, Referer) names this very server."""
    host = headers.get("host", "").lower()
    source = headers.get("origin") or headers.get("referer")
    if not source or source == "null":
        return False
    parts = urlsplit(source)
    return parts.scheme == scheme and parts.netloc.lower() == host


def csrf_problem(scope: Scope, tokens: CsrfTokens) -> str | None:
    """Why a state-changing request must be refused, or None when it came from our own pages:
    a same-origin `Origin` (or `Referer`) and the signed token of the CSRF cookie echoed in the
    `X-CSRF-Token` header (the pages' htmx and fetch requests all send it)."""
    headers = Headers(scope=scope)
    if not same_origin(headers, scope.get("scheme", "http")):
        return "This request did not come from the course's own pages, so it was not carried out."
    cookie = request_csrf_cookie(scope)
    sent = headers.get(CSRF_HEADER)
    if not (cookie and sent and tokens.valid(cookie) and hmac.compare_digest(cookie, sent)):
        return "The page's security token is missing or out of date. Reload the page and try again."
    return None


class CsrfGuardMiddleware:
    """Refuse a state-changing request from anywhere but the course's own pages, before a byte of
    its body is read (a cross-site upload costs the server nothing)."""

    def __init__(self, app: ASGIApp, tokens: CsrfTokens) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            problem = csrf_problem(scope, self.tokens)
            if problem is not None:
                refusal = error_response(
                    Request(scope), 403, "Request refused for your safety", problem
                )
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """Refuse a request whose body is over `MAX_BODY_BYTES` with a 413 that says what to do: at
    once when its Content-Length says so (nothing of it is read), otherwise as soon as the
    bytes read pass the limit (a chunked body), before the route has used any of it; the
    route's error handler then answers.

    FastAPI's own `max_body_size` would do the counting, but it answers a bare "Content Too
    Large" in place of whatever response the app sends, a learner's page included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _raw_header(scope, b"content-length")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            message = too_large_message(int(declared))
            refusal = error_response(Request(scope), 413, TOO_LARGE, message)
            await refusal(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise HTTPException(413)
            return message

        await self.app(scope, limited, send)


def csrf_cookie_header(token: str, *, secure: bool) -> str:
    """The Set-Cookie value that gives the browser `token` (readable by the pages' scripts,
    which echo it in a header)."""
    return f"{CSRF_COOKIE}={token}; Path=/; SameSite=Strict" + ("; Secure" if secure else "")


class CsrfCookieMiddleware:
    """Give every browser a CSRF cookie on its first page view (and replace forged ones)."""

    def __init__(self, app: ASGIApp, tokens: CsrfTokens, *, secure: bool = False) -> None:
        self.app = app
        self.tokens = tokens
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.tokens.valid(request_csrf_cookie(scope)):
            await self.app(scope, receive, send)
            return
        token = self.tokens.new()
        scope.setdefault("state", {})["csrf_token"] = token
        cookie = csrf_cookie_header(token, secure=self.secure)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _raw_header(scope: Scope, name: bytes) -> bytes:
    """The first header called `name` (lower case), straight from the ASGI scope."""
    for key, value in scope["headers"]:
        if key == name:
            return value
    return b""


def _cookie_value(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def request_csrf_cookie(scope: Scope) -> str | None:
    return _cookie_value(_raw_header(scope, b"cookie").decode("latin-1"), CSRF_COOKIE)
