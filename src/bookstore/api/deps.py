"""Dependencies, and `Annotated` aliases for them, so route signatures read like sentences:

    def read_wallet(user: CurrentUser, session: SessionDep) -> WalletPublic: ...

The resources behind them (settings, session factory, password hasher, club rooms) are created
by the app's lifespan and reach each request through `request.state`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Query, Request, WebSocket, WebSocketException, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session, sessionmaker

from bookstore.core.config import Settings
from bookstore.core.exceptions import ForbiddenError, NotAuthenticatedError
from bookstore.core.security import InvalidTokenError, PasswordHasher, read_access_token
from bookstore.models import Role, User
from bookstore.schemas.book import MAX_ID
from bookstore.services.clubs import ClubRooms
from bookstore.services.users import find_user


def get_settings(request: Request) -> Settings:
    return request.state.settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    return request.state.session_factory


def get_session(request: Request) -> Iterator[Session]:
    """One session per request. The `with` block closes it (rolling back anything not
    committed) after the response, also when the route raised."""
    with request.state.session_factory() as session:
        yield session


def get_password_hasher(request: Request) -> PasswordHasher:
    return request.state.password_hasher


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]
PasswordHasherDep = Annotated[PasswordHasher, Depends(get_password_hasher)]

# auto_error=False: a missing token is reported by get_current_user, in the error envelope.
_bearer_token = OAuth2PasswordBearer(tokenUrl="token", auto_error=False)


def user_for_token(session: Session, settings: Settings, token: str | None) -> User:
    """The user a bearer token belongs to, or NotAuthenticatedError saying what is wrong."""
    if not token:
        raise NotAuthenticatedError(
            "Sign in first: get a token from POST /token and send it as "
            "'Authorization: Bearer <token>'."
        )
    try:
        subject = read_access_token(token, settings)
    except InvalidTokenError as error:
        raise NotAuthenticatedError(f"Sign in again: {error}.") from error
    user = find_user(session, int(subject)) if subject.isdigit() else None
    if user is None:
        raise NotAuthenticatedError("Sign in again: the token's account no longer exists.")
    return user


def get_current_user(
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(_bearer_token)],
) -> User:
    return user_for_token(session, settings, token)


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_current_admin(user: CurrentUser) -> User:
    if user.role != Role.ADMIN:
        raise ForbiddenError(
            f"Only admins may do this, and {user.username!r} is a {user.role.value}."
        )
    return user


AdminUser = Annotated[User, Depends(get_current_admin)]

BookIdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="The book's id.")]


def get_club_rooms(websocket: WebSocket) -> ClubRooms:
    return websocket.state.club_rooms


ClubRoomsDep = Annotated[ClubRooms, Depends(get_club_rooms)]


def _club_member(websocket: WebSocket, token: str | None) -> User:
    with websocket.state.session_factory() as session:
        return user_for_token(session, websocket.state.settings, token)


async def get_club_member(
    websocket: WebSocket,
    token: Annotated[str | None, Query(description="An access token from POST /token.")] = None,
) -> User:
    """WebSocket sign-in: browsers cannot set headers on a WebSocket, so the token comes as a
    query parameter. An invalid one closes the handshake with 1008 (policy violation)."""
    try:
        # The database lookup is blocking, so it runs in a worker thread.
        return await run_in_threadpool(_club_member, websocket, token)
    except NotAuthenticatedError as error:
        # Close reasons must fit in 123 bytes, so this one is shorter than error.message.
        reason = "a valid access token is required: connect with ?token=<token from POST /token>"
        raise WebSocketException(status.WS_1008_POLICY_VIOLATION, reason) from error


ClubMember = Annotated[User, Depends(get_club_member)]
