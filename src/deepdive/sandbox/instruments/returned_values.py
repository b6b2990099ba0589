"""`returned_values`: what each endpoint function returned, before FastAPI's response processing.

For every request the engine sent, the result lists the endpoint calls it caused. Each call
holds the returned Python value, described as a JSON tree (see `value_tree`), and how FastAPI
processed it: `"response"` (a `Response` object, sent as it is), `"model"` (validated against
the response model and serialised with the route's `response_model_*` flags, which are listed)
or `"encoder"` (no response model: `jsonable_encoder` converted whatever came back). A call that
raised says so instead; a return value that failed the response model carries the errors of
its `ResponseValidationError`, with `loc` as FastAPI reports it. `route` is the route that
handled the request, with its declared status code, path template and response model. After
`MAX_DESCRIBED_CALLS` calls in one run, values are no longer described (`value` is absent).

Two module-level functions of `fastapi.routing` are wrapped (the request handler looks both up
at call time): `run_endpoint_function`, which calls the endpoint, and `serialize_response`,
which applies the response model. Nothing else of FastAPI is touched.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.instruments.value_tree import (
    ValidationErrorEntry,
    ValueNode,
    describe,
    error_list,
    type_name,
)
from deepdive.sandbox.worker.asgi import ASGIApp, Receive, Scope, Send

_FLAGS = ("exclude_unset", "exclude_defaults", "exclude_none")
# Values beyond this many calls in one run are not described, to keep the result small.
MAX_DESCRIBED_CALLS = 100


class RaisedSummary(ResultShape):
    type: str
    message: str
    status_code: int | None = None


class Processing(ResultShape):
    """How FastAPI turned the value into a response."""

    kind: Literal["response", "model", "encoder"]
    response_class: str | None = Field(default=None, description="response: its class")
    model: str | None = Field(default=None, description="model: the response model")
    flags: list[str] | None = Field(default=None, description="model: response_model_* set")
    include: str | None = None
    exclude: str | None = None


class EndpointCall(ResultShape):
    endpoint: str
    file: str | None = Field(description="The learner's file, when the endpoint is theirs")
    line: int | None
    returned: bool
    value: ValueNode | None = Field(default=None, description="What it returned (a tree)")
    raised: RaisedSummary | None = None
    processing: Processing | None = None
    response_errors: list[ValidationErrorEntry] | None = Field(
        default=None, description="The ResponseValidationError's errors, if the value failed"
    )


class RouteSummary(ResultShape):
    path: str | None
    methods: list[str]
    name: str | None
    status_code: int | None
    response_model: str | None
    flags: list[str]


class ReturnedEntry(ResultShape):
    request: int
    route: RouteSummary | None
    calls: list[EndpointCall]


class ReturnedValuesResult(ResultShape):
    requests: list[ReturnedEntry]


@register
class ReturnedValues(Instrument):
    name = "returned_values"
    result_model = ReturnedValuesResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._requests: dict[int | None, dict[str, Any]] = {}
        self._restore: list[tuple[Any, str, Any]] = []
        self._described = 0

    # -- hooks --------------------------------------------------------------------------------

    def before_import(self) -> None:
        import fastapi.routing as routing

        self._patch(routing, "run_endpoint_function", self._wrap_endpoint_runner)
        self._patch(routing, "serialize_response", self._wrap_serializer)

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            entry = self._entry()  # every request gets one, even when no endpoint runs
            try:
                await app(scope, receive, send)
            finally:
                if scope.get("route") is not None:
                    entry["route"] = _quietly(partial(_route_summary, scope["route"]))

        return watched

    def result(self) -> Any:
        for owner, attribute, original in reversed(self._restore):
            setattr(owner, attribute, original)
        self._restore.clear()
        ordered = sorted(
            (entry for key, entry in self._requests.items() if key is not None),
            key=lambda entry: entry["request"],
        )
        return {"requests": ordered}

    # -- wrappers -----------------------------------------------------------------------------

    def _patch(self, owner: Any, attribute: str, wrap: Any) -> None:
        original = getattr(owner, attribute)
        self._restore.append((owner, attribute, original))
        setattr(owner, attribute, wrap(original))

    def _wrap_endpoint_runner(self, original: Any) -> Any:
        async def run_endpoint_function(**kwargs: Any) -> Any:
            call = _quietly(
                partial(_call_summary, kwargs.get("dependant"), self.context.learner_file)
            )
            if call is not None:
                self._entry()["calls"].append(call)
            try:
                value = await original(**kwargs)
            except BaseException as exc:
                if call is not None:
                    call["raised"] = _quietly(partial(_exception_summary, exc))
                raise
            if call is not None:
                call["returned"] = True
                self._described += 1
                if self._described <= MAX_DESCRIBED_CALLS:
                    call["value"] = _quietly(partial(describe, value))
                if _is_response(value):
                    call["processing"] = {"kind": "response", "response_class": type_name(value)}
            return value

        return run_endpoint_function

    def _wrap_serializer(self, original: Any) -> Any:
        async def serialize_response(**kwargs: Any) -> Any:
            calls = self._entry()["calls"]
            call = calls[-1] if calls else None
            if call is not None and "processing" not in call:
                call["processing"] = _quietly(partial(_processing_summary, kwargs))
            try:
                return await original(**kwargs)
            except Exception as exc:
                if call is not None and type(exc).__name__ == "ResponseValidationError":
                    call["response_errors"] = _quietly(partial(_validation_errors, exc))
                raise

        return serialize_response

    def _entry(self) -> dict[str, Any]:
        exchange = self.context.exchange()
        index = exchange.index if exchange else None
        entry = self._requests.get(index)
        if entry is None:
            entry = {"request": index, "route": None, "calls": []}
            self._requests[index] = entry
        return entry


def _quietly(build: Callable[[], Any]) -> Any:
    """`build()`, or None when it fails: the bookkeeping must never break the learner's request."""
    try:
        return build()
    except Exception:
        return None


