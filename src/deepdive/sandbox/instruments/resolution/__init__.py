"""`resolution`: how FastAPI resolved each request's dependencies, recorded as it happened.

For every request the result lists numbered steps: each dependency call (with the arguments it
received and what it returned or raised), each value served from the per-request cache, the
endpoint call, the moment the response was sent, and the teardown of each `yield` dependency.
It also counts calls and cache hits per dependency and names the overrides that were applied.

How it watches (FastAPI 0.165): `solve_dependencies` is wrapped, so the trace knows which
dependant is being solved and for which parameter; the per-request cache dictionary is replaced
by one that reports reads and writes, so a cache hit is seen when FastAPI reads the cache; and
the overrides lookup hands FastAPI a stand-in for each callable (see `calls`) that reports each
real call. Cache keys and overrides keep using the learner's own callables, so caching and
overriding behave exactly as without the instrument.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from deepdive.sandbox.instruments import Instrument, ResultShape, RunContext, register
from deepdive.sandbox.instruments.resolution.calls import Wrappers
from deepdive.sandbox.instruments.resolution.describe import Describer
from deepdive.sandbox.instruments.resolution.trace import CURRENT, RequestTrace
from deepdive.sandbox.worker.asgi import ASGIApp, Message, Receive, Scope, Send

MAX_REQUESTS = 20


class _ObservedCache(dict[Any, Any]):
    """FastAPI's per-request dependency cache, reporting each read and write to the trace."""

    def __init__(self, trace: RequestTrace) -> None:
        super().__init__()
        self._trace = trace

    def __getitem__(self, key: Any) -> Any:
        value = super().__getitem__(key)
        self._trace.cache_hit(key, value)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self._trace.cache_store(key)


class _Overrides:
    """What FastAPI sees as `app.dependency_overrides`: the learner's overrides, as stand-ins."""

    def __init__(self, overrides: Any, wrappers: Wrappers) -> None:
        self._overrides = overrides
        self._wrappers = wrappers

    def __bool__(self) -> bool:
        return True  # so that FastAPI always asks, even when nothing is overridden

    def get(self, call: Any, default: Any = None) -> Any:
        return self._wrappers.wrap(self._overrides.get(call, default))


class _Provider:
    """Stands in for the app as FastAPI's `dependency_overrides_provider`."""

    def __init__(self, provider: Any, wrappers: Wrappers) -> None:
        self._provider = provider
        self._wrappers = wrappers

    @property
    def dependency_overrides(self) -> _Overrides:
        overrides = getattr(self._provider, "dependency_overrides", None) or {}
        return _Overrides(overrides, self._wrappers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._provider, name)


class Described(ResultShape):
    text: str = Field(description="A short repr() of the value")
    type: str
    ref: int | None = Field(default=None, description="Same number, same object in this request")


class Argument(ResultShape):
    name: str
    value: Described


class WantedBy(ResultShape):
    parameter: str | None
    of: str | None = Field(default=None, description="The dependant that declared it")
    line: int | None = Field(default=None, description="Where, in the learner's main file")


class ExceptionSeen(ResultShape):
    type: str
    text: str


class ErrorSeen(ResultShape):
    loc: list[str]
    msg: str


class Step(ResultShape):
    """One thing that happened; the keys present depend on `type` (see the module docs)."""

    n: int
    type: Literal["call", "cache_hit", "invalid", "skipped", "teardown", "endpoint", "response"]
    t_ms: float
    dependency: str | None = None
    for_: WantedBy | None = Field(default=None, alias="for")
    use_cache: bool | None = None
    overrides: str | None = Field(default=None, description="The callable an override replaced")
    kind: str | None = Field(default=None, description="call: function, generator, …")
    count: int | None = Field(default=None, description="call: how many calls so far")
    args: list[Argument] | None = None
    stored: bool | None = Field(default=None, description="call: the value went to the cache")
    file: str | None = None
    lines: list[int] | None = Field(default=None, description="[first, last] line of the code")
    result: Described | None = None
    raised: ExceptionSeen | None = None
    paused_at: int | None = Field(default=None, description="call: the line of its `yield`")
    value: Described | None = Field(default=None, description="cache_hit: the value served")
    from_step: int | None = Field(default=None, description="cache_hit: the step that stored it")
    errors: list[ErrorSeen] | None = None
    call_step: int | None = Field(default=None, description="teardown: the step of its call")
    thrown: ExceptionSeen | None = Field(default=None, description="teardown: thrown into it")
    outcome: str | None = Field(default=None, description="teardown: finished, raised, …")
    status: int | None = Field(default=None, description="response: the status sent")


