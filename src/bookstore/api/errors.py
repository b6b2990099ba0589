"""Every error leaves the service in one JSON envelope (see `schemas/error.py`).

`install_error_handlers` registers the handlers; `error_responses` documents the same shapes
in the OpenAPI schema, so clients (and schema-driven tests) know what a failure looks like.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from bookstore.core.exceptions import BookstoreError, InsufficientFundsError, NotAuthenticatedError
from bookstore.core.request_context import request_id
from bookstore.schemas.error import ErrorBody, FieldError, InsufficientFundsBody

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "content_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
    503: "not_ready",
}


def error_response(
    status_code: int,
    message: str,
    *,
    code: str | None = None,
    headers: Mapping[str, str] | None = None,
    body: type[ErrorBody] = ErrorBody,
    **fields: Any,
) -> JSONResponse:
    """A JSON error envelope carrying the current request id."""
    envelope = body(
        error=code or _CODES.get(status_code, f"http_{status_code}"),
        message=message,
        request_id=request_id.get() or "",
        **fields,
    )
    return JSONResponse(
        envelope.model_dump(mode="json", exclude_none=True),
        status_code=status_code,
        headers=headers,
    )


async def _bookstore_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BookstoreError)
    if isinstance(exc, InsufficientFundsError):
        return error_response(
            exc.status_code,
            exc.message,
            code=exc.code,
            body=InsufficientFundsBody,
            balance=exc.balance,
            needed=exc.needed,
        )
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticatedError) else None
    return error_response(exc.status_code, exc.message, code=exc.code, headers=headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        message = f"Nothing is at {where}; /docs lists every route."
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{where} is not allowed; this path accepts: {allowed}."
    elif exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        message = (
            "The request body could not be read; send UTF-8 JSON (or the form the route expects)."
        )
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, message, headers=exc.headers)


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Rebuilt field by field: the raw errors echo the input, which may hold a password.
    details = [
        FieldError(loc=list(error["loc"]), msg=error["msg"], type=error["type"])
        for error in exc.errors()
    ]
    first = details[0]
    raw_first = exc.errors()[0]
    if first.type == "json_invalid":
        problem = raw_first.get("ctx", {}).get("error", "malformed JSON")
        message = f"The request body is not valid JSON: {problem} (at character {first.loc[-1]})."
        return error_response(422, message, details=details)
    more = f" (and {len(details) - 1} more, listed in details)" if len(details) > 1 else ""
    message = f"The request is not valid: {_location(tuple(first.loc))}: {first.msg}{more}."
    return error_response(422, message, details=details)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BookstoreError, _bookstore_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)


def error_responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, all using the envelope."""
    return {
        status: {
            "model": InsufficientFundsBody if status == 402 else ErrorBody,
            "description": HTTPStatus(status).phrase,
        }
        for status in status_codes
    }
