"""One request's dependency resolution, recorded step by step while FastAPI performs it.

FastAPI's resolver (`solve_dependencies`) tells the trace when it starts and finishes solving a
dependant; the per-request cache tells it when a value is served or stored; the wrapped
callables tell it when they really run, with which arguments, and when a `yield` dependency is
torn down. Steps are numbered in the order these things happened.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from deepdive.sandbox.instruments.resolution.describe import Describer, ObjectLabels

MAX_STEPS = 300
_MAX_ERRORS = 5

_Hook = TypeVar("_Hook", bound=Callable[..., Any])


def _guarded(hook: _Hook) -> _Hook:
    """A recording hook never breaks the learner's request: a failure is noted, not raised."""

    @functools.wraps(hook)
    def guarded(self: RequestTrace, *args: Any, **kwargs: Any) -> Any:
        try:
            return hook(self, *args, **kwargs)
        except Exception as error:
            if len(self.problems) < _MAX_ERRORS:
                self.problems.append(f"{hook.__name__}: {type(error).__name__}: {error}")
            return None

    return guarded  # type: ignore[return-value]


CURRENT: ContextVar[RequestTrace | None] = ContextVar("deepdive_dependency_trace", default=None)


@dataclass(eq=False)
class Declaration:
    """A dependency FastAPI is resolving: what runs, and which parameter of whom asked for it."""

    call: Any
    declared: Any
    parameter: str | None
    dependent: Declaration | None
    use_cache: bool
    children: list[Any]
    next_child: int = 0
    step: dict[str, Any] | None = None