def _is_response(value: Any) -> bool:
    from starlette.responses import Response

    return isinstance(value, Response)


def _learner_location(
    function: Any, learner_file: Callable[[str], str | None]
) -> tuple[str | None, int | None]:
    code = getattr(function, "__code__", None)
    name = learner_file(getattr(code, "co_filename", ""))
    if name is None:
        return None, None
    return name, getattr(code, "co_firstlineno", None)


def _call_summary(dependant: Any, learner_file: Callable[[str], str | None]) -> dict[str, Any]:
    function = getattr(dependant, "call", None)
    file, line = _learner_location(function, learner_file)
    return {
        "endpoint": getattr(function, "__name__", type_name(function)),
        "file": file,
        "line": line,
        "returned": False,
    }


def _exception_summary(exc: BaseException) -> dict[str, Any]:
    summary: dict[str, Any] = {"type": type(exc).__name__, "message": _short(str(exc))}
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        summary["status_code"] = status
    return summary


def _validation_errors(exc: Any) -> list[dict[str, Any]]:
    return error_list(exc.errors())


def _processing_summary(kwargs: dict[str, Any]) -> dict[str, Any]:
    field = kwargs.get("field")
    if field is None:
        return {"kind": "encoder"}
    annotation = getattr(getattr(field, "field_info", None), "annotation", None)
    return {
        "kind": "model",
        "model": type_name(annotation, is_type=True),
        "flags": [flag for flag in _FLAGS if kwargs.get(flag)],
        "include": _short(repr(kwargs["include"])) if kwargs.get("include") else None,
        "exclude": _short(repr(kwargs["exclude"])) if kwargs.get("exclude") else None,
    }


def _route_summary(route: Any) -> dict[str, Any]:
    model = getattr(route, "response_model", None)
    status = getattr(route, "status_code", None)
    methods = getattr(route, "methods", None) or []
    return {
        "path": getattr(route, "path_format", None) or getattr(route, "path", None),
        "methods": sorted(str(m) for m in methods),
        "name": getattr(route, "name", None),
        "status_code": status if isinstance(status, int) else None,
        "response_model": type_name(model, is_type=True) if model is not None else None,
        "flags": [flag for flag in _FLAGS if getattr(route, f"response_model_{flag}", False)],
    }


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
