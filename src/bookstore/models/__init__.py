"""SQLAlchemy models; importing this package registers every table on `Base.metadata`."""

from bookstore.db.base import Base
from bookstore.models.book import Book
from bookstore.models.outbox import OutboxMessage
from bookstore.models.user import Role, User
from bookstore.models.wallet import Purchase, Wallet

__all__ = ["Base", "Book", "OutboxMessage", "Purchase", "Role", "User", "Wallet"]
