"""The application factory.

    app = create_app(Settings(...))

Nothing is built at import time: each call makes an independent app with its own settings,
and its lifespan opens (and finally closes) the database engine. Servers call it directly:
`uvicorn --factory bookstore.main:create_app`, `gunicorn 'bookstore.main:create_app()'`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from bookstore import __version__
from bookstore.api.errors import install_error_handlers
from bookstore.api.main import api_router
from bookstore.core.config import Settings
from bookstore.core.logging import configure_logging
from bookstore.core.security import PasswordHasher
from bookstore.db.engine import make_engine, make_session_factory
from bookstore.middleware.access_log import AccessLogMiddleware
from bookstore.middleware.body_limit import BodySizeLimitMiddleware
from bookstore.middleware.process_time import ProcessTimeMiddleware
from bookstore.middleware.request_id import RequestIdMiddleware
from bookstore.middleware.security_headers import SecurityHeadersMiddleware
from bookstore.middleware.unhandled_errors import UnhandledErrorMiddleware
from bookstore.services.clubs import ClubRooms
from bookstore.services.covers import MAX_COVER_BYTES

# A cover plus the multipart framing around it; JSON bodies are far smaller than this.
MAX_REQUEST_BYTES = MAX_COVER_BYTES + 64 * 1024

_DESCRIPTION = """
The reference service of FastAPI Deep Dive: a small bookstore with a catalogue, accounts,
store credit and book-club chat.

Sign in with **Authorize** (OAuth2 password flow) to try the routes that need an account.
Book-club chat is a WebSocket, so it is not listed below: connect to
`/ws/clubs/{club_id}?token=<access token>` and send text frames.
Every error has the same JSON shape: `error`, `message`, `request_id` (and `details` for 422).
"""


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first. Everything inside RequestIdMiddleware can log and report the id."""
    stack = [
        Middleware(RequestIdMiddleware),
        Middleware(AccessLogMiddleware),
        Middleware(ProcessTimeMiddleware),
        Middleware(SecurityHeadersMiddleware),
    ]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "X-Process-Time"],
            )
        )
    stack += [
        Middleware(BodySizeLimitMiddleware, max_bytes=MAX_REQUEST_BYTES),
        Middleware(UnhandledErrorMiddleware),
    ]
    return stack


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new Bookstore API; `settings` defaults to reading `BOOKSTORE_*` variables."""
    settings = settings or Settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        settings.covers_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.database_url)
        # Yielded state reaches every request as `request.state` (see api/deps.py).
        yield {
            "settings": settings,
            "session_factory": make_session_factory(engine),
            "password_hasher": PasswordHasher(settings),
            "club_rooms": ClubRooms(),
        }
        engine.dispose()

    app = FastAPI(
        title="Bookstore API",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=lifespan,
        middleware=_middleware(settings),
    )
    install_error_handlers(app)
    app.include_router(api_router)
    return app
