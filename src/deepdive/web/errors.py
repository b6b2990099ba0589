"""Errors for people: HTML pages for browsers, JSON for API calls, never a bare 500."""

from __future__ import annotations

import logging
import math
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("deepdive.web")
_KNOWN = frozenset(status.value for status in HTTPStatus)
# The largest request body the course takes (see `security.BodyLimitMiddleware`). A run's uploads
# (5 MiB, a third more in base64) fit in it twice over with their code and requests, as does a
# progress file (5 MiB).
MAX_BODY_BYTES = 16 * 1024 * 1024


def retry_after(problem: Exception) -> dict[str, str]:
    """The `Retry-After` header for a 429: when the rate limit allows the next run, or a second
    for a learner whose earlier runs are still going."""
    seconds = getattr(problem, "retry_after", 1.0)
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def wants_json(request: Request) -> bool:
    """API clients get JSON; pages (and htmx requests made by pages) get HTML."""
    if request.headers.get("hx-request"):
        return False
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _describe_validation(exc: RequestValidationError) -> list[dict[str, str]]:
    problems = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":  # where in the text, not a field
            at = error.get("loc", ("body", 0))[-1]
            why = (error.get("ctx") or {}).get("error", "")
            problems.append(
                {
                    "field": "request body",
                    "message": f"not valid JSON: {why or error.get('msg', '')} at character {at}",
                }
            )
            continue
        where = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")
        ]
        message = error.get("msg", "").removeprefix("Value error, ")
        problems.append({"field": ".".join(where) or "request", "message": message})
    return problems


def error_response(
    request: Request, status_code: int, title: str, message: str, *, details: list | None = None
) -> Response:
    if wants_json(request):
        body: dict[str, object] = {"error": title, "message": message}
        if details is not None:
            body["detail"] = details
        return JSONResponse(body, status_code=status_code)
    templates = request.app.state.templates
    template = "partials/error_fragment.html" if request.headers.get("hx-request") else "error.html"
    return templates.TemplateResponse(
        request,
        template,
        {"status_code": status_code, "title": title, "message": message, "details": details or []},
        status_code=status_code,
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    details = _describe_validation(exc)
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return error_response(
        request, 422, "Some input was missing or invalid", summary, details=details
    )


TOO_LARGE = "Request too large"


def size_over(size: int, limit: int) -> str:
    """`size` in MiB with one decimal, or in bytes where that would round down to `limit`."""
    mib = f"{size / 1024 / 1024:.1f}"
    return f"{mib} MiB" if float(mib) * 1024 * 1024 > limit else f"{size:,} bytes"


def too_large_message(declared: int | None = None) -> str:
    """What a learner is told when a request's body is over `MAX_BODY_BYTES` (`declared`: its
    size, when its Content-Length said it)."""
    size = "larger than" if declared is None else f"{size_over(declared, MAX_BODY_BYTES)}, over"
    return (
        f"This request's body is {size} {MAX_BODY_BYTES // 1024 // 1024} MiB, the most the "
        "course takes, so it was not used and nothing was changed. Send less at once: a "
        "smaller file, fewer or shorter requests."
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if exc.status_code == 404:
        return error_response(
            request,
            404,
            "Page not found",
            str(exc.detail) if exc.detail != "Not Found" else "There is no page at this address.",
        )
    if exc.status_code == 413:
        return error_response(request, 413, TOO_LARGE, too_large_message())
    title = HTTPStatus(exc.status_code).phrase if exc.status_code in _KNOWN else "Request refused"
    response = error_response(request, exc.status_code, title, str(exc.detail))
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request,
        500,
        "Something went wrong on our side",
        "The server hit an unexpected error. Your progress is safe; try again, and if it "
        "keeps happening, the server log has the details.",
    )


# A shared server that does not answer: the request cannot be served now, and will be once it is
# back (the engine's pre-ping and Redis's pool reconnect by themselves, no restart needed).
_OUTAGES: dict[type[Exception], str] = {
    OperationalError: "the database",
    InterfaceError: "the database",
    PoolTimeoutError: "the database",
    RedisConnectionError: "Redis",
    RedisTimeoutError: "Redis",
}
OUTAGE_RETRY_SECONDS = 5


async def _outage(request: Request, exc: Exception) -> Response:
    server = next(name for kind, name in _OUTAGES.items() if isinstance(exc, kind))
    log.warning(
        "%s is not answering (%s on %s %s)",
        server,
        type(exc).__name__,
        request.method,
        request.url.path,
    )
    response = error_response(
        request,
        503,
        "The course is briefly unavailable",
        f"The server cannot reach {server} right now, so nothing was read or changed. Your "
        "progress is safe: try again in a few seconds.",
    )
    response.headers["Retry-After"] = str(OUTAGE_RETRY_SECONDS)
    return response


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in _OUTAGES:
        app.add_exception_handler(kind, _outage)
    app.add_exception_handler(Exception, _unexpected_error)
