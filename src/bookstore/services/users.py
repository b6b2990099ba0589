"""Accounts: signing up, signing in, changing details."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bookstore.core.exceptions import ConflictError
from bookstore.core.security import PasswordHasher
from bookstore.models import Role, User, Wallet
from bookstore.schemas.user import UserCreate, Username

_USERNAME = TypeAdapter(Username)


def _ensure_free(
    session: Session, *, username: str | None, email: str | None, user_id: int | None = None
) -> None:
    if username is not None:
        taken = session.scalar(select(User.id).where(User.username == username))
        if taken is not None and taken != user_id:
            raise ConflictError(f"The username {username!r} is taken; choose another.")
    if email is not None:
        taken = session.scalar(select(User.id).where(User.email == email))
        if taken is not None and taken != user_id:
            raise ConflictError(f"An account with the e-mail address {email!r} already exists.")


def _commit_or_conflict(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError as error:
        # Someone else claimed the name or address between our check and our commit.
        session.rollback()
        raise ConflictError(
            "That username or e-mail address was just taken; try another."
        ) from error


def create_user(
    session: Session, data: UserCreate, hasher: PasswordHasher, role: Role = Role.READER
) -> User:
    """A new account with an empty wallet."""
    _ensure_free(session, username=data.username, email=data.email)
    user = User(
        username=data.username,
        email=data.email,
        full_name=data.full_name,
        hashed_password=hasher.hash(data.password),
        role=role,
    )
    session.add(user)
    session.flush()
    session.add(Wallet(user_id=user.id, balance_cents=0))
    _commit_or_conflict(session)
    return user


def authenticate(
    session: Session, username: str, password: str, hasher: PasswordHasher
) -> User | None:
    """The user with this username and password, or None (taking as long either way)."""
    try:
        candidate = _USERNAME.validate_python(username)
    except ValidationError:
        # A name that sign-up refuses cannot exist, so the database is not asked about it.
        candidate = None
    user = session.scalar(select(User).where(User.username == candidate)) if candidate else None
    if not hasher.verify(password, user.hashed_password if user else None):
        return None
    return user


def update_user(session: Session, user: User, changes: dict[str, Any]) -> User:
    _ensure_free(session, username=None, email=changes.get("email"), user_id=user.id)
    for name, value in changes.items():
        setattr(user, name, value)
    _commit_or_conflict(session)
    return user


def find_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
