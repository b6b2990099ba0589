"""Instruments: optional probes a run request can ask for by name.

An instrument watches the learner's app from inside the sandbox and returns JSON-able data,
which the result carries as `result.instrumentation[name]`. Lessons ask for the instruments they
need (`RunRequest(instruments=["openapi", "timeline"])`); the engine attaches exactly those.

Adding one never touches the engine: create a module in this package that defines a subclass of
`Instrument` decorated with `@register`. Every module here is imported when the runner starts
(before any sandbox is forked), so the instrument is available to all runs.

The hook contract, in the order the engine calls the hooks (each is optional):

1. `__init__(context)` – `context` is a `RunContext`: the `RunRequest`, `elapsed_ms()` since the
   run started, `exchange()` for the request being handled in the current task, and
   `learner_file(path)` to tell the learner's files from library code.
2. `before_import()` – the learner's module has not run yet; patch libraries here (for example
   listen to SQLAlchemy engine events, or wrap `fastapi.Depends` resolution).
3. `after_import(app)` – the module ran; `app` is the object the learner named `app`. Only an
   instrument that defines this hook makes a test run look the app up.
4. `wrap_app(app) -> app` – return an ASGI app wrapping `app` (or `app` itself). The engine sends
   its requests, and session traffic, through the wrapped app; it stays outside the learner's
   middleware, so what it sees is what a real server would see. Wrappers are applied in the
   order the request names the instruments (the first is outermost).
5. `before_request(index, request)` / `after_request(index, response)` – around each HTTP
   request of an app run (`HttpRequest` and `HttpResponse` models); with `concurrent=True` they
   interleave, so key any state by `index`.
6. `result()` – called once at the end, even after a failure; return JSON-able data.

An instrument that raises does not break the run: the engine stores
`{"error": "<what went wrong>"}` under its name instead. Test runs call hooks 1–3 and 6 only
(the learner's tests send their own requests): `before_import` before pytest collects the
tests, `after_import` once they are collected (with the module the tests imported, or imported
then if they did not).

Every instrument documents its data as a Pydantic model, `result_model`. The data is produced
inside the sandbox, next to the learner's code, so the runner trusts none of it: `checked()`
validates each instrument's data against its model (and a size cap) once the run is over, and
replaces anything malformed or oversized by `{"error": "<a sentence for the learner>"}`. A widget
therefore reads either the documented fields or `error`, never anything else.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.run_result import HttpResponse
from deepdive.sandbox.worker.asgi import EXCHANGE, ASGIApp, Exchange
from deepdive.sandbox.worker.files import LearnerFiles

_REGISTRY: dict[str, type[Instrument]] = {}
_loaded = False
_T = TypeVar("_T", bound="type[Instrument]")
# One instrument's data, serialised, may not be larger than this.
MAX_RESULT_BYTES = 4 * 1024 * 1024


class ResultShape(BaseModel):
    """Base of the documented result models: every key is known."""

    model_config = ConfigDict(extra="forbid")


class InstrumentError(ResultShape):
    """What an instrument's entry holds when it could not report: one sentence."""

    error: str


@dataclass
class RunContext:
    """What an instrument may know about the run it watches."""

    request: RunRequest
    files: LearnerFiles | None = None
    started: float = field(default_factory=time.perf_counter)

    def elapsed_ms(self) -> float:
        """Milliseconds since the learner's code started to run."""
        return (time.perf_counter() - self.started) * 1000

    def exchange(self) -> Exchange | None:
        """The engine's request being handled in the current task, if any."""
        return EXCHANGE.get()

    def learner_file(self, path: str) -> str | None:
        """The learner's own name for `path` ("app.py", "app/routers/books.py": the main file or
        one of `request.files`) when the path is one of their files, else None."""
        name = self.files.display_name(path) if self.files is not None and path else None
        if name is None or (name != self.request.filename and name not in self.request.files):
            return None
        return name


class Instrument:
    """Base class: override the hooks you need (see the module docstring for the contract)."""

    name: ClassVar[str]
    # The documented shape of `result()`; the runner checks the data against it.
    result_model: ClassVar[type[BaseModel]]

    def __init__(self, context: RunContext) -> None:
        self.context = context

    def before_import(self) -> None:
        return None

    def after_import(self, app: Any) -> None:
        return None

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        return app

    def before_request(self, index: int, request: HttpRequest) -> None:
        return None

    def after_request(self, index: int, response: HttpResponse) -> None:
        return None

    def result(self) -> Any:
        return None


