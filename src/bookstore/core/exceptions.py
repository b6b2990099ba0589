"""What can go wrong in the Bookstore, in its own terms; `api/errors.py` turns these into HTTP."""

from __future__ import annotations


class BookstoreError(Exception):
    """Base class: `code` is the machine-readable `error` of the JSON error envelope."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(BookstoreError):
    status_code = 404
    code = "not_found"


class ConflictError(BookstoreError):
    status_code = 409
    code = "conflict"


class NotAuthenticatedError(BookstoreError):
    status_code = 401
    code = "not_authenticated"


class ForbiddenError(BookstoreError):
    status_code = 403
    code = "forbidden"


class ContentTooLargeError(BookstoreError):
    status_code = 413
    code = "content_too_large"


class UnsupportedMediaTypeError(BookstoreError):
    status_code = 415
    code = "unsupported_media_type"


class ServiceUnavailableError(BookstoreError):
    status_code = 503
    code = "not_ready"


class InsufficientFundsError(BookstoreError):
    """A withdrawal or purchase needs more than the wallet holds; nothing was taken."""

    status_code = 402
    code = "insufficient_funds"

    def __init__(self, *, balance: int, needed: int) -> None:
        super().__init__(
            f"This needs {needed} cents but the wallet holds {balance}. "
            "Deposit more with POST /wallet/deposit."
        )
        self.balance = balance
        self.needed = needed
