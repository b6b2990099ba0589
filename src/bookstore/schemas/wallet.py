"""Store credit, always in integer cents."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bookstore.schemas.book import BookId


class WalletPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    balance_cents: int


class Amount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[int, Field(gt=0, le=1_000_000, description="Cents, at most 10 000.00.")]


class PurchaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    book_id: BookId


class PurchasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    book_id: int | None = Field(description="None once the book has left the catalogue.")
    title: str
    price_cents: int
    created_at: datetime
