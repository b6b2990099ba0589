"""Describing any Python value as a small JSON tree, without changing it.

Instruments use this to show a learner a value their code produced (a Pydantic model, a dict, an
ORM object, a `Response`...). A node is a dict with `kind`:

* `scalar` – `type` and `repr` (None, numbers, strings, datetimes, enums, anything unknown);
* `model` – a Pydantic model: `type`, `fields` (`name`, `value`, `set`: whether the field was
  given a value when the object was built) and `extra` (keys kept by `extra="allow"`);
* `object` – a dataclass or a plain object: `type` and `fields` (public attributes only);
* `mapping` / `sequence` – `type`, `items` (`key` and `value`, or `value`), `length`;
* `response` – a Starlette `Response`: `type`, `status_code`, `media_type`, `body` (text).

Containers are cut at `MAX_ITEMS` entries and `MAX_DEPTH` levels, texts at `MAX_TEXT`
characters, the whole tree at `MAX_NODES` nodes; a cut is marked with `truncated: true`.
Iterators and generators are never consumed: they are shown by their `repr`. Reading a value may run
learner code (`repr()`, a container's own iteration); a part that fails is shown as such.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from itertools import islice
from typing import Any, Literal

from pydantic import Field

from deepdive.sandbox.instruments import ResultShape

MAX_DEPTH = 8
MAX_ITEMS = 50
MAX_TEXT = 400
MAX_NODES = 1500

_SCALARS = (type(None), bool, int, float, str, bytes)
_MODULE_PREFIX = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")


class ValueNode(ResultShape):
    """One node of a value tree; which keys are present depends on `kind`."""

    kind: Literal["scalar", "model", "object", "mapping", "sequence", "response"]
    type: str
    repr: str | None = Field(default=None, description="scalar: the value's repr()")
    fields: list[ValueField] | None = Field(default=None, description="model, object")
    extra: list[ValueField] | None = Field(default=None, description="model: extra keys")
    items: list[ValueItem] | None = Field(default=None, description="mapping, sequence")
    length: int | None = Field(default=None, description="mapping, sequence: full length")
    status_code: int | None = Field(default=None, description="response")
    media_type: str | None = Field(default=None, description="response")
    body: str | None = Field(default=None, description="response: the body as text")
    truncated: bool | None = None


class ValueField(ResultShape):
    name: str
    value: ValueNode
    set: bool | None = Field(default=None, description="model: given when the object was built")


class ValueItem(ResultShape):
    key: str | None = Field(default=None, description="mapping: the key")
    value: ValueNode


class ValidationErrorEntry(ResultShape):
    """A Pydantic error as `error_list` reports it: `input` described as a value tree."""

    type: str
    loc: list[int | str]
    msg: str
    input: ValueNode


ValueNode.model_rebuild()


def describe(value: Any) -> dict[str, Any]:
    """The tree for `value` (see the module docstring)."""
    return _Describer().node(value, 0)


def type_name(value: Any, *, is_type: bool = False) -> str:
    """A short readable name: `UserOut`, `list[UserOut]`, `dict[str, Any]`, `int | None`."""
    target = value if is_type else type(value)
    if isinstance(target, type) and not getattr(target, "__args__", None):
        return target.__qualname__
    try:
        return _MODULE_PREFIX.sub("", repr(target))
    except Exception:
        return "?"


def error_list(errors: Any) -> list[dict[str, Any]]:
    """Validation errors (Pydantic's dicts) made JSON-safe: `input` becomes a tree."""
    cleaned = []
    for error in list(errors)[:MAX_ITEMS]:
        if not isinstance(error, Mapping):
            continue
        cleaned.append(
            {
                "type": str(error.get("type", "")),
                "loc": [p if isinstance(p, int | str) else repr(p) for p in error.get("loc", ())],
                "msg": _cut(str(error.get("msg", ""))),
                "input": describe(error.get("input")),
            }
        )
    return cleaned


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _safe_repr(value: Any) -> str:
    try:
        return _cut(repr(value))
    except Exception as exc:
        return f"<{type(value).__name__} whose repr() failed: {type(exc).__name__}>"


class _Describer:
    def __init__(self) -> None:
        self.nodes = 0

    def node(self, value: Any, depth: int) -> dict[str, Any]:
        self.nodes += 1
        if isinstance(value, _SCALARS) or self.nodes > MAX_NODES or depth >= MAX_DEPTH:
            return self._scalar(value, truncated=not isinstance(value, _SCALARS))
        try:
            return self._structured(value, depth)
        except Exception as exc:  # the learner's own container classes may refuse to be read
            return {
                "kind": "scalar",
                "type": type_name(value),
                "repr": f"<{type_name(value)} that could not be described: {type(exc).__name__}>",
            }

    def _structured(self, value: Any, depth: int) -> dict[str, Any]:
        kind = _kind_of(value)
        if kind == "model":
            return self._model(value, depth)
        if kind == "response":
            return _response(value)
        if kind == "mapping":
            pairs = islice(value.items(), MAX_ITEMS)
            items = [{"key": _key(k), "value": self.node(v, depth + 1)} for k, v in pairs]
            return self._container(value, "mapping", items, len(value))
        if kind == "sequence":
            items = [{"value": self.node(v, depth + 1)} for v in islice(value, MAX_ITEMS)]
            return self._container(value, "sequence", items, len(value))
        if kind == "object":
            return self._object(value, depth)
        return self._scalar(value)

    def _scalar(self, value: Any, *, truncated: bool = False) -> dict[str, Any]:
        node = {"kind": "scalar", "type": type_name(value), "repr": _safe_repr(value)}
        if truncated:
            node["truncated"] = True
        return node

    def _container(
        self, value: Any, kind: str, items: list[dict[str, Any]], length: int
    ) -> dict[str, Any]:
        node = {"kind": kind, "type": type_name(value), "items": items, "length": length}
        if length > len(items):
            node["truncated"] = True
        return node

    def _model(self, value: Any, depth: int) -> dict[str, Any]:
        data = vars(value)  # Pydantic keeps field values in __dict__: no learner code runs
        fields_set = getattr(value, "__pydantic_fields_set__", set()) or set()
        names = list(type(value).__pydantic_fields__)
        fields = [
            {"name": n, "value": self.node(data.get(n), depth + 1), "set": n in fields_set}
            for n in names[:MAX_ITEMS]
            if n in data
        ]
        extra = getattr(value, "__pydantic_extra__", None) or {}
        node: dict[str, Any] = {
            "kind": "model",
            "type": type_name(value),
            "fields": fields,
            "extra": [
                {"name": str(k), "value": self.node(v, depth + 1)}
                for k, v in list(extra.items())[:MAX_ITEMS]
            ],
        }
        if len(names) > MAX_ITEMS:
            node["truncated"] = True
        return node

    def _object(self, value: Any, depth: int) -> dict[str, Any]:
        if dataclasses.is_dataclass(value):
            pairs = [(f.name, getattr(value, f.name, None)) for f in dataclasses.fields(value)]
        else:
            pairs = [(k, v) for k, v in vars(value).items() if not k.startswith("_")]
        node: dict[str, Any] = {
            "kind": "object",
            "type": type_name(value),
            "fields": [{"name": k, "value": self.node(v, depth + 1)} for k, v in pairs[:MAX_ITEMS]],
        }
        if len(pairs) > MAX_ITEMS:
            node["truncated"] = True
        return node


def _kind_of(value: Any) -> str:
    cls = type(value)
    if hasattr(cls, "__pydantic_fields__") and isinstance(getattr(value, "__dict__", None), dict):
        return "model"
    if _is_response(value):
        return "response"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple | set | frozenset):
        return "sequence"
    if isinstance(value, type):
        return "scalar"
    if dataclasses.is_dataclass(value) or _has_plain_attributes(value):
        return "object"
    return "scalar"


def _has_plain_attributes(value: Any) -> bool:
    # An ORM row or a simple class instance; not a module, function or builtin type.
    attributes = getattr(value, "__dict__", None)
    return isinstance(attributes, dict) and not callable(value) and bool(attributes)


def _is_response(value: Any) -> bool:
    from starlette.responses import Response

    return isinstance(value, Response)


def _key(key: Any) -> str:
    return key if isinstance(key, str) else _safe_repr(key)


def _response(value: Any) -> dict[str, Any]:
    body = getattr(value, "body", b"")
    if isinstance(body, bytes | bytearray | memoryview):
        text = bytes(body[: MAX_TEXT * 4]).decode("utf-8", errors="replace")
    else:
        text = "(streamed: not known until it is sent)"
    return {
        "kind": "response",
        "type": type_name(value),
        "status_code": getattr(value, "status_code", None),
        "media_type": getattr(value, "media_type", None),
        "body": text,
        "truncated": isinstance(body, bytes) and len(body) > MAX_TEXT * 4,
    }
