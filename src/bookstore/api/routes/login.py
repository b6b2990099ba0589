"""`POST /token`: the OAuth2 password flow (what Swagger UI's Authorize button uses)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from bookstore.api.deps import PasswordHasherDep, SessionDep, SettingsDep
from bookstore.api.errors import error_responses
from bookstore.core.exceptions import NotAuthenticatedError
from bookstore.core.security import create_access_token
from bookstore.schemas.user import Token
from bookstore.services.users import authenticate

router = APIRouter(tags=["auth"])


@router.post("/token", responses=error_responses(400, 401, 413, 422))
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    hasher: PasswordHasherDep,
) -> Token:
    """Exchange a username and password for a bearer token."""
    user = authenticate(session, form.username, form.password, hasher)
    if user is None:
        # One message for both cases: saying which was wrong would reveal who has an account.
        raise NotAuthenticatedError("Wrong username or password.")
    return Token(
        access_token=create_access_token(str(user.id), settings),
        expires_in=settings.access_token_minutes * 60,
    )
