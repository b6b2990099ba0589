"""The catalogue: anyone may read it; only admins change it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from bookstore.api.deps import AdminUser, BookIdPath, SessionDep, SettingsDep
from bookstore.api.errors import error_responses
from bookstore.models import Book
from bookstore.schemas.book import BookCreate, BookPublic, BookQuery, BooksPublic, BookUpdate
from bookstore.services import books, covers

router = APIRouter(prefix="/books", tags=["books"])

_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422)


def book_public(book: Book, request: Request) -> BookPublic:
    """The response shape of a book, with an absolute URL for its cover."""
    public = BookPublic.model_validate(book)
    if book.cover_file:
        public.cover_url = str(request.url_for("read_cover", book_id=book.id))
    return public


@router.get("", responses=error_responses(422))
def list_books(
    query: Annotated[BookQuery, Query()], session: SessionDep, request: Request
) -> BooksPublic:
    """Search, filter, sort and page through the catalogue."""
    page, total = books.list_books(session, query)
    return BooksPublic(
        items=[book_public(book, request) for book in page],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


# Declared before /books/{book_id}: routes are tried in order, and although "featured" is not
# an int, a path parameter declared first would claim the URL and answer 422.
@router.get("/featured")
def list_featured_books(session: SessionDep, request: Request) -> list[BookPublic]:
    """Books the staff recommend (at most ten)."""
    return [book_public(book, request) for book in books.featured_books(session)]


@router.get("/{book_id}", responses=error_responses(404, 422))
def read_book(book_id: BookIdPath, session: SessionDep, request: Request) -> BookPublic:
    return book_public(books.get_book(session, book_id), request)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_WRITE_ERRORS)
def create_book(
    data: BookCreate, _admin: AdminUser, session: SessionDep, request: Request
) -> BookPublic:
    return book_public(books.create_book(session, data.model_dump()), request)


@router.put("/{book_id}", responses=_WRITE_ERRORS)
def replace_book(
    book_id: BookIdPath, data: BookCreate, _admin: AdminUser, session: SessionDep, request: Request
) -> BookPublic:
    """Replace every field of a book (fields left out take their defaults)."""
    book = books.get_book(session, book_id)
    return book_public(books.update_book(session, book, data.model_dump()), request)


@router.patch("/{book_id}", responses=_WRITE_ERRORS)
def update_book(
    book_id: BookIdPath, data: BookUpdate, _admin: AdminUser, session: SessionDep, request: Request
) -> BookPublic:
    """Change only the fields that are sent."""
    book = books.get_book(session, book_id)
    changes = data.model_dump(exclude_unset=True)
    return book_public(books.update_book(session, book, changes), request)


@router.delete(
    "/{book_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422),
)
def delete_book(
    book_id: BookIdPath, _admin: AdminUser, session: SessionDep, settings: SettingsDep
) -> None:
    book = books.get_book(session, book_id)
    cover = book.cover_file
    books.delete_book(session, book)
    covers.remove_cover(settings.covers_dir, cover)