@dataclass(eq=False)
class RequestTrace:
    describer: Describer
    clock: Callable[[], float]
    index: int | None
    method: str
    path: str
    implicit: bool = False
    solved: bool = False
    status: int | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    labels: ObjectLabels = field(default_factory=ObjectLabels)
    calls: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    overrides: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _stack: list[Declaration] = field(default_factory=list)
    _pending: Declaration | None = None
    _stored_by: dict[Any, int] = field(default_factory=dict)

    def add(self, step_type: str, /, **fields: Any) -> dict[str, Any]:
        step = {"n": len(self.steps) + 1, "type": step_type, "t_ms": round(self.clock(), 3)}
        step.update(fields)
        if len(self.steps) < MAX_STEPS:
            self.steps.append(step)
        else:
            self.truncated = True
        return step

    # -- the resolver -----------------------------------------------------------------------

    @_guarded
    def enter(self, dependant: Any, target: Any) -> Declaration:
        """`solve_dependencies` starts on `dependant` (which will run `target`)."""
        parent = self._stack[-1] if self._stack else None
        declared = None
        if parent is not None and parent.next_child < len(parent.children):
            declared = parent.children[parent.next_child]
            parent.next_child += 1
        node = Declaration(
            call=target,
            declared=declared.call if declared is not None else target,
            parameter=getattr(dependant, "name", None),
            dependent=parent,
            use_cache=bool(getattr(declared, "use_cache", True)),
            children=list(getattr(dependant, "dependencies", ())),
        )
        self._stack.append(node)
        if node.declared is not node.call:
            original = self.describer.name(node.declared)
            self.overrides[original] = self.describer.name(node.call)
        return node

    @_guarded
    def leave(self, node: Declaration | None, errors: list[Any] | None) -> None:
        """`solve_dependencies` finished `node`: its own dependencies and parameters are solved."""
        if node is None:
            return
        while self._stack and self._stack.pop() is not node:
            pass
        if node.dependent is None:
            self.solved = True
            if errors:
                self.add("invalid", errors=_errors(errors))
        elif errors:
            self.add("skipped", **self._about(node), errors=_errors(errors))
        else:
            # FastAPI now either serves it from the cache or calls it.
            self._pending = node

    @_guarded
    def cache_hit(self, key: Any, value: Any) -> None:
        node = self._pending
        if node is None:
            return
        self._pending = None
        name = self.describer.name(node.call)
        self.hits[name] += 1
        self.add(
            "cache_hit",
            **self._about(node),
            value=self.describer.value(value, self.labels),
            from_step=self._stored_by.get(key),
        )

    @_guarded
    def cache_store(self, key: Any) -> None:
        node = self._pending
        if node is not None and node.step is not None:
            node.step["stored"] = True
            self._stored_by[key] = node.step["n"]

    # -- the callables ----------------------------------------------------------------------

    @_guarded
    def call_started(self, target: Any, kind: str, arguments: dict[str, Any]) -> dict[str, Any]:
        node = self._pending
        if node is not None and node.call is not target:
            node = None
        name = self.describer.name(target)
        self.calls[name] += 1
        step = self.add(
            "call",
            **(self._about(node) if node else {"dependency": name}),
            kind=kind,
            count=self.calls[name],
            args=self._arguments(arguments),
            stored=False,
            **self.describer.where(target),
        )
        if node is not None:
            node.step = step
        return step

    @_guarded
    def returned(self, step: dict[str, Any], value: Any) -> None:
        step["result"] = self.describer.value(value, self.labels)

    @_guarded
    def raised(self, step: dict[str, Any], error: BaseException) -> None:
        step["raised"] = _exception(error)

    @_guarded
    def paused(self, step: dict[str, Any], value: Any, frame: Any) -> None:
        """A `yield` dependency handed over `value` and is suspended in `frame`."""
        self.returned(step, value)
        if frame is not None and self.describer.file_of(frame.f_code.co_filename):
            step["paused_at"] = frame.f_lineno

    @_guarded
    def teardown_started(
        self, call: dict[str, Any], thrown: BaseException | None
    ) -> dict[str, Any]:
        where: dict[str, Any] = {}
        if "lines" in call:
            start = call.get("paused_at", call["lines"][0])
            where = {"file": call["file"], "lines": [start, call["lines"][1]]}
        return self.add(
            "teardown",
            dependency=call["dependency"],
            call_step=call["n"],
            thrown=_exception(thrown) if thrown is not None else None,
            **where,
        )

    @_guarded
    def teardown_finished(self, step: dict[str, Any], error: BaseException | None) -> None:
        thrown = step.get("thrown")
        if error is None:
            step["outcome"] = "suppressed" if thrown else "finished"
        else:
            step["outcome"] = "re-raised" if thrown and thrown["id"] == id(error) else "raised"
            step["raised"] = _exception(error)

    # -- the endpoint and the response ------------------------------------------------------

    @_guarded
    def endpoint_started(self, call: Any, values: dict[str, Any]) -> dict[str, Any]:
        return self.add(
            "endpoint",
            dependency=self.describer.name(call),
            args=self._arguments(values),
            **self.describer.where(call),
        )

    @_guarded
    def response_sent(self) -> None:
        self.add("response", status=self.status)

    # -- output -----------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        for step in self.steps:
            for key in ("thrown", "raised"):
                if isinstance(step.get(key), dict):
                    step[key].pop("id", None)
        return {
            "request": self.index,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "steps": self.steps,
            "calls": dict(self.calls),
            "cache_hits": dict(self.hits),
            "overrides": [{"original": k, "replacement": v} for k, v in self.overrides.items()],
            "truncated": self.truncated,
            "problems": self.problems,
        }

    def _about(self, node: Declaration) -> dict[str, Any]:
        dependent = node.dependent
        wanted_by: dict[str, Any] = {"parameter": node.parameter}
        if dependent is not None:
            wanted_by["of"] = self.describer.name(dependent.call)
            line = self.describer.parameter_line(dependent.call, node.parameter)
            if line is not None:
                wanted_by["line"] = line
        about: dict[str, Any] = {
            "dependency": self.describer.name(node.call),
            "for": wanted_by,
            "use_cache": node.use_cache,
        }
        if node.declared is not node.call:
            about["overrides"] = self.describer.name(node.declared)
        return about

    def _arguments(self, arguments: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"name": name, "value": self.describer.value(value, self.labels)}
            for name, value in arguments.items()
        ]


def _exception(error: BaseException) -> dict[str, Any]:
    try:
        text = str(error)
    except Exception:
        text = ""
    return {"type": type(error).__name__, "text": text[:200], "id": id(error)}


def _errors(errors: list[Any]) -> list[dict[str, Any]]:
    shown = []
    for error in errors[:_MAX_ERRORS]:
        if isinstance(error, dict):
            location = [str(part) for part in error.get("loc", ())]
            shown.append({"loc": location, "msg": str(error.get("msg", ""))[:200]})
    return shown
