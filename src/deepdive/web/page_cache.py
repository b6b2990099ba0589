"""Rendered pages, served again without re-rendering until the learner's data changes.

A page depends on the course (fixed while serving) and on the learner's rows in the database, so a
cached page is keyed by a database version made of two counters:

- commits made through this server's own sessions, counted right after each commit: exact, and
  free to read;
- commits made by anyone else (another process such as `deepdive progress import`), seen through
  SQLite's `PRAGMA data_version` on a read-only connection, asked at most every few milliseconds.

Routes store what they render; `PageCacheMiddleware` answers repeat visits before the request
reaches routing at all.

Hosted mode caches nothing. Its workers are separate processes (on separate machines, even), so
a commit made through one is invisible to the others' counters, and any shared version (a Redis
counter, say) read "at most every few milliseconds" would still let a worker answer a page older
than a change the learner has just seen succeed through another. Its pages are also per account,
while the middleware knows only local mode's single learner. A hosted page is always rendered
from the database; other databases than a SQLite file are never cached either.
"""

from __future__ import annotations

import sqlite3
import time
from collections import OrderedDict

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from deepdive.web.security import CsrfTokens, request_csrf_cookie

_Key = tuple[str, int, int, int]


class PageCache:
    def __init__(
        self,
        engine: Engine,
        max_pages: int = 256,
        recheck_seconds: float = 0.05,
        *,
        enabled: bool = True,
    ) -> None:
        self._max_pages = max_pages
        self._recheck_seconds = recheck_seconds
        self._own_commits = 0
        self._outside_version = 0
        self._checked_at = -1.0
        self._pages: OrderedDict[_Key, bytes] = OrderedDict()
        self._probe: sqlite3.Connection | None = None
        database = engine.url.database
        self._database = (
            database
            if enabled and engine.dialect.name == "sqlite" and database != ":memory:"
            else None
        )

    def _connect(self) -> sqlite3.Connection | None:
        if self._probe is None and self._database:
            try:
                # Only ever used from the event loop thread, one statement at a time.
                self._probe = sqlite3.connect(
                    f"file:{self._database}?mode=ro", uri=True, check_same_thread=False
                )
            except sqlite3.OperationalError:
                return None  # no database file yet: nothing to cache against
        return self._probe

    def watch(self, session_factory: sessionmaker[Session]) -> None:
        """Count the commits of the sessions this factory makes (after they are durable)."""

        @event.listens_for(session_factory, "after_commit")
        def _committed(_session: Session) -> None:
            self._own_commits += 1

    def key(self, path: str, learner_id: int) -> _Key | None:
        """A key that stops matching once the database changes; None when not caching.

        Take it before reading the data a page shows: a page is then never older than its key.
        """
        if self._database is None:
            return None
        now = time.monotonic()
        if now - self._checked_at >= self._recheck_seconds:
            probe = self._connect()
            if probe is None:
                return None
            self._outside_version = probe.execute("PRAGMA data_version").fetchone()[0]
            self._checked_at = now
        return (path, learner_id, self._own_commits, self._outside_version)

    def get(self, key: _Key | None) -> bytes | None:
        if key is None:
            return None
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: _Key | None, page: bytes) -> None:
        if key is None:
            return
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None


class PageCacheMiddleware:
    """Answer a GET for a page that is cached and still current, without routing or rendering.

    It sits outside the security-header and CSRF-cookie middlewares, so it adds the same headers
    itself, and leaves requests without a valid CSRF cookie to the app (which sets one).
    """

    def __init__(
        self,
        app: ASGIApp,
        cache: PageCache,
        state: object,
        tokens: CsrfTokens,
        headers: list[tuple[bytes, bytes]],
    ) -> None:
        self.app = app
        self.cache = cache
        self.state = state  # app.state: knows the learner once the first page was served
        self.tokens = tokens
        self.headers = [(b"content-type", b"text/html; charset=utf-8"), *headers]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        learner_id = getattr(self.state, "local_learner_id", None)
        if (
            learner_id is not None
            and scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope["query_string"]
            and self.tokens.valid(request_csrf_cookie(scope))
        ):
            page = self.cache.get(self.cache.key(scope["path"], learner_id))
            if page is not None:
                headers = [*self.headers, (b"content-length", str(len(page)).encode())]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": page})
                return
        await self.app(scope, receive, send)
