"""What only admins may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bookstore.api.deps import AdminUser, SessionDep
from bookstore.api.errors import error_responses
from bookstore.schemas.outbox import OutboxMessagePublic
from bookstore.services import outbox

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/outbox", responses=error_responses(401, 403, 422))
def read_outbox(
    _admin: AdminUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[OutboxMessagePublic]:
    """Messages the service would have e-mailed, newest first."""
    messages = outbox.list_messages(session, limit, offset)
    return [OutboxMessagePublic.model_validate(message) for message in messages]
