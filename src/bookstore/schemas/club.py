"""Events sent to book-club members over the WebSocket, as JSON text frames."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class MemberEvent(BaseModel):
    """Someone joined or left; `members` is how many are in the room now."""

    type: Literal["join", "leave"]
    user: str
    members: int


class ChatMessage(BaseModel):
    type: Literal["message"] = "message"
    user: str
    text: str


class ChatError(BaseModel):
    """Sent only to the member whose frame was refused; the connection stays open."""

    type: Literal["error"] = "error"
    message: str