class Override(ResultShape):
    original: str
    replacement: str


class RequestResolution(ResultShape):
    request: int | None
    method: str
    path: str
    status: int | None
    steps: list[Step]
    calls: dict[str, int] = Field(description="Real calls per dependency")
    cache_hits: dict[str, int] = Field(description="Values served from the cache, per dependency")
    overrides: list[Override]
    truncated: bool
    problems: list[str]


class ResolutionResult(ResultShape):
    requests: list[RequestResolution]
    requests_not_traced: int


@register
class Dependencies(Instrument):
    name = "resolution"
    result_model = ResolutionResult

    def __init__(self, context: RunContext) -> None:
        super().__init__(context)
        self._describer = Describer(context)
        self._wrappers = Wrappers()
        self._traces: list[RequestTrace] = []
        self._dropped = 0

    def before_import(self) -> None:
        import fastapi.routing as routing
        from fastapi.dependencies import utils

        solve = self._traced_solve(utils.solve_dependencies)
        utils.solve_dependencies = solve  # the resolver's recursive calls
        routing.solve_dependencies = solve  # the route handlers' first call
        routing.run_endpoint_function = self._traced_endpoint(routing.run_endpoint_function)

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        async def traced(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get("type") not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            exchange = self.context.exchange()
            trace = self._new_trace(
                index=exchange.index if exchange else None,
                method=str(scope.get("method", "WEBSOCKET")),
                path=str(scope.get("path", "")),
            )
            if trace is None:
                await app(scope, receive, send)
                return

            async def observed(message: Message) -> None:
                if message["type"] == "http.response.start":
                    trace.status = message.get("status")
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    trace.response_sent()

            token = CURRENT.set(trace)
            try:
                await app(scope, receive, observed)
            finally:
                CURRENT.reset(token)

        return traced

    def result(self) -> Any:
        return {
            "requests": [trace.as_dict() for trace in self._traces],
            "requests_not_traced": self._dropped,
        }

    # -- hooks into FastAPI -------------------------------------------------------------------

    def _new_trace(self, *, index: int | None, method: str, path: str, implicit: bool = False):
        if len(self._traces) >= MAX_REQUESTS:
            self._dropped += 1
            return None
        trace = RequestTrace(
            describer=self._describer,
            clock=self.context.elapsed_ms,
            index=index,
            method=method,
            path=path,
            implicit=implicit,
        )
        self._traces.append(trace)
        return trace

    def _trace_for(self, top: bool, request: Any) -> RequestTrace | None:
        trace = CURRENT.get()
        if top and (trace is None or (trace.implicit and trace.solved)):
            # A request that did not come through `wrap_app` (e.g. from a TestClient in tests).
            trace = self._new_trace(
                index=None,
                method=str(getattr(request, "method", "WEBSOCKET")),
                path=str(request.url.path),
                implicit=True,
            )
            CURRENT.set(trace)
        return trace

    def _traced_solve(self, solve: Any) -> Any:
        async def traced_solve(*args: Any, **kwargs: Any) -> Any:
            if args or "dependant" not in kwargs or "request" not in kwargs:
                return await solve(*args, **kwargs)
            top = kwargs.get("dependency_cache") is None
            trace = self._trace_for(top, kwargs["request"])
            if trace is None:
                return await solve(**kwargs)
            if top:
                kwargs["dependency_cache"] = _ObservedCache(trace)
            provider = kwargs.get("dependency_overrides_provider")
            if not isinstance(provider, _Provider):
                kwargs["dependency_overrides_provider"] = _Provider(provider, self._wrappers)
            dependant = kwargs["dependant"]
            node = trace.enter(dependant, self._wrappers.target_of(dependant.call))
            errors = None
            try:
                solved = await solve(**kwargs)
                errors = solved.errors
                return solved
            finally:
                trace.leave(node, errors)

        return traced_solve

    def _traced_endpoint(self, run_endpoint: Any) -> Any:
        async def traced_endpoint(**kwargs: Any) -> Any:
            trace = CURRENT.get()
            dependant = kwargs.get("dependant")
            if trace is None or dependant is None:
                return await run_endpoint(**kwargs)
            step = trace.endpoint_started(dependant.call, kwargs.get("values") or {})
            try:
                value = await run_endpoint(**kwargs)
            except BaseException as error:
                trace.raised(step, error)
                raise
            trace.returned(step, value)
            return value

        return traced_endpoint