def register(cls: _T) -> _T:
    """Class decorator: make an instrument available under `cls.name`."""
    name = getattr(cls, "name", "")
    if not name or not name.isidentifier():
        raise ValueError(f"{cls.__name__} needs a `name` that is a plain identifier")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"two instruments are called {name!r}")
    if not isinstance(getattr(cls, "result_model", None), type):
        raise ValueError(f"{cls.__name__} needs a `result_model` documenting its data")
    _REGISTRY[name] = cls
    return cls


def load_all() -> list[str]:
    """Import every instrument module of this package (once); return the registered names."""
    global _loaded
    if not _loaded:
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return sorted(_REGISTRY)


def available() -> list[str]:
    """The names of every instrument (their modules are imported on first use)."""
    return load_all()


def _known(name: str) -> str:
    if name not in load_all():
        raise ValueError(f"there is no instrument called {name!r}; available: {_listed()}")
    return name


def _listed() -> str:
    return ", ".join(available())


# A field of this type refuses, when it is validated, a name that no instrument has (the web
# layer checks what a page asks for before anything runs).
InstrumentName = Annotated[str, AfterValidator(_known)]


def unknown(names: list[str]) -> list[str]:
    available()
    return [n for n in names if n not in _REGISTRY]


def result_model(name: str) -> type[BaseModel]:
    load_all()
    return _REGISTRY[name].result_model


def checked(requested: list[str], data: dict[str, Any]) -> dict[str, Any]:
    """The instrumentation of a run as the runner passes it on: one entry per requested
    instrument, each valid against its model or replaced by an `InstrumentError`."""
    return {name: _checked(name, data.get(name)) for name in dict.fromkeys(requested)}


def _checked(name: str, value: Any) -> Any:
    if name not in _REGISTRY:
        return {"error": f"there is no {name} instrument"}
    if value is None:
        return {"error": f"the run ended before the {name} instrument could report"}
    try:
        size = len(json.dumps(value))
    except (TypeError, ValueError, RecursionError):
        return {"error": f"the {name} instrument returned data that is not JSON"}
    if size > MAX_RESULT_BYTES:
        mib = size / (1024 * 1024)
        return {
            "error": f"the {name} instrument recorded {mib:.1f} MiB, too much to show: send "
            "fewer requests, or make the app produce less"
        }
    if isinstance(value, dict) and set(value) == {"error"} and isinstance(value["error"], str):
        return {"error": value["error"][:2000]}
    try:
        _REGISTRY[name].result_model.model_validate(value)
    except ValidationError as problem:
        first = problem.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the top level"
        return {
            "error": f"the {name} instrument returned data in an unexpected shape "
            f"({where}: {first['msg']}), so it is not shown"
        }
    return value


def create(names: list[str], context: RunContext) -> list[Instrument]:
    return [_REGISTRY[name](context) for name in dict.fromkeys(names)]


class Instruments:
    """The instruments of one run, each hook call shielded from the others' failures."""

    def __init__(self, names: list[str], context: RunContext) -> None:
        self._items = create(names, context)
        self._errors: dict[str, str] = {}

    def _each(self, hook: Callable[[Instrument], Any]) -> None:
        for item in self._items:
            if item.name in self._errors:
                continue
            try:
                hook(item)
            except Exception as exc:
                self._errors[item.name] = f"{type(exc).__name__}: {exc}"

    def wants_app(self) -> bool:
        """Whether an instrument of this run looks at the app itself (`after_import`)."""
        return any(type(i).after_import is not Instrument.after_import for i in self._items)

    def app_unavailable(self, reason: str) -> None:
        """The app could not be found: every instrument that needed it reports `reason`."""
        for item in self._items:
            if type(item).after_import is not Instrument.after_import:
                self._errors.setdefault(item.name, reason)

    def before_import(self) -> None:
        self._each(lambda i: i.before_import())

    def after_import(self, app: Any) -> None:
        self._each(lambda i: i.after_import(app))

    def wrap_app(self, app: ASGIApp) -> ASGIApp:
        for item in reversed(self._items):
            try:
                app = item.wrap_app(app)
            except Exception as exc:
                self._errors[item.name] = f"{type(exc).__name__}: {exc}"
        return app

    def before_request(self, index: int, request: HttpRequest) -> None:
        self._each(lambda i: i.before_request(index, request))

    def after_request(self, index: int, response: HttpResponse) -> None:
        self._each(lambda i: i.after_request(index, response))

    def results(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for item in self._items:
            if item.name not in self._errors:
                try:
                    data[item.name] = item.result()
                except Exception as exc:
                    self._errors[item.name] = f"{type(exc).__name__}: {exc}"
            if item.name in self._errors:
                data[item.name] = {"error": self._errors[item.name]}
        return data
