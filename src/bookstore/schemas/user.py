"""What clients send and receive for users. No schema here has a password hash field, so no
response can ever contain one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from bookstore.models.user import Role
from bookstore.schemas.partial import refuse_nulls
from bookstore.schemas.text import NoControlCharacters

Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=3,
        max_length=32,
        pattern=r"^[A-Za-z0-9_.-]+$",
    ),
    Field(description="3–32 letters, digits, '_', '.' or '-'; stored in lower case."),
]
# A shape check only: whether anyone reads the address is learnt by writing to it.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
    NoControlCharacters,
]
FullName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NoControlCharacters
]
# Long enough to resist guessing; capped so nobody can make the server hash a megabyte.
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), NoControlCharacters]


class UserBase(BaseModel):
    username: Username
    email: Email
    full_name: FullName | None = None


class UserCreate(UserBase):
    model_config = ConfigDict(extra="forbid")

    password: Password


class UserUpdate(BaseModel):
    """PATCH /users/me: only the fields that are sent change."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = None
    full_name: FullName | None = None

    @model_validator(mode="after")
    def _only_full_name_may_be_cleared(self) -> Self:
        refuse_nulls(self, nullable=frozenset({"full_name"}))
        return self


class UserPublic(UserBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    role: Role
    created_at: datetime


class Token(BaseModel):
    """The OAuth2 token response: send `Authorization: Bearer <access_token>`."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name)
    expires_in: int = Field(description="Seconds until the token expires.")
