"""The outbox: where the service puts messages it would e-mail."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bookstore.models import OutboxMessage, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    recipient: str
    subject: str
    body: str


def welcome_message(user: User) -> Message:
    name = user.full_name or user.username
    return Message(
        recipient=user.email,
        subject="Welcome to the Bookstore",
        body=(
            f"Hello {name},\n\nyour account {user.username!r} is ready. Top up your wallet "
            "with POST /wallet/deposit and buy your first book with POST /wallet/purchases.\n"
        ),
    )


def deliver(session_factory: sessionmaker[Session], message: Message) -> None:
    """Write `message` to the outbox. Runs as a background task, after the response is sent.

    It opens its own session: the request's session is closed by then. A failure cannot reach
    the client any more, so it is logged with the whole message, which can be re-sent from the
    log; it is never dropped silently.
    """
    try:
        with session_factory() as session:
            session.add(OutboxMessage(**asdict(message)))
            session.commit()
    except Exception:
        logger.exception(
            "Could not write a message to the outbox; it is kept in this log line",
            extra={"outbox_message": asdict(message)},
        )


def list_messages(session: Session, limit: int, offset: int) -> list[OutboxMessage]:
    newest_first = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    return list(session.scalars(newest_first.limit(limit).offset(offset)))
