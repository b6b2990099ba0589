"""Signing up and managing your own account."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, status

from bookstore.api.deps import CurrentUser, PasswordHasherDep, SessionDep, SessionFactoryDep
from bookstore.api.errors import error_responses
from bookstore.schemas.user import UserCreate, UserPublic, UserUpdate
from bookstore.services import outbox, users

router = APIRouter(prefix="/users", tags=["users"])


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409, 413, 422))
def sign_up(
    data: UserCreate,
    session: SessionDep,
    hasher: PasswordHasherDep,
    session_factory: SessionFactoryDep,
    background: BackgroundTasks,
) -> UserPublic:
    """Create a reader account with an empty wallet; a welcome message follows in the outbox."""
    user = users.create_user(session, data, hasher)
    background.add_task(outbox.deliver, session_factory, outbox.welcome_message(user))
    return UserPublic.model_validate(user)


@router.get("/me", responses=error_responses(401))
def read_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.patch("/me", responses=error_responses(400, 401, 409, 413, 422))
def update_me(changes: UserUpdate, user: CurrentUser, session: SessionDep) -> UserPublic:
    """Change your e-mail address or full name; fields you leave out stay as they are."""
    updated = users.update_user(session, user, changes.model_dump(exclude_unset=True))
    return UserPublic.model_validate(updated)
