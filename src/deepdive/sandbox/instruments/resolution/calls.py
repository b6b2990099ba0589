"""Stand-ins for dependency callables that report each real call to the request's trace.

FastAPI treats a stand-in exactly like the callable it wraps: it has the same kind (function,
coroutine function, generator or async generator function), and `__wrapped__` gives it the same
signature, so FastAPI reads the same parameters and sub-dependencies from it.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi.dependencies.models import (
    _is_async_gen_callable,
    _is_coroutine_callable,
    _is_gen_callable,
)

from deepdive.sandbox.instruments.resolution.trace import CURRENT

_ASSIGNED = ("__module__", "__name__", "__qualname__", "__doc__")


def kind_of(call: Any) -> str:
    """How FastAPI will run `call` (its own classification)."""
    if _is_gen_callable(call):
        return "generator"
    if _is_async_gen_callable(call):
        return "async generator"
    if _is_coroutine_callable(call):
        return "async function"
    return "class" if isinstance(call, type) else "function"


class Wrappers:
    """One stand-in per callable for the whole run (FastAPI caches facts about each callable)."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[Any, Callable[..., Any]]] = {}
        self._targets: dict[int, Any] = {}

    def wrap(self, call: Any) -> Any:
        if id(call) in self._targets:
            return call  # already a stand-in
        made = self._made.get(id(call))
        if made is not None and made[0] is call:
            return made[1]
        stand_in = _stand_in(call, kind_of(call))
        functools.update_wrapper(stand_in, call, assigned=_ASSIGNED, updated=())
        self._made[id(call)] = (call, stand_in)
        self._targets[id(stand_in)] = call
        return stand_in

    def target_of(self, call: Any) -> Any:
        """The learner's callable behind a stand-in (or `call` itself)."""
        return self._targets.get(id(call), call)


def _stand_in(call: Any, kind: str) -> Callable[..., Any]:
    if kind == "generator":

        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            return (yield from _drive(call, kind, args, kwargs))

        return generator
    if kind == "async generator":

        async def async_generator(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            trace = CURRENT.get()
            step = trace.call_started(call, kind, kwargs) if trace else None
            inner = call(*args, **kwargs)
            try:
                value = await inner.__anext__()
            except StopAsyncIteration:
                return
            except BaseException as error:
                if trace and step:
                    trace.raised(step, error)
                raise
            if trace and step:
                trace.paused(step, value, getattr(inner, "ag_frame", None))
            try:
                yield value
            except BaseException as thrown:
                teardown = trace.teardown_started(step, thrown) if trace and step else None
                try:
                    await inner.athrow(thrown)
                except StopAsyncIteration:
                    _finished(trace, teardown, None)
                    return
                except BaseException as error:
                    _finished(trace, teardown, error)
                    raise
                raise RuntimeError(f"{_name(call)} did not stop after its exception") from None
            teardown = trace.teardown_started(step, None) if trace and step else None
            try:
                await inner.__anext__()
            except StopAsyncIteration:
                _finished(trace, teardown, None)
                return
            except BaseException as error:
                _finished(trace, teardown, error)
                raise
            raise RuntimeError(f"{_name(call)} yielded more than once")

        return async_generator
    if kind == "async function":

        async def coroutine(*args: Any, **kwargs: Any) -> Any:
            trace = CURRENT.get()
            step = trace.call_started(call, kind, kwargs) if trace else None
            try:
                value = await call(*args, **kwargs)
            except BaseException as error:
                if trace and step:
                    trace.raised(step, error)
                raise
            if trace and step:
                trace.returned(step, value)
            return value

        return coroutine

    def function(*args: Any, **kwargs: Any) -> Any:
        trace = CURRENT.get()
        step = trace.call_started(call, kind, kwargs) if trace else None
        try:
            value = call(*args, **kwargs)
        except BaseException as error:
            if trace and step:
                trace.raised(step, error)
            raise
        if trace and step:
            trace.returned(step, value)
        return value

    return function


def _drive(call: Any, kind: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Iterator[Any]:
    """Run a generator dependency to its `yield` and on to its end, reporting each stage."""
    trace = CURRENT.get()
    step = trace.call_started(call, kind, kwargs) if trace else None
    inner = call(*args, **kwargs)
    try:
        value = next(inner)
    except StopIteration:
        return
    except BaseException as error:
        if trace and step:
            trace.raised(step, error)
        raise
    if trace and step:
        trace.paused(step, value, getattr(inner, "gi_frame", None))
    try:
        yield value
    except BaseException as thrown:
        teardown = trace.teardown_started(step, thrown) if trace and step else None
        try:
            inner.throw(thrown)
        except StopIteration:
            _finished(trace, teardown, None)
            return
        except BaseException as error:
            _finished(trace, teardown, error)
            raise
        raise RuntimeError(f"{_name(call)} did not stop after its exception") from None
    teardown = trace.teardown_started(step, None) if trace and step else None
    try:
        next(inner)
    except StopIteration:
        _finished(trace, teardown, None)
        return
    except BaseException as error:
        _finished(trace, teardown, error)
        raise
    raise RuntimeError(f"{_name(call)} yielded more than once")


def _finished(trace: Any, teardown: dict[str, Any] | None, error: BaseException | None) -> None:
    if trace is not None and teardown is not None:
        trace.teardown_finished(teardown, error)


def _name(call: Any) -> str:
    return str(getattr(call, "__qualname__", type(call).__name__))
