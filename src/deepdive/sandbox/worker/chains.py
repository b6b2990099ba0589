"""Finding one kind of exception inside another: exception groups, causes and contexts.

anyio wraps exceptions from task groups in groups, and a failure while handling another keeps
the first as its context; a limit or a MemoryError may sit anywhere in there.
"""

from __future__ import annotations

from typing import TypeVar

_E = TypeVar("_E", bound=BaseException)
_MAX_DEPTH = 20


def find(exc: BaseException | None, kind: type[_E], _depth: int = 0) -> _E | None:
    if exc is None or _depth > _MAX_DEPTH:
        return None
    if isinstance(exc, kind):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = find(inner, kind, _depth + 1)
            if found is not None:
                return found
    original = getattr(exc, "original", None)  # LifespanError keeps the app's exception there
    if isinstance(original, BaseException):
        found = find(original, kind, _depth + 1)
        if found is not None:
            return found
    return find(exc.__cause__, kind, _depth + 1) or find(exc.__context__, kind, _depth + 1)
