"""How deeply a JSON value nests, measured without recursion, and a validator that caps it.

Serialising, validating and even comparing a value nested a few hundred levels deep fails deep
inside Pydantic or the standard library, so such input is refused where it enters, with a
message, instead of failing later and somewhere else.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator

MAX_JSON_DEPTH = 64
_NESTS = (dict, list, tuple)


def deeper_than(value: Any, limit: int) -> bool:
    """True when lists and dicts in `value` nest more than `limit` levels deep."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, _NESTS):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, _NESTS))
    return False


def _shallow(value: Any) -> Any:
    if deeper_than(value, MAX_JSON_DEPTH):
        raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep is not accepted")
    return value


ShallowJson = Annotated[Any, AfterValidator(_shallow)]
