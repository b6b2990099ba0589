"""Reading and changing the catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bookstore.core.exceptions import ConflictError, NotFoundError
from bookstore.models import Book
from bookstore.schemas.book import BookQuery, BookSort

FEATURED_LIMIT = 10

_ORDER = {
    BookSort.TITLE: Book.title.asc(),
    BookSort.TITLE_DESC: Book.title.desc(),
    BookSort.AUTHOR: Book.author.asc(),
    BookSort.AUTHOR_DESC: Book.author.desc(),
    BookSort.YEAR: Book.year.asc(),
    BookSort.YEAR_DESC: Book.year.desc(),
    BookSort.PRICE: Book.price_cents.asc(),
    BookSort.PRICE_DESC: Book.price_cents.desc(),
}


def get_book(session: Session, book_id: int) -> Book:
    book = session.get(Book, book_id)
    if book is None:
        raise NotFoundError(f"Book {book_id} does not exist; GET /books lists the catalogue.")
    return book


def _conditions(query: BookQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.q:
        conditions.append(
            Book.title.icontains(query.q, autoescape=True)
            | Book.author.icontains(query.q, autoescape=True)
        )
    if query.genre:
        conditions.append(func.lower(Book.genre) == query.genre.lower())
    if query.author:
        conditions.append(Book.author.icontains(query.author, autoescape=True))
    if query.year_from is not None:
        conditions.append(Book.year >= query.year_from)
    if query.year_to is not None:
        conditions.append(Book.year <= query.year_to)
    return conditions


def list_books(session: Session, query: BookQuery) -> tuple[list[Book], int]:
    """One page of the books matching `query`, and how many match in all."""
    conditions = _conditions(query)
    total = session.scalar(select(func.count(Book.id)).where(*conditions)) or 0
    page = session.scalars(
        select(Book)
        .where(*conditions)
        # The id breaks ties, so pages never overlap or skip a book.
        .order_by(_ORDER[query.sort], Book.id)
        .limit(query.limit)
        .offset(query.offset)
    )
    return list(page), total


def featured_books(session: Session) -> list[Book]:
    featured = select(Book).where(Book.featured).order_by(Book.title, Book.id)
    return list(session.scalars(featured.limit(FEATURED_LIMIT)))


def _ensure_isbn_is_free(session: Session, isbn: str, book_id: int | None = None) -> None:
    existing = session.scalar(select(Book.id).where(Book.isbn == isbn))
    if existing is not None and existing != book_id:
        raise ConflictError(f"Book {existing} already has ISBN {isbn}.")


def _commit_or_conflict(session: Session, isbn: str) -> None:
    try:
        session.commit()
    except IntegrityError as error:
        # Another request took the ISBN between our check and our commit.
        session.rollback()
        raise ConflictError(f"Another book already has ISBN {isbn}.") from error


def create_book(session: Session, fields: dict[str, Any]) -> Book:
    _ensure_isbn_is_free(session, fields["isbn"])
    book = Book(**fields)
    session.add(book)
    _commit_or_conflict(session, fields["isbn"])
    return book


def update_book(session: Session, book: Book, changes: dict[str, Any]) -> Book:
    if "isbn" in changes:
        _ensure_isbn_is_free(session, changes["isbn"], book.id)
    for name, value in changes.items():
        setattr(book, name, value)
    _commit_or_conflict(session, book.isbn)
    return book


def delete_book(session: Session, book: Book) -> None:
    session.delete(book)
    session.commit()
