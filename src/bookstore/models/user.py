"""An account: who may sign in, and with which role."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from bookstore.db.base import Base, CreatedAt


class Role(StrEnum):
    READER = "reader"
    ADMIN = "admin"


class User(CreatedAt, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(100))
    # The only copy of the password: an argon2id hash. No response schema has this field.
    hashed_password: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=16,
            values_callable=lambda roles: [r.value for r in roles],
        ),
        default=Role.READER,
    )
