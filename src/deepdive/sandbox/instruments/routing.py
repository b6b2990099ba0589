"""`routing`: which route the router chose for each request, and the routes it had to try.

For every request: the path and query string as the app saw them, the matched route (template,
function, and its line when the function is in the learner's files; `null` when nothing
matched), and each captured path parameter with its raw text and where it sits in the path, so
a page can point at the part of the URL that a 422's `loc` names.

`routes` lists the app's routes in the order the router tries them, FastAPI's own documentation
routes included (they come first), each flagged `learner` when its function is the learner's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.worker.asgi import ASGIApp, Receive, Scope, Send

_MAX_ROUTES = 200
_MAX_TEXT = 500


class RouteInfo(ResultShape):
    position: int | None = Field(description="Place in the order the router tries routes")
    path: str
    methods: list[str]
    name: str
    function: str
    file: str | None = Field(description="The learner's file defining the endpoint, if theirs")
    line: int | None
    learner: bool


class PathParam(ResultShape):
    name: str
    value: str = Field(description="The raw text captured from the path")
    start: int | None = Field(default=None, description="Offset of the value in the path")
    end: int | None = None


class RoutedRequest(ResultShape):
    request: int | None
    method: str | None
    path: str
    query_string: str
    route: RouteInfo | None = Field(description="The route that answered; None when none did")
    path_params: list[PathParam]


class RoutingResult(ResultShape):
    routes: list[RouteInfo] = Field(description="Every route, in the order they are tried")
    requests: list[RoutedRequest]


@register
class Routing(Instrument):
    name = "routing"
    result_model = RoutingResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._app: Any = None
        self._requests: list[dict[str, Any]] = []

    def after_import(self, app: Any) -> None:
        self._app = app

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            try:
                await app(scope, receive, send)
            finally:
                # The router records its choice in the scope it was given (`scope["route"]`).
                self._requests.append(self._describe(scope))

        return watched

    def _describe(self, scope: Scope) -> dict[str, Any]:
        exchange = self.context.exchange()
        path = str(scope.get("path", ""))
        route = scope.get("route")
        raw_query = scope.get("query_string", b"")
        return {
            "request": exchange.index if exchange else None,
            "method": scope.get("method"),
            "path": path,
            "query_string": _text(
                raw_query.decode("latin-1") if isinstance(raw_query, bytes) else ""
            ),
            "route": (
                _route(route, self._position(route), self.context.learner_file)
                if route is not None
                else None
            ),
            "path_params": _path_params(route, path, scope.get("path_params")),
        }

    def _position(self, route: Any) -> int | None:
        routes = getattr(getattr(self._app, "router", None), "routes", None) or []
        for position, candidate in enumerate(routes):
            if candidate is route:
                return position
        return None

    def result(self) -> Any:
        routes = getattr(getattr(self._app, "router", None), "routes", None)
        listed = [
            _route(route, position, self.context.learner_file)
            for position, route in enumerate(list(routes or [])[:_MAX_ROUTES])
        ]
        requests = sorted(
            self._requests, key=lambda item: (item["request"] is None, item["request"] or 0)
        )
        return {"routes": listed, "requests": requests}


def _route(
    route: Any, position: int | None, learner_file: Callable[[str], str | None]
) -> dict[str, Any]:
    endpoint = getattr(route, "endpoint", None)
    file, line = _source_of(endpoint, learner_file)
    methods = getattr(route, "methods", None)
    return {
        "position": position,
        "path": _text(str(getattr(route, "path", ""))),
        "methods": sorted(str(m) for m in methods) if methods else [],
        "name": _text(str(getattr(route, "name", "") or "")),
        "function": _text(str(getattr(endpoint, "__name__", "") or "")) if endpoint else "",
        "file": file,
        "line": line,
        "learner": file is not None,
    }


def _source_of(
    endpoint: Any, learner_file: Callable[[str], str | None]
) -> tuple[str | None, int | None]:
    """The learner's file and line where `endpoint` is defined (its first decorator)."""
    try:
        code = getattr(inspect.unwrap(endpoint), "__code__", None) if endpoint else None
    except ValueError:  # a wrapper chain that loops
        return None, None
    name = learner_file(getattr(code, "co_filename", ""))
    return (name, getattr(code, "co_firstlineno", None)) if name else (None, None)


def _path_params(route: Any, path: str, params: Any) -> list[dict[str, Any]]:
    if not isinstance(params, dict):
        return []
    regex = getattr(route, "path_regex", None)
    match = regex.match(path) if regex is not None and hasattr(regex, "match") else None
    described = []
    for name, value in params.items():
        item: dict[str, Any] = {"name": _text(str(name)), "value": _text(str(value))}
        if match is not None and name in match.groupdict():
            item["start"], item["end"] = match.span(name)
        described.append(item)
    return described


def _text(value: str) -> str:
    return value if len(value) <= _MAX_TEXT else value[:_MAX_TEXT] + "…"
