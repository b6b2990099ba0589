"""App runs: send the requested HTTP requests to the learner's app, in-process.

Requests go through `httpx.AsyncClient` over `ASGITransport` on the sandbox's event loop: no
server, no socket, no extra thread (Starlette's TestClient would start one per client).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http
import json
import re
import time
import urllib.parse
from typing import Any

import httpx

from deepdive.sandbox import chaining
from deepdive.sandbox.instruments import Instruments
from deepdive.sandbox.nesting import MAX_JSON_DEPTH, deeper_than
from deepdive.sandbox.run_request import HttpRequest
from deepdive.sandbox.run_result import HttpResponse
from deepdive.sandbox.worker import clock
from deepdive.sandbox.worker.asgi import EXCHANGE, ASGIApp, Exchange, Message, Receive, Scope, Send
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.guard import LimitExceeded
from deepdive.sandbox.worker.tracebacks import error_info

BODY_CAP = 256 * 1024
# How much of a response body is read at most: httpx's ASGITransport keeps a whole body in
# memory, so a body that never ends (a streaming generator looping forever) would otherwise
# fill the run's memory before anything could be shown.
READ_CAP = 8 * 1024 * 1024
HEADERS_CAP = 64 * 1024
BASE_URL = "http://testserver"


class BodyReadStoppedError(Exception):
    """Raised into the app by `send` once its response body has passed `READ_CAP`."""


class _BodyLimit:
    """Outermost layer of a client's app: ends a response whose body passes `READ_CAP`.

    The client is given the body's first `READ_CAP` bytes as a finished response, the request's
    Exchange is marked `body_cut`, and every later `send` of the app raises
    `BodyReadStoppedError`, which stops a stream that would go on forever (the Recorder then
    keeps no error for it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange = EXCHANGE.get()
        if scope.get("type") != "http" or exchange is None:
            await self.app(scope, receive, send)
            return
        read = 0

        async def limited(message: Message) -> None:
            nonlocal read
            if exchange.body_cut:
                raise BodyReadStoppedError("the sandbox stopped reading this response")
            if message.get("type") == "http.response.body":
                body = message.get("body", b"")
                if read + len(body) > READ_CAP:
                    exchange.body_cut = True
                    last = {"type": "http.response.body", "body": body[: READ_CAP - read]}
                    await send({**last, "more_body": False})
                    raise BodyReadStoppedError("the sandbox stopped reading this response")
                read += len(body)
            await send(message)

        await self.app(scope, receive, limited)


def client_for(app: ASGIApp) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=_BodyLimit(app), raise_app_exceptions=False)
    # No timeout of its own: the run's wall-clock limit bounds every request.
    return httpx.AsyncClient(
        transport=transport,
        base_url=BASE_URL,
        timeout=None,  # noqa: S113
        follow_redirects=False,
    )


# The requests sent and not answered yet, in the order they were sent: a run stopped while
# waiting names them.
_UNANSWERED: dict[int, str] = {}


def unanswered() -> list[str]:
    """ "METHOD /path" of every request the app has not finished answering."""
    return list(_UNANSWERED.values())


async def send_all(
    client: httpx.AsyncClient,
    requests: list[HttpRequest],
    *,
    concurrent: bool,
    instruments: Instruments,
    files: LearnerFiles,
    responses: list[HttpResponse] | None = None,
) -> list[HttpResponse]:
    """Send `requests` (at once when `concurrent`) and describe every response.

    One after the other, each request first moves the clock when it asks to, takes the values
    it uses from earlier responses, and keeps the values it captures; a request whose values
    are missing is not sent, and its entry says why. Each response is appended to `responses`
    as it arrives (sent one after the other), so a run stopped halfway keeps the ones before."""
    responses = [] if responses is None else responses

    async def one(index: int, request: HttpRequest) -> HttpResponse:
        exchange = Exchange(index)
        EXCHANGE.set(exchange)
        instruments.before_request(index, request)
        response = await send_one(client, request, exchange, files)
        instruments.after_request(index, response)
        return response

    if concurrent:
        clock.advance(sum(request.advance_clock for request in requests))
        tasks = [asyncio.ensure_future(one(i, r)) for i, r in enumerate(requests)]
        responses.extend(await asyncio.gather(*tasks))
        return responses
    values: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for index, request in enumerate(requests):
        clock.advance(request.advance_clock)
        if request.advance_clock_past:
            try:
                value = values[request.advance_clock_past]
                clock.advance(chaining.seconds_past_expiry(value, clock.now()))
            except KeyError:
                why = missing.get(request.advance_clock_past, "no earlier request captured it")
                responses.append(
                    _not_sent(
                        request,
                        f"Not sent: it moves the clock past {{{{{request.advance_clock_past}}}}}"
                        f"'s expiry, but {why}.",
                    )
                )
                continue
            except chaining.ChainError as problem:
                responses.append(_not_sent(request, f"Not sent: {problem}."))
                continue
        fields = request.model_dump()
        used = chaining.uses(fields)
        if not used:
            response = await one(index, request)
        else:
            try:
                sent = HttpRequest.model_validate(chaining.fill(fields, values))
            except (chaining.ChainError, ValueError) as problem:
                responses.append(_not_sent(request, _why_not_sent(used, missing, problem)))
                continue
            response = await one(index, sent)
            response.sent_request = sent
        _keep(request, response, values, missing)
        responses.append(response)
    return responses


def _keep(
    request: HttpRequest, response: HttpResponse, values: dict[str, Any], missing: dict[str, str]
) -> None:
    data = response.json_body if response.is_json else chaining.NO_JSON
    for name, source in request.capture.items():
        try:
            values[name] = chaining.capture(
                source, response.status, response.headers, response.body, data
            )
            missing.pop(name, None)
        except chaining.ChainError as problem:
            values.pop(name, None)
            answered = f"{request.method} {request.path} answered {response.status}"
            missing[name] = f"{answered} and {problem}"


