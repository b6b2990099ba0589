"""The application factory: `create_app(settings)` builds a fully wired course server."""

from __future__ import annotations

import secrets

import redis
from fastapi import FastAPI
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from deepdive import __version__
from deepdive.course.loader import load_course
from deepdive.course.models import Course
from deepdive.course.search import SearchIndex
from deepdive.db.engine import engine_for, make_session_factory
from deepdive.sandbox import (
    IsolationReport,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
)
from deepdive.sandbox.client import ping_sync
from deepdive.sandbox.streams import dispatch_client, isolation_warning_sync
from deepdive.settings import Settings
from deepdive.web.assets import STATIC_DIR, VersionedStaticFiles
from deepdive.web.errors import install_error_handlers
from deepdive.web.page_cache import PageCache, PageCacheMiddleware
from deepdive.web.ratelimits import make_limiters
from deepdive.web.routes import (
    bench,
    bookstore_source,
    challenges,
    completion,
    deployment,
    docs_viewer,
    drafts,
    health,
    incidents,
    instructor,
    packages,
    pages,
    progress,
    quiz,
    recommender,
    runs,
    search,
    sessions,
    tasks,
)
from deepdive.web.security import (
    BodyLimitMiddleware,
    CsrfCookieMiddleware,
    CsrfGuardMiddleware,
    CsrfTokens,
    HostGuardMiddleware,
    SecurityHeadersMiddleware,
    allowed_host_names,
    security_headers,
)
from deepdive.web.templating import make_templates

STREAMED_RUN_TYPE = "application/x-ndjson"


def _isolation_warning(settings: Settings) -> str | None:
    """What the runner says about missing isolation, shown on every page (None when complete)."""
    if not settings.runner_url:
        return isolation_warning_sync(settings.redis_url) if dispatch_client(settings) else None
    token = settings.runner_token.get_secret_value() if settings.runner_token else None
    try:
        info = ping_sync(settings.runner_url, token)
    except (RunnerUnavailableError, RunnerError):
        return None  # runs will say so themselves, with a message for the learner
    return IsolationReport.model_validate(info["isolation"]).warning


def _redis_client(url: str | None) -> redis.Redis | None:
    """The worker's client of the shared Redis: it connects when first used, reconnects after
    an outage, and gives up on a silent server within a second."""
    if not url:
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def create_app(settings: Settings, course: Course | None = None) -> FastAPI:
    """Build the app. `settings` must be prepared; the database must be migrated (see `serve`)."""
    settings = settings.prepare()
    course = course if course is not None else load_course(settings.content_dir)
    app = FastAPI(
        title="FastAPI Deep Dive",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    engine = engine_for(settings)
    runner_token = settings.runner_token.get_secret_value() if settings.runner_token else None
    app.state.settings = settings
    app.state.worker_name = secrets.token_hex(4)  # each worker process builds its own app
    app.state.course = course
    app.state.search_index = SearchIndex(course)  # built from the course just loaded
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.page_cache = PageCache(engine, enabled=settings.mode == "local")
    app.state.page_cache.watch(app.state.session_factory)
    app.state.sandbox = (
        RunnerClient(settings.runner_url, runner_token)
        if settings.runner_url
        else dispatch_client(settings)  # hosted: runs go through Redis to runners anywhere
    )
    app.state.run_limiter, app.state.login_limiter = make_limiters(settings)
    app.state.redis = _redis_client(settings.redis_url) if settings.mode == "hosted" else None
    app.state.csrf_tokens = CsrfTokens(settings.secret)
    app.state.templates = make_templates(isolation_warning=_isolation_warning(settings))

    routers = (
        pages,
        quiz,
        challenges,
        progress,
        drafts,
        runs,
        sessions,
        tasks,
        docs_viewer,
        bookstore_source,
        packages,
        deployment,
        bench,
        incidents,
        recommender,
        search,
        completion,
    )
    if settings.mode == "hosted":
        routers = (*routers, instructor)
    for module in (*routers, health):
        app.include_router(module.router)
    app.mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static")
    install_error_handlers(app)

    https = settings.mode == "hosted"
    if https:  # accounts, logins and their session cookie (innermost, so every route has it)
        from deepdive.accounts.web import install_accounts

        install_accounts(app)
    # Inside the CSRF guard: a cross-site body is refused before its size matters.
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(CsrfGuardMiddleware, tokens=app.state.csrf_tokens)
    app.add_middleware(CsrfCookieMiddleware, tokens=app.state.csrf_tokens, secure=https)
    app.add_middleware(SecurityHeadersMiddleware, https=https)
    app.add_middleware(
        PageCacheMiddleware,
        cache=app.state.page_cache,
        state=app.state,
        tokens=app.state.csrf_tokens,
        headers=security_headers(https=https),
    )
    app.add_middleware(
        HostGuardMiddleware, allowed=allowed_host_names(settings.host, settings.allowed_hosts)
    )
    # Outermost, so that pages answered from the page cache are compressed too. Starlette's
    # GZipMiddleware compresses a streamed body chunk by chunk (a sync flush after each), but the
    # run progress stream is made of small JSON lines that the page must show the moment they
    # are sent: it goes out as it is. WebSockets never pass through it.
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1000,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, STREAMED_RUN_TYPE),
    )
    return app
