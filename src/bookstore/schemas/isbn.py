"""ISBN: accepts ISBN-10 or ISBN-13 (hyphens and spaces allowed), stores 13 digits."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field


def _isbn13_check_digit(first12: str) -> str:
    total = sum(int(digit) * (1 if index % 2 == 0 else 3) for index, digit in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_is_valid(isbn: str) -> bool:
    if not (isbn[:9].isdigit() and (isbn[9].isdigit() or isbn[9] == "X")):
        return False
    digits = [10 if char == "X" else int(char) for char in isbn]
    return (
        sum(weight * digit for weight, digit in zip(range(10, 0, -1), digits, strict=True)) % 11
        == 0
    )


def normalize_isbn(value: str) -> str:
    compact = value.replace("-", "").replace(" ", "").upper()
    if len(compact) == 10:
        if not _isbn10_is_valid(compact):
            raise ValueError("is not a valid ISBN-10 (wrong check digit or characters)")
        first12 = "978" + compact[:9]
        return first12 + _isbn13_check_digit(first12)
    if len(compact) == 13 and compact.isdigit():
        if _isbn13_check_digit(compact[:12]) != compact[12]:
            raise ValueError("is not a valid ISBN-13 (wrong check digit)")
        return compact
    raise ValueError("must be an ISBN-10 or ISBN-13, e.g. 978-0-306-40615-7")


ISBN = Annotated[
    str,
    Field(
        min_length=10,
        max_length=17,
        description="ISBN-10 or ISBN-13; hyphens and spaces are ignored. Stored as 13 digits.",
        examples=["978-0-306-40615-7"],
    ),
    AfterValidator(normalize_isbn),
]
