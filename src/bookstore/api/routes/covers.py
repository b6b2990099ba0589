"""Cover images of books: admins upload them, anyone may fetch them."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import FileResponse

from bookstore.api.deps import AdminUser, BookIdPath, SessionDep, SettingsDep
from bookstore.api.errors import error_responses
from bookstore.api.routes.books import book_public
from bookstore.core.exceptions import NotFoundError
from bookstore.schemas.book import BookPublic
from bookstore.services import books, covers

router = APIRouter(prefix="/books", tags=["covers"])

_IMAGE_RESPONSE = {
    200: {
        "description": "The cover image.",
        "content": {media_type: {} for media_type in covers.MEDIA_TYPES.values()},
    }
}


@router.put("/{book_id}/cover", responses=error_responses(400, 401, 403, 404, 413, 415, 422))
def upload_cover(
    book_id: BookIdPath,
    file: UploadFile,
    _admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
) -> BookPublic:
    """Set the cover: a JPEG or PNG image of at most 2 MiB (multipart field `file`)."""
    book = books.get_book(session, book_id)
    data, extension = covers.read_cover(file.file)
    new_name = covers.save_cover(settings.covers_dir, data, extension)
    old_name = book.cover_file
    try:
        book = books.update_book(session, book, {"cover_file": new_name})
    except Exception:
        covers.remove_cover(settings.covers_dir, new_name)
        raise
    covers.remove_cover(settings.covers_dir, old_name)
    return book_public(book, request)


@router.get(
    "/{book_id}/cover",
    response_class=FileResponse,
    responses={**_IMAGE_RESPONSE, **error_responses(404, 422)},
)
def read_cover(book_id: BookIdPath, session: SessionDep, settings: SettingsDep) -> FileResponse:
    book = books.get_book(session, book_id)
    if book.cover_file is None:
        raise NotFoundError(f"Book {book_id} has no cover yet.")
    extension = book.cover_file[book.cover_file.rfind(".") :]
    return FileResponse(
        settings.covers_dir / book.cover_file, media_type=covers.MEDIA_TYPES[extension]
    )
