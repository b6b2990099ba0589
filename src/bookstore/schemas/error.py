"""The one JSON shape of every 4xx and 5xx response."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FieldError(BaseModel):
    """One problem with the request, pointing at the offending part of it."""

    loc: list[str | int] = Field(examples=[["body", "year"]])
    msg: str = Field(examples=["Input should be less than or equal to 2100"])
    type: str = Field(examples=["less_than_equal"])


class ErrorBody(BaseModel):
    error: str = Field(description="Machine-readable error code.", examples=["not_found"])
    message: str = Field(description="What happened and what to try, for people.")
    request_id: str = Field(description="Quote it when reporting a problem.")
    details: list[FieldError] | None = Field(
        default=None, description="Validation errors (422 only)."
    )


class InsufficientFundsBody(ErrorBody):
    balance: int = Field(description="What the wallet holds, in cents.")
    needed: int = Field(description="What the operation needs, in cents.")
