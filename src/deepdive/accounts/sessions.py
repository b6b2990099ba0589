"""Who is logged in: a signed session cookie, checked against the account on every request.

Why a signed cookie (Starlette's `SessionMiddleware`) and not sessions kept in Redis: the cookie
holds only the account id, the account's session epoch at login and a random session id, signed
(itsdangerous, HMAC) with a key derived from the shared `DEEPDIVE_SECRET_KEY`. Every web worker
can check it without asking anyone, and pages keep working while Redis is away (Redis carries
rate limits and runs, not logins). What a server-side store would add, ending a session for
real, comes from the epoch: each request reads the account's row (by primary key; it is needed
for its role anyway) and refuses a cookie whose epoch is no longer the account's. Logging out,
"log out everywhere" and a password reset all raise the epoch, so a copied or replayed cookie
stops working at once on every worker. The price: logging out ends the account's sessions on
every device, not only this browser's.

The cookie is `Secure` (hosted mode is served over HTTPS), `HttpOnly` and `SameSite=Lax`, and
lasts 14 days from login. An expired, tampered or foreign cookie (signed with another key) reads
as no session at all: the person is logged out, never shown an error.
"""

from __future__ import annotations

import hashlib
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.concurrency import run_in_threadpool
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import update
from starlette.requests import HTTPConnection

from deepdive.accounts.service import Role
from deepdive.db.models import Learner, utcnow
from deepdive.settings import Settings

SESSION_COOKIE = "deepdive_session"
SESSION_MAX_AGE = 14 * 24 * 3600
# `last_active_at` is written at most this often per account (instructors read it in minutes).
ACTIVE_EVERY = timedelta(minutes=1)


def session_middleware_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for Starlette's SessionMiddleware in hosted mode."""
    key = hashlib.sha256(b"deepdive-session:" + settings.secret.encode()).hexdigest()
    return {
        "secret_key": key,
        "session_cookie": SESSION_COOKIE,
        "max_age": SESSION_MAX_AGE,
        "same_site": "lax",
        "https_only": True,
    }


@dataclass(frozen=True)
class Account:
    """The logged-in account, as the request found it."""

    id: int
    username: str
    display_name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.ADMIN, Role.INSTRUCTOR)


class LoginRequiredError(Exception):
    """No valid session: `ended` when the browser had one that no longer counts (logged out
    elsewhere, password reset, expired, or a cookie this server did not sign)."""

    def __init__(self, *, ended: bool) -> None:
        self.ended = ended
        super().__init__(
            "Your session has ended. Log in again."
            if ended
            else "Log in to follow the course with your account."
        )


# The account this request found (each request runs in its own task, so its own context): the
# page header reads it, since page templates render without the request.
_UNKNOWN = object()
_found: ContextVar[object] = ContextVar("deepdive_account", default=_UNKNOWN)


def _note(connection: HTTPConnection, account: Account | None) -> None:
    connection.state.account = account
    _found.set(account)


@pass_context
def header_account(context: Context) -> Account | None:
    """For the page header: the account this request found; on pages that did not look it up,
    what the signed session cookie says (a name to show, nothing more is trusted from it)."""
    found = _found.get()
    if found is not _UNKNOWN:
        return found  # type: ignore[return-value]
    request = context.get("request")
    session = request.scope.get("session") if request is not None else None
    if not session or not isinstance(session.get("name"), str):
        return None
    return Account(id=0, username="", display_name=session["name"], role=str(session.get("role")))


def start_session(connection: HTTPConnection, user: Learner) -> None:
    """Log `user` in on this browser: a brand-new session (nothing of the old one is kept, so a
    session id planted before login is worth nothing)."""
    session = connection.session
    session.clear()
    account = _account(user)
    session.update(
        {
            "uid": user.id,
            "epoch": user.session_epoch,
            "sid": secrets.token_urlsafe(16),
            # Only for the page header of pages that do not look the account up.
            "name": account.display_name,
            "role": account.role,
        }
    )
    _note(connection, account)


def end_session(connection: HTTPConnection) -> None:
    connection.session.clear()
    _note(connection, None)


def _account(user: Learner) -> Account:
    return Account(
        id=user.id,
        username=user.username or "",
        display_name=user.display_name or user.username or "",
        role=user.role,
    )


def _load(state: Any, learner_id: int, epoch: int) -> Account | None:
    """The account if the session still counts; notes that it was active (once a minute)."""
    with state.session_factory() as db:
        user = db.get(Learner, learner_id)
        if user is None or user.password_hash is None or user.session_epoch != epoch:
            return None
        now = utcnow()
        if user.last_active_at is None or now - user.last_active_at >= ACTIVE_EVERY:
            db.execute(
                update(Learner)
                .where(Learner.id == learner_id)
                .where(
                    (Learner.last_active_at.is_(None))
                    | (Learner.last_active_at <= now - ACTIVE_EVERY)
                )
                .values(last_active_at=now)
            )
            db.commit()
        return _account(user)


def _session_ids(connection: HTTPConnection) -> tuple[int, int] | None:
    session = connection.scope.get("session") or {}
    learner_id, epoch = session.get("uid"), session.get("epoch")
    if type(learner_id) is not int or type(epoch) is not int:
        return None
    return learner_id, epoch


async def optional_account(connection: HTTPConnection) -> Account | None:
    """The logged-in account, or None. Looked up once per request or WebSocket."""
    known = getattr(connection.state, "account", False)
    if known is not False:
        return known
    ids = _session_ids(connection)
    account = None
    if ids is not None:
        account = await run_in_threadpool(_load, connection.app.state, *ids)
        if account is None:  # the epoch moved or the account is gone: forget the cookie
            connection.session.clear()
    _note(connection, account)
    return account


async def current_account(connection: HTTPConnection) -> Account:
    """The logged-in account; raises LoginRequiredError without a valid session."""
    account = await optional_account(connection)
    if account is None:
        had_cookie = SESSION_COOKIE in connection.cookies
        raise LoginRequiredError(ended=had_cookie)
    return account
