"""Store credit (integer cents, never floats) and the purchases paid with it."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bookstore.db.base import Base, CreatedAt


class Wallet(Base):
    __tablename__ = "wallets"
    # The last line of defence: even a buggy query cannot store a negative balance.
    __table_args__ = (CheckConstraint("balance_cents >= 0", name="balance_not_negative"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class Purchase(CreatedAt, Base):
    __tablename__ = "purchases"
    __table_args__ = (UniqueConstraint("user_id", "book_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Kept when the book leaves the catalogue: the receipt still names what was bought.
    book_id: Mapped[int | None] = mapped_column(ForeignKey("books.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    price_cents: Mapped[int] = mapped_column(Integer)
