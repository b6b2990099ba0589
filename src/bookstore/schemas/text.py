"""`NoControlCharacters`: refuse text that a database cannot store or a log line should not hold.

Control characters and lone UTF-16 surrogates are refused: PostgreSQL rejects NUL characters
and no database can encode a lone surrogate, so letting them through would turn bad input into
a 500 instead of a clear 422. Use it after the length constraints:

    Title = Annotated[str, StringConstraints(min_length=1, max_length=200), NoControlCharacters]
"""

from __future__ import annotations

import re

from pydantic import AfterValidator

_UNSAFE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _reject_unsafe_characters(value: str) -> str:
    if _UNSAFE.search(value):
        raise ValueError("must not contain control characters")
    return value


NoControlCharacters = AfterValidator(_reject_unsafe_characters)
