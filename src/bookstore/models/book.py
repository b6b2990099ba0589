"""A book in the catalogue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bookstore.db.base import Base, CreatedAt, utc_now


class Book(CreatedAt, Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    author: Mapped[str] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    genre: Mapped[str | None] = mapped_column(String(50), index=True)
    # Normalised to 13 digits, so the ISBN-10 and ISBN-13 forms of one book collide.
    isbn: Mapped[str] = mapped_column(String(13), unique=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    featured: Mapped[bool] = mapped_column(default=False)
    # File name inside the covers directory (generated, never the uploader's name).
    cover_file: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)