def _why_not_sent(
    used: list[tuple[str, list[str]]], missing: dict[str, str], problem: Exception
) -> str:
    for name, _ in used:
        if name in missing:
            return f"Not sent: it needs {{{{{name}}}}}, but {missing[name]}."
    return f"Not sent: {problem}."


def _not_sent(request: HttpRequest, why: str) -> HttpResponse:
    return HttpResponse(method=request.method, path=request.path, status=0, skipped=why)


async def send_one(
    client: httpx.AsyncClient, request: HttpRequest, exchange: Exchange, files: LearnerFiles
) -> HttpResponse:
    problem = header_problem(request.headers)
    if problem is not None:
        return _not_sent(request, f"Not sent: {problem}.")
    started = time.perf_counter()
    token = EXCHANGE.set(exchange)
    listed: int | None = id(exchange)
    _UNANSWERED[listed] = f"{request.method} {request.path}"
    try:
        reply = await client.request(request.method, request.path, **_body(request))
    except UnicodeEncodeError as problem:
        # httpx encodes header values as ASCII: a pasted "€" cannot travel in one.
        text = problem.object if isinstance(problem.object, str) else ""
        character = text[problem.start : problem.end]
        return _not_sent(
            request,
            f"Not sent: a header holds {character!r}, which HTTP headers cannot carry (their "
            "values are ASCII text).",
        )
    except LimitExceeded:
        listed = None  # the run stops here: its message names the requests left unanswered
        raise
    finally:
        EXCHANGE.reset(token)
        if listed is not None:
            del _UNANSWERED[listed]
    elapsed = (time.perf_counter() - started) * 1000
    response = describe(reply, request, elapsed)
    response.unfinished = exchange.body_cut
    if exchange.exception is not None:
        response.error = error_info(exchange.exception, files)
    return response


# What RFC 9110 allows in a field name (a "token"); a value must hold no CR, LF or NUL.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BROKEN_VALUE = re.compile(r"[\r\n\x00]")


def header_problem(headers: dict[str, str], *, latin_1: bool = False) -> str | None:
    """Why a real client could not send these headers (one Uvicorn or h11 would refuse), or
    None. The in-memory transport would pass them to the app as they are. With `latin_1`, a
    value must also be Latin-1 text (httpx checks that itself, and for ASCII)."""
    for name, value in headers.items():
        if latin_1 and not value.isascii():
            try:
                value.encode("latin-1")
            except UnicodeEncodeError as problem:
                character = value[problem.start : problem.end]
                return (
                    f"the header {name!r} holds {character!r}, which HTTP headers cannot "
                    "carry (their values are Latin-1 text)"
                )
        if not _TOKEN.fullmatch(name):
            return (
                f"the header name {name!r} is not one HTTP can carry (a name is letters, "
                "digits and !#$%&'*+-.^_`|~, with no spaces)"
            )
        if _BROKEN_VALUE.search(value):
            return (
                f"the value of the header {name!r} holds a line break or a NUL character, "
                "which would end the header early"
            )
    return None


def _body(request: HttpRequest) -> dict[str, Any]:
    # httpx replaces a query string in the URL with `params`: keep both, the URL's first.
    params = httpx.QueryParams(urllib.parse.urlsplit(request.path).query).merge(request.query)
    kwargs: dict[str, Any] = {"params": params, "headers": request.headers}
    if request.json_body is not None:
        kwargs["json"] = request.json_body
    elif request.body is not None:
        kwargs["content"] = request.body.encode()
    elif request.form is not None or request.files:
        kwargs["data"] = request.form or {}
        if request.files:
            kwargs["files"] = [
                (f.field, (f.filename, f.content(), f.content_type)) for f in request.files
            ]
    return kwargs


def describe(reply: httpx.Response, request: HttpRequest, elapsed_ms: float) -> HttpResponse:
    """An `HttpResponse` for the learner: text when it is text, JSON parsed, size capped."""
    raw = reply.content
    kept = raw[:BODY_CAP]
    media = reply.headers.get("content-type", "")
    try:
        text = kept.decode("utf-8")
        binary = False
    except UnicodeDecodeError:
        text, binary = base64.b64encode(kept).decode("ascii"), True
    parsed: Any = None
    is_json = False
    if "json" in media and len(raw) <= BODY_CAP and not binary:
        with contextlib.suppress(ValueError, RecursionError):
            parsed = json.loads(text)
            # A deeply nested answer is shown as text: the result could not carry it as JSON.
            is_json = not deeper_than(parsed, MAX_JSON_DEPTH)
            parsed = parsed if is_json else None
    try:
        reason = http.HTTPStatus(reply.status_code).phrase
    except ValueError:
        reason = ""
    headers, headers_truncated = _capped_headers(reply.headers.multi_items())
    return HttpResponse(
        method=request.method,
        path=request.path,
        status=reply.status_code,
        reason=reason,
        headers=headers,
        headers_truncated=headers_truncated,
        body=text,
        json_body=parsed,
        is_json=is_json,
        is_binary=binary,
        size_bytes=len(raw),
        truncated=len(raw) > BODY_CAP,
        elapsed_ms=round(elapsed_ms, 3),
    )


def _capped_headers(items: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], bool]:
    """The headers, up to `HEADERS_CAP` bytes of names and values; True when some were cut."""
    kept: list[tuple[str, str]] = []
    room = HEADERS_CAP
    for name, value in items:
        size = len(name) + len(value)
        if size > room:
            if room > len(name):
                kept.append((name, value[: room - len(name)]))
            return kept, True
        kept.append((name, value))
        room -= size
    return kept, False
