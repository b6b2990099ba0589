"""`middleware_trace`: each request's way in and out of every layer of the app's middleware stack,
and the log records the learner's code emitted on the way.

When Starlette builds the stack (`build_middleware_stack`, on the app's first call), each layer
is wrapped where it is joined to the one outside it: the layer before keeps its next app in
`.app`, and that reference is replaced by a tracer around the same object. A tracer notes when
its layer is entered and left, when the response's headers leave it (with the headers as they
leave) and when the last byte of the body does. Comparing the headers leaving a layer with those
leaving the layer inside it gives what the layer added, changed or removed; a layer that was
entered while the one inside it never was answered by itself, and the layers inside were
skipped. The stack is the real one: the framework's layers (`ServerErrorMiddleware`,
`ExceptionMiddleware`, ...) are listed too, marked as not the learner's.

Log records are read where `logging.Logger.callHandlers` hands them to the handlers, after the
logger's level and filters, so what is recorded is what the learner's own logging configuration
lets through (nothing is added to the root logger, which would make `basicConfig` do nothing).
A record's `request_id` is its attribute of that name (set by `extra=` or a filter); a handler's
filter runs during `callHandlers`, so the attribute is read once the handlers are done.

A layer that lets an exception out because it did not await `call_next`, or returned no
response, gets a `problem`: one sentence naming the middleware and its line.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, Literal

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, register
from deepdive.sandbox.worker.asgi import ASGIApp, Message, Receive, Scope, Send

# More layers than this is not a stack a lesson builds: the rest is left untraced.
MAX_LAYERS = 40
MAX_RECORDS = 500
MAX_MESSAGE = 500
_CURRENT_LAYER: ContextVar[int | None] = ContextVar("deepdive_middleware_layer", default=None)


class LayerInfo(ResultShape):
    index: int = Field(description="0 is the outermost layer")
    name: str = Field(description="The class, or the function given to @app.middleware")
    kind: Literal["asgi", "http", "router"] = Field(
        description="asgi: a class called with (scope, receive, send); http: a dispatch "
        "function run by BaseHTTPMiddleware; router: the routes, innermost"
    )
    own: bool = Field(description="Added by the learner (in app.user_middleware)")
    file: str | None = None
    line: int | None = None
    options: str = Field(default="", description="The keyword arguments it was added with")


class HeaderChange(ResultShape):
    name: str
    before: str
    after: str


class LayerVisit(ResultShape):
    layer: int
    entered_ms: float
    left_ms: float | None
    total_ms: float | None = Field(description="From entering to leaving, inner layers included")
    own_ms: float | None = Field(description="total_ms less the inner layer's total_ms")
    status: int | None = Field(description="The status of the response leaving this layer")
    headers: list[tuple[str, str]] = Field(description="The headers leaving this layer")
    added: list[tuple[str, str]]
    changed: list[HeaderChange]
    removed: list[str]
    answered: bool = Field(description="It produced the response: the layer inside sent none")
    raised: str | None = Field(description="The exception that left this layer, if any")


class TraceEvent(ResultShape):
    layer: int
    phase: Literal["in", "start", "end", "out"] = Field(
        description="in: entered; start: the headers left it; end: the last body byte left it; "
        "out: it returned"
    )
    at_ms: float


class Problem(ResultShape):
    layer: int
    message: str
    file: str | None
    line: int | None


class TracedRequest(ResultShape):
    request: int | None
    method: str | None
    path: str | None
    visits: list[LayerVisit] = Field(description="One per layer entered, outermost first")
    events: list[TraceEvent] = Field(description="Every in/start/end/out, in the order they were")
    skipped: list[int] = Field(description="Layers never entered")
    problem: Problem | None


class LogEntry(ResultShape):
    request: int | None = Field(description="The request it was logged during, if any")
    layer: int | None = Field(description="The layer whose code was running")
    at_ms: float
    level: str
    logger: str
    message: str
    request_id: str | None
    file: str | None
    line: int | None


class StackError(ResultShape):
    message: str
    file: str | None
    line: int | None


class MiddlewareTraceResult(ResultShape):
    layers: list[LayerInfo]
    stack_error: StackError | None = Field(
        description="Why Starlette could not build the stack (a middleware that cannot be created)"
    )
    requests: list[TracedRequest]
    logs: list[LogEntry]
    logs_dropped: int = Field(description="Records not kept once MAX_RECORDS were")


@register
class MiddlewareTrace(Instrument):
    name = "middleware_trace"
    result_model = MiddlewareTraceResult

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._layers: list[dict[str, Any]] = []
        self._requests: dict[int | None, dict[str, Any]] = {}
        self._logs: list[dict[str, Any]] = []
        self._dropped = 0
        self._restore: list[tuple[Any, str, Any, bool]] = []
        self._stack_error: dict[str, Any] | None = None

    # -- hooks --------------------------------------------------------------------------------

    def before_import(self) -> None:
        original = logging.Logger.callHandlers
        instrument = self

        def call_handlers(logger: logging.Logger, record: logging.LogRecord) -> None:
            try:
                original(logger, record)
            finally:
                instrument._record(record)

        self._patch(logging.Logger, "callHandlers", call_handlers)

    def after_import(self, app: Any) -> None:
        if not callable(getattr(app, "build_middleware_stack", None)):
            raise TypeError(f"`app` is a {type(app).__name__}, not a FastAPI or Starlette app")
        if getattr(app, "middleware_stack", None) is not None:
            app.middleware_stack = self._trace_stack(app, app.middleware_stack)
            return
        build = app.build_middleware_stack

        def build_middleware_stack() -> ASGIApp:
            try:
                stack = build()
            except Exception as exc:
                self._stack_error = self._build_problem(exc)
                raise
            return self._trace_stack(app, stack)

        self._patch(app, "build_middleware_stack", build_middleware_stack, own=True)

    def result(self) -> Any:
        for owner, attribute, original, own in reversed(self._restore):
            if own:
                vars(owner).pop(attribute, None)
            else:
                setattr(owner, attribute, original)
        self._restore.clear()
        requests = [
            self._summary(entry)
            for key, entry in sorted(
                self._requests.items(), key=lambda item: (item[0] is None, item[0] or 0)
            )
        ]
        return {
            "layers": self._layers,
            "stack_error": self._stack_error,
            "requests": requests,
            "logs": self._logs,
            "logs_dropped": self._dropped,
        }

    # -- the stack ----------------------------------------------------------------------------

    def _patch(self, owner: Any, attribute: str, value: Any, *, own: bool = False) -> None:
        self._restore.append((owner, attribute, getattr(owner, attribute), own))
        setattr(owner, attribute, value)

    def _trace_stack(self, app: Any, stack: ASGIApp) -> ASGIApp:
        router = getattr(app, "router", None)
        layers: list[Any] = []
        layer: Any = stack
        while len(layers) < MAX_LAYERS:
            layers.append(layer)
            if layer is router or not callable(getattr(layer, "app", None)):
                break
            layer = layer.app
        # The learner's entries come in the stack's order, outermost first.
        pending = list(getattr(app, "user_middleware", []))
        self._layers = []
        for index, item in enumerate(layers):
            entry = None
            if pending and item is not router and type(item) is getattr(pending[0], "cls", None):
                entry = pending.pop(0)
            self._layers.append(self._describe(index, item, router, entry))
        for index in range(len(layers) - 1, 0, -1):
            layers[index - 1].app = _Tracer(layers[index], index, self)
        return _Tracer(layers[0], 0, self)

    def _describe(self, index: int, layer: Any, router: Any, entry: Any) -> dict[str, Any]:
        from starlette.middleware.base import BaseHTTPMiddleware

        info: dict[str, Any] = {"index": index, "own": entry is not None, "options": ""}
        if layer is router:
            return {**info, "name": "router (your routes)", "kind": "router", "own": True}
        function: Any = type(layer).__call__
        name = type(layer).__name__
        kind = "asgi"
        if isinstance(layer, BaseHTTPMiddleware):
            kind = "http"
            dispatch = layer.dispatch_func
            function = getattr(dispatch, "__func__", dispatch)
            if type(layer) is BaseHTTPMiddleware:
                name = getattr(function, "__name__", name)
        if entry is not None:
            options = {k: v for k, v in getattr(entry, "kwargs", {}).items() if k != "dispatch"}
            info["options"] = _short(", ".join(f"{k}={v!r}" for k, v in options.items()), 300)
        code = getattr(function, "__code__", None)
        file = self.context.learner_file(getattr(code, "co_filename", "")) if code else None
        line = code.co_firstlineno if file and code else None
        return {**info, "name": name, "kind": kind, "file": file, "line": line}

    def _build_problem(self, exc: BaseException) -> dict[str, Any]:
        where = _learner_line(exc, self.context.learner_file)
        message = (
            f"The middleware stack could not be built ({type(exc).__name__}: "
            f"{_short(str(exc), 300)}), so no request got in. Starlette creates each middleware "
            "as `cls(app, **options)`: its `__init__` takes the next app right after `self`, "
            "and every option given to `add_middleware` must be one of its parameters."
        )
        return {
            "message": message,
            "file": where[0] if where else None,
            "line": where[1] if where else None,
        }

    # -- requests -----------------------------------------------------------------------------

    def _entry(self, scope: Scope) -> dict[str, Any]:
        exchange = self.context.exchange()
        key = exchange.index if exchange else None
        entry = self._requests.get(key)
        if entry is None:
            entry = {
                "request": key,
                "method": scope.get("method"),
                "path": scope.get("path"),
                "visits": {},
                "events": [],
                "problem": None,
            }
            self._requests[key] = entry
        return entry

    def now(self) -> float:
        return round(self.context.elapsed_ms(), 3)

    def _summary(self, entry: dict[str, Any]) -> dict[str, Any]:
        visits: dict[int, dict[str, Any]] = entry["visits"]
        ordered = []
        for index in sorted(visits):
            visit = visits[index]
            inner = visits.get(index + 1)
            total = visit["left_ms"] - visit["entered_ms"] if visit["left_ms"] is not None else None
            inner_total = (
                inner["left_ms"] - inner["entered_ms"]
                if inner is not None and inner["left_ms"] is not None
                else None
            )
            sent = visit["headers"] is not None
            inner_sent = inner is not None and inner["headers"] is not None
            added, changed, removed = _difference(
                inner["headers"] if inner_sent else [], visit["headers"] or []
            )
            ordered.append(
                {
                    "layer": index,
                    "entered_ms": visit["entered_ms"],
                    "left_ms": visit["left_ms"],
                    "total_ms": round(total, 3) if total is not None else None,
                    "own_ms": (
                        round(max(total - inner_total, 0.0), 3)
                        if total is not None and inner_total is not None
                        else (round(total, 3) if total is not None else None)
                    ),
                    "status": visit["status"],
                    "headers": visit["headers"] or [],
                    "added": added,
                    "changed": changed,
                    "removed": removed,
                    "answered": sent and not inner_sent,
                    "raised": visit["raised"],
                }
            )
        skipped = [layer["index"] for layer in self._layers if layer["index"] not in visits]
        return {
            "request": entry["request"],
            "method": entry["method"],
            "path": entry["path"],
            "visits": ordered,
            "events": entry["events"],
            "skipped": skipped,
            "problem": entry["problem"],
        }

    def problem(self, entry: dict[str, Any], index: int, exc: BaseException) -> None:
        if entry["problem"] is not None or index >= len(self._layers):
            return
        layer = self._layers[index]
        if layer["kind"] != "http":
            return
        text = str(exc)
        name = f"`{layer['name']}`"
        if "'coroutine' object" in text:
            message = (
                f"{name} did not await `call_next(request)`: it got a coroutine instead of a "
                "response, so the layers inside it never ran and the server answered 500. "
                "Write `response = await call_next(request)`."
            )
        elif "'NoneType' object is not callable" in text:
            message = (
                f"{name} returned None: a middleware function must return a response, "
                "usually the one `await call_next(request)` gave it (`return response`)."
            )
        else:
            return
        file, line = layer["file"], layer["line"]
        frames = _learner_line(exc, self.context.learner_file)
        if frames is not None:
            file, line = frames
        entry["problem"] = {"layer": index, "message": message, "file": file, "line": line}

    # -- logs ---------------------------------------------------------------------------------

    def _record(self, record: logging.LogRecord) -> None:
        if len(self._logs) >= MAX_RECORDS:
            self._dropped += 1
            return
        try:
            message = record.getMessage()
        except Exception as exc:  # a bad format string: say so, as logging itself would
            message = f"<the message could not be formatted: {exc}>"
        exchange = self.context.exchange()
        request_id = getattr(record, "request_id", None)
        self._logs.append(
            {
                "request": exchange.index if exchange else None,
                "layer": _CURRENT_LAYER.get(),
                "at_ms": self.now(),
                "level": record.levelname,
                "logger": record.name,
                "message": _short(message),
                "request_id": _short(str(request_id), 120) if request_id is not None else None,
                "file": self.context.learner_file(record.pathname),
                "line": record.lineno if self.context.learner_file(record.pathname) else None,
            }
        )


class _Tracer:
    """Stands where a layer was joined to the one outside it, and watches it."""

    def __init__(self, layer: Any, index: int, instrument: MiddlewareTrace) -> None:
        self.layer = layer
        self.index = index
        self.instrument = instrument

    def __getattr__(self, name: str) -> Any:
        # Code that walks the stack (`app.middleware_stack.app...`) still finds the layer's own.
        return getattr(self.layer, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await self.layer(scope, receive, send)
            return
        instrument = self.instrument
        entry = instrument._entry(scope)
        visit = {
            "entered_ms": instrument.now(),
            "left_ms": None,
            "status": None,
            "headers": None,
            "raised": None,
        }
        entry["visits"][self.index] = visit
        events = entry["events"]
        events.append({"layer": self.index, "phase": "in", "at_ms": visit["entered_ms"]})

        async def traced_send(message: Message) -> None:
            kind = message.get("type")
            if kind == "http.response.start":
                visit["status"] = message.get("status")
                visit["headers"] = _decoded(message.get("headers") or [])
                events.append({"layer": self.index, "phase": "start", "at_ms": instrument.now()})
            elif kind == "http.response.body" and not message.get("more_body", False):
                events.append({"layer": self.index, "phase": "end", "at_ms": instrument.now()})
            await send(message)

        token = _CURRENT_LAYER.set(self.index)
        try:
            await self.layer(scope, receive, traced_send)
        except BaseException as exc:
            visit["raised"] = _short(f"{type(exc).__name__}: {exc}", 300)
            instrument.problem(entry, self.index, exc)
            raise
        finally:
            _CURRENT_LAYER.reset(token)
            visit["left_ms"] = instrument.now()
            events.append({"layer": self.index, "phase": "out", "at_ms": visit["left_ms"]})


def _decoded(raw: Any) -> list[tuple[str, str]]:
    headers = []
    for name, value in list(raw)[:200]:
        headers.append(
            (bytes(name).decode("latin-1").lower(), _short(bytes(value).decode("latin-1")))
        )
    return headers


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _difference(
    inner: list[tuple[str, str]], outer: list[tuple[str, str]]
) -> tuple[list[tuple[str, str]], list[dict[str, str]], list[str]]:
    before, after = _joined(inner), _joined(outer)
    added = [(name, value) for name, value in after.items() if name not in before]
    changed = [
        {"name": name, "before": before[name], "after": value}
        for name, value in after.items()
        if name in before and before[name] != value
    ]
    removed = [name for name in before if name not in after]
    return added, changed, removed


def _learner_line(exc: BaseException, learner_file: Any) -> tuple[str, int] | None:
    import traceback

    found = None
    for summary in traceback.extract_tb(exc.__traceback__):
        name = learner_file(summary.filename)
        if name is not None and summary.lineno is not None:
            found = (name, summary.lineno)
    return found


def _short(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
