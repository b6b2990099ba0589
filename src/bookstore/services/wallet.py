"""Store credit. Every change is one conditional UPDATE, so concurrent requests cannot
overdraw a wallet: the database checks and changes the balance in a single step."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bookstore.core.exceptions import ConflictError, InsufficientFundsError
from bookstore.models import Book, Purchase, User, Wallet


def balance(session: Session, user_id: int) -> int:
    return session.scalars(select(Wallet.balance_cents).where(Wallet.user_id == user_id)).one()


def deposit(session: Session, user_id: int, amount: int) -> int:
    """Add `amount` cents (in the session's transaction) and return the new balance."""
    return session.execute(
        update(Wallet)
        .where(Wallet.user_id == user_id)
        .values(balance_cents=Wallet.balance_cents + amount)
        .returning(Wallet.balance_cents)
    ).scalar_one()


def withdraw(session: Session, user_id: int, amount: int) -> int:
    """Take `amount` cents (in the session's transaction) and return the new balance.

    Raises InsufficientFundsError, taking nothing, when the wallet holds less.
    """
    # Check and debit in one statement. Reading the balance first and writing it back later
    # would let two requests both see enough money and both spend it.
    new_balance = session.execute(
        update(Wallet)
        .where(Wallet.user_id == user_id, Wallet.balance_cents >= amount)
        .values(balance_cents=Wallet.balance_cents - amount)
        .returning(Wallet.balance_cents)
    ).scalar_one_or_none()
    if new_balance is None:
        raise InsufficientFundsError(balance=balance(session, user_id), needed=amount)
    return new_balance


def buy(session: Session, user: User, book: Book) -> Purchase:
    """Pay for `book` from the user's wallet and record the purchase (all or nothing)."""
    owned = select(Purchase.id).where(Purchase.user_id == user.id, Purchase.book_id == book.id)
    if session.scalar(owned) is not None:
        raise ConflictError(f"You already own book {book.id}; GET /wallet/purchases lists them.")
    withdraw(session, user.id, book.price_cents)
    purchase = Purchase(
        user_id=user.id, book_id=book.id, title=book.title, price_cents=book.price_cents
    )
    session.add(purchase)
    try:
        session.commit()
    except IntegrityError as error:
        # A simultaneous request bought it first; the rollback returns the money.
        session.rollback()
        raise ConflictError(f"You already own book {book.id}.") from error
    return purchase


def purchases(session: Session, user_id: int) -> list[Purchase]:
    mine = select(Purchase).where(Purchase.user_id == user_id).order_by(Purchase.id)
    return list(session.scalars(mine))
