"""`validation`: the validation errors FastAPI raised for each request, and the body they concern.

For every HTTP request the engine sends, the result has one entry:

* `route` – the route Starlette matched (`path`, `name`, `methods`), or None when none did;
* `body` – what that route reads from the request body: the model's name, how unknown keys are
  treated (`extra`), and each top-level field with its JSON key, type, whether it is required,
  its default and its constraints as the learner wrote them (`min_length=1`, `ge=1000`);
* `raised` – each `RequestValidationError` / `ResponseValidationError` raised while handling the
  request, with its errors exactly as built (`type`, `loc`, `msg`, `input`, `ctx`), before any
  exception handler of the learner's app could reshape or swallow them.

The errors are caught where FastAPI creates them (`ValidationException.__init__`), so a custom
422 handler does not hide them. Values echoed from the request are kept JSON-able and short.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import Any

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.worker.asgi import ASGIApp, Receive, Scope, Send

MAX_ERRORS = 100
MAX_FIELDS = 60
MAX_VALUE_CHARS = 2000


class MatchedRoute(ResultShape):
    path: str | None
    name: str | None
    methods: list[str] | None


class BodyField(ResultShape):
    name: str
    key: str = Field(description="The JSON key (the alias, if there is one)")
    type: str
    required: bool
    default: str | None = Field(description="repr() of the default, when not required")
    constraints: list[str] = Field(description="As written in Field(...): `ge=1000`")


class BodyDescription(ResultShape):
    model: str | None = Field(description="None when FastAPI wraps several body parameters")
    embedded: bool
    extra: str | None = Field(description="How unknown keys are treated: ignore, allow, forbid")
    fields: list[BodyField]


class RaisedError(ResultShape):
    type: str | None
    loc: list[int | str]
    msg: str
    input: Any = None
    ctx: Any = None


class RaisedValidation(ResultShape):
    exception: str = Field(description="RequestValidationError or ResponseValidationError")
    errors: list[RaisedError]
    truncated: bool


class ValidationEntry(ResultShape):
    request: int
    method: str | None
    path: str | None
    route: MatchedRoute | None
    body: BodyDescription | None
    raised: list[RaisedValidation]


class ValidationResult(ResultShape):
    requests: list[ValidationEntry]


@register
class Validation(Instrument):
    name = "validation"
    result_model = ValidationResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entries: list[dict[str, Any]] = []
        self._by_request: dict[int, dict[str, Any]] = {}
        self._bodies: dict[int, dict[str, Any] | None] = {}
        self._routes: list[Any] = []

    def before_import(self) -> None:
        from fastapi.exceptions import ValidationException

        original = ValidationException.__init__
        instrument = self

        def recording_init(exc: ValidationException, *args: Any, **kwargs: Any) -> None:
            original(exc, *args, **kwargs)
            # Watching must never change what the app does.
            with contextlib.suppress(Exception):
                instrument._record(exc)

        ValidationException.__init__ = recording_init  # type: ignore[method-assign]

    def after_import(self, app: Any) -> None:
        self._routes = list(getattr(app, "routes", None) or [])

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            exchange = self.context.exchange()
            if scope.get("type") != "http" or exchange is None:
                await app(scope, receive, send)
                return
            entry = self._entry(exchange.index)
            entry.update(method=scope.get("method"), path=scope.get("path"))
            try:
                await app(scope, receive, send)
            finally:
                route = scope.get("route") or self._match(scope)
                entry["route"] = _describe_route(route)
                if route is not None and _handles_method(route, scope.get("method")):
                    entry["body"] = self._body_of(route)

        return watched

    def result(self) -> Any:
        return {"requests": self._entries}

    def _entry(self, index: int) -> dict[str, Any]:
        if index not in self._by_request:
            entry: dict[str, Any] = {
                "request": index,
                "method": None,
                "path": None,
                "route": None,
                "body": None,
                "raised": [],
            }
            self._by_request[index] = entry
            self._entries.append(entry)
        return self._by_request[index]

    def _record(self, exc: Any) -> None:
        exchange = self.context.exchange()
        if exchange is None:
            return
        errors = list(exc.errors())
        self._entry(exchange.index)["raised"].append(
            {
                "exception": type(exc).__name__,
                "errors": [_error(e) for e in errors[:MAX_ERRORS]],
                "truncated": len(errors) > MAX_ERRORS,
            }
        )

    def _match(self, scope: Scope) -> Any:
        from starlette.routing import Match

        for route in self._routes:
            try:
                match, _ = route.matches(scope)
            except Exception:  # noqa: S112  (a learner's odd route cannot stop the search)
                continue
            if match is Match.FULL:
                return route
        return None

    def _body_of(self, route: Any) -> dict[str, Any] | None:
        key = id(route)
        if key not in self._bodies:
            self._bodies[key] = _describe_body(route)
        return self._bodies[key]


def _describe_route(route: Any) -> dict[str, Any] | None:
    if route is None:
        return None
    methods = getattr(route, "methods", None)
    return {
        "path": getattr(route, "path", None),
        "name": getattr(route, "name", None),
        "methods": sorted(methods) if methods else None,
    }


def _handles_method(route: Any, method: str | None) -> bool:
    methods = getattr(route, "methods", None)
    return not methods or method in methods


def _describe_body(route: Any) -> dict[str, Any] | None:
    body_field = getattr(route, "body_field", None)
    if body_field is None:
        return None
    model = getattr(body_field.field_info, "annotation", None)
    fields = getattr(model, "model_fields", None)
    embedded = bool(getattr(route, "_embed_body_fields", False))
    if not isinstance(fields, dict):
        return {"model": _type_name(model), "embedded": embedded, "extra": None, "fields": []}
    config = getattr(model, "model_config", {}) or {}
    return {
        # FastAPI wraps several (or embedded) body parameters in a model it generates itself.
        "model": None if embedded else _type_name(model),
        "embedded": embedded,
        "extra": config.get("extra") or "ignore",
        "fields": [_describe_field(name, f) for name, f in list(fields.items())[:MAX_FIELDS]],
    }


def _describe_field(name: str, field: Any) -> dict[str, Any]:
    alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    required = field.is_required()
    default = None
    if not required:
        default = "(computed)" if field.default_factory is not None else _short(repr(field.default))
    return {
        "name": name,
        "key": alias or name,
        "type": _type_name(field.annotation),
        "required": required,
        "default": default,
        "constraints": [c for m in field.metadata for c in _constraints(m)],
    }


def _constraints(metadata: Any) -> list[str]:
    """`MinLen(min_length=1)` -> ["min_length=1"]: the spelling used in `Field(...)`."""
    if dataclasses.is_dataclass(metadata) and not isinstance(metadata, type):
        return [
            f"{f.name}={getattr(metadata, f.name)!r}"
            for f in dataclasses.fields(metadata)
            if getattr(metadata, f.name) is not None
        ]
    values = getattr(metadata, "__dict__", None)
    if isinstance(values, dict) and values:
        return [f"{k}={v!r}" for k, v in values.items() if v is not None and not k.startswith("_")]
    return [_short(repr(metadata))]


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    return _short(repr(annotation).replace("typing.", ""))


def _error(error: Any) -> dict[str, Any]:
    if not isinstance(error, dict):
        return {"type": None, "loc": [], "msg": _short(str(error))}
    described: dict[str, Any] = {
        "type": error.get("type"),
        "loc": [p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
        "msg": _short(str(error.get("msg", ""))),
    }
    if "input" in error:
        described["input"] = _jsonable(error["input"])
    if error.get("ctx"):
        described["ctx"] = _jsonable(error["ctx"])
    return described


def _jsonable(value: Any) -> Any:
    """The value itself when it is small JSON, else a shortened `repr`."""
    try:
        text = json.dumps(value, default=lambda o: _short(repr(o)))
    except (TypeError, ValueError, RecursionError):
        return _short(repr(value))
    if len(text) > MAX_VALUE_CHARS:
        return _short(repr(value))
    return json.loads(text)


def _short(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"
