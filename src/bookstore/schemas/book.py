"""What clients send and receive for books."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bookstore.schemas.isbn import ISBN
from bookstore.schemas.partial import refuse_nulls
from bookstore.schemas.text import NoControlCharacters

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoControlCharacters
]
Author = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100), NoControlCharacters
]
Genre = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), NoControlCharacters
]
SearchText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoControlCharacters
]
# Ids are 32-bit in PostgreSQL: bigger numbers cannot exist, so they are refused up front.
MAX_ID = 2**31 - 1
BookId = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[int, Field(ge=1000, le=2100)]
PriceCents = Annotated[int, Field(ge=0, le=1_000_000, description="Price in cents.")]


class BookBase(BaseModel):
    title: Title
    author: Author
    year: Year
    genre: Genre | None = None
    isbn: ISBN
    price_cents: PriceCents
    featured: bool = False


class BookCreate(BookBase):
    """A new book, or (with PUT) every field of an existing one."""

    model_config = ConfigDict(extra="forbid")


class BookUpdate(BaseModel):
    """PATCH: only the fields that are sent change."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    author: Author | None = None
    year: Year | None = None
    genre: Genre | None = None
    isbn: ISBN | None = None
    price_cents: PriceCents | None = None
    featured: bool | None = None

    @model_validator(mode="after")
    def _only_genre_may_be_cleared(self) -> Self:
        refuse_nulls(self, nullable=frozenset({"genre"}))
        return self


class BookPublic(BookBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    isbn: str = Field(description="13 digits.")
    cover_url: str | None = Field(
        default=None, description="Where the cover image is, if there is one."
    )
    created_at: datetime
    updated_at: datetime


class BooksPublic(BaseModel):
    """One page of books, with the total number that match the filters."""

    items: list[BookPublic]
    total: int
    limit: int
    offset: int


class BookSort(StrEnum):
    TITLE = "title"
    TITLE_DESC = "-title"
    AUTHOR = "author"
    AUTHOR_DESC = "-author"
    YEAR = "year"
    YEAR_DESC = "-year"
    PRICE = "price"
    PRICE_DESC = "-price"


class BookQuery(BaseModel):
    """Filters, sorting and paging for `GET /books`; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[
        SearchText | None,
        Field(description="Text in the title or the author's name (case-insensitive)."),
    ] = None
    genre: Annotated[Genre | None, Field(description="Exact genre (case-insensitive).")] = None
    author: Annotated[
        Author | None, Field(description="Part of the author's name (case-insensitive).")
    ] = None
    year_from: Year | None = None
    year_to: Year | None = None
    sort: BookSort = BookSort.TITLE
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)

    @model_validator(mode="after")
    def _year_range_is_ordered(self) -> Self:
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise ValueError("year_from must not be after year_to")
        return self
