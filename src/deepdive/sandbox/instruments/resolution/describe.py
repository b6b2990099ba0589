"""Short, safe descriptions of the learner's values and of where their callables live.

Everything here runs on learner objects: a `__repr__` may raise or return megabytes, so each
description is guarded and capped.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import reprlib
from types import CodeType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deepdive.sandbox.instruments import RunContext

_MAX_TEXT = 120
_MAX_FIELDS = 4
_PLAIN = (type(None), bool, int, float, complex, str, bytes)
# Builtin containers are never "the same object" anyone cares about; learner objects are.
_UNLABELLED = (*_PLAIN, dict, list, tuple, set, frozenset)


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


class _Repr(reprlib.Repr):
    def repr_instance(self, x: object, level: int) -> str:
        try:
            return _cut(builtins.repr(x))
        except Exception:
            return f"<{type(x).__name__}: its repr() failed>"


_repr = _Repr()
_repr.maxstring = 60
_repr.maxother = _MAX_TEXT
_repr.maxlevel = 2
_repr.maxdict = _repr.maxlist = _repr.maxtuple = _repr.maxset = 4


class ObjectLabels:
    """Numbers objects in the order they are first seen, so a trace can say "the same object".

    The objects are kept alive for the run, so an id is never reused for another object.
    """

    def __init__(self) -> None:
        self._seen: dict[int, tuple[object, int]] = {}

    def label(self, value: object) -> int | None:
        if isinstance(value, _UNLABELLED):
            return None
        entry = self._seen.get(id(value))
        if entry is None or entry[0] is not value:
            entry = (value, len(self._seen) + 1)
            self._seen[id(value)] = entry
        return entry[1]


class Describer:
    """Describes values and code for one run (knows which files are the learner's)."""

    def __init__(self, context: RunContext) -> None:
        request = context.request
        self._learner_file = context.learner_file
        self._modules = request.learner_modules()
        self._main_source = request.code
        self._main_file = request.filename
        self._instances: dict[int, tuple[object, int]] = {}

    # -- values ---------------------------------------------------------------------------

    def value(self, value: object, labels: ObjectLabels) -> dict[str, Any]:
        described: dict[str, Any] = {"text": self._text(value), "type": type(value).__name__}
        ref = labels.label(value)
        if ref is not None:
            described["ref"] = ref
        return described

    def _text(self, value: object) -> str:
        cls = type(value)
        try:
            if cls.__repr__ is object.__repr__:
                if cls.__module__ in self._modules:
                    return _cut(self._fields(value))
                return f"<{cls.__name__} object>"
            return _cut(_repr.repr(value))
        except Exception:  # e.g. a __dict__ that is not a dict
            return f"<{cls.__name__}: its repr() failed>"

    @staticmethod
    def _fields(value: object) -> str:
        attributes = getattr(value, "__dict__", {})
        shown = [
            f"{name}={_repr.repr(item)}"
            for name, item in list(attributes.items())[:_MAX_FIELDS]
            if not name.startswith("_")
        ]
        more = ", …" if len(attributes) > _MAX_FIELDS else ""
        return f"{type(value).__name__}({', '.join(shown)}{more})"

    # -- callables ------------------------------------------------------------------------

    def name(self, call: object) -> str:
        """How the learner would refer to a dependency: its name, or its class and a number."""
        target = _unpartial(call)
        named = inspect.isfunction(target) or inspect.isclass(target) or inspect.ismethod(target)
        if named or hasattr(target, "__wrapped__"):  # e.g. a function under @lru_cache
            return str(getattr(target, "__qualname__", getattr(target, "__name__", "?")))
        entry = self._instances.get(id(target))
        if entry is None or entry[0] is not target:
            count = sum(type(other) is type(target) for other, _ in self._instances.values())
            entry = (target, count + 1)
            self._instances[id(target)] = entry
        return f"{type(target).__name__} instance #{entry[1]}"

    def where(self, call: object) -> dict[str, Any]:
        """The learner's file and line range of the code that `call` runs (empty if not theirs)."""
        code = _code_of(call)
        return self.code_lines(code) if code is not None else {}

    def code_lines(self, code: CodeType) -> dict[str, Any]:
        file = self._learner_file(code.co_filename)
        if file is None:
            return {}
        lines = [line for _start, _end, line in code.co_lines() if line is not None]
        return {"file": file, "lines": [code.co_firstlineno, max(lines, default=0)]}

    def file_of(self, path: str) -> str | None:
        return self._learner_file(path)

    def parameter_line(self, call: object, parameter: str | None) -> int | None:
        """The line in the main file where `call` declares `parameter`."""
        code = _code_of(call)
        if (
            parameter is None
            or code is None
            or self._learner_file(code.co_filename) != (self._main_file)
        ):
            return None
        return _parameter_lines(self._main_source).get(code.co_firstlineno, {}).get(parameter)


def _unpartial(call: object) -> object:
    while isinstance(call, functools.partial):
        call = call.func
    return call


def _code_of(call: object) -> CodeType | None:
    target = _unpartial(inspect.unwrap(call) if callable(call) else call)  # type: ignore[arg-type]
    if inspect.ismethod(target):
        target = target.__func__
    if inspect.isclass(target):
        target = target.__dict__.get("__init__") or getattr(target, "__init__", None)
    elif not inspect.isfunction(target):
        target = getattr(type(target), "__call__", None)  # noqa: B004  (a callable instance)
    code = getattr(target, "__code__", None)
    return code if isinstance(code, CodeType) else None


@functools.lru_cache(maxsize=4)
def _parameter_lines(source: str) -> dict[int, dict[str, int]]:
    """For each function in `source`, keyed by its first line (decorators included), the line
    of each parameter."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return {}
    found: dict[int, dict[str, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            found[first] = {a.arg: a.lineno for a in every}
    return found
