"""Demo data for `deepdive lab`: a small catalogue, an admin and a reader with store credit."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bookstore.core.security import PasswordHasher
from bookstore.schemas.book import BookCreate
from bookstore.schemas.user import UserCreate
from bookstore.services import books, users, wallet

READER_USERNAME = "reader"
READER_PASSWORD = "reader-password"  # noqa: S105 (demo account)
READER_CREDIT_CENTS = 5_000

# Classics, with made-up (but checksum-valid) ISBNs.
_BOOKS = [
    ("Pride and Prejudice", "Jane Austen", 1813, "romance", "9780000000019", 899, True),
    ("Frankenstein", "Mary Shelley", 1818, "horror", "9780000000026", 799, True),
    ("Moby-Dick", "Herman Melville", 1851, "adventure", "9780000000033", 1199, False),
    ("Middlemarch", "George Eliot", 1871, "literary", "9780000000040", 1099, False),
    ("The Time Machine", "H. G. Wells", 1895, "science fiction", "9780000000057", 699, True),
    ("Dracula", "Bram Stoker", 1897, "horror", "9780000000064", 899, False),
    (
        "The Hound of the Baskervilles",
        "Arthur Conan Doyle",
        1902,
        "mystery",
        "9780000000071",
        749,
        False,
    ),
    ("The Secret Garden", "Frances Hodgson Burnett", 1911, "children", "9780000000088", 649, False),
]


def seed(session: Session, hasher: PasswordHasher) -> None:
    """Add the demo catalogue and reader to a freshly migrated database."""
    for title, author, year, genre, isbn, price, featured in _BOOKS:
        book = BookCreate(
            title=title,
            author=author,
            year=year,
            genre=genre,
            isbn=isbn,
            price_cents=price,
            featured=featured,
        )
        books.create_book(session, book.model_dump())
    reader = users.create_user(
        session,
        UserCreate(
            username=READER_USERNAME,
            email="reader@bookstore.invalid",
            full_name="Demo Reader",
            password=READER_PASSWORD,
        ),
        hasher,
    )
    wallet.deposit(session, reader.id, READER_CREDIT_CENTS)
    session.commit()
