"""Book-club chat over WebSocket: `/ws/clubs/{club_id}?token=<access token>`.

Send text frames; every member of the club (the sender too) receives
`{"type": "message", "user": ..., "text": ...}`, plus `join` and `leave` events with the
member count. A refused frame gets `{"type": "error", ...}` back and the connection stays open.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, WebSocket
from pydantic import StringConstraints, TypeAdapter, ValidationError

from bookstore.api.deps import ClubMember, ClubRoomsDep
from bookstore.schemas.club import ChatError, ChatMessage
from bookstore.schemas.text import NoControlCharacters

router = APIRouter()

ClubId = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$", description="The club's slug.")]
_MESSAGE_TEXT = TypeAdapter(
    Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
        NoControlCharacters,
    ]
)


@router.websocket("/ws/clubs/{club_id}")
async def club_chat(
    websocket: WebSocket, club_id: ClubId, member: ClubMember, rooms: ClubRoomsDep
) -> None:
    await websocket.accept()
    name = member.full_name or member.username
    await rooms.join(club_id, websocket, name)
    try:
        while True:
            frame = await websocket.receive()
            if frame["type"] == "websocket.disconnect":
                break
            try:
                text = _MESSAGE_TEXT.validate_python(frame.get("text"))
            except ValidationError:
                refusal = "Send a text frame of 1 to 1000 characters, without control characters."
                await websocket.send_text(ChatError(message=refusal).model_dump_json())
                continue
            await rooms.broadcast(club_id, ChatMessage(user=name, text=text))
    finally:
        # Also reached when the connection dropped abruptly (sending or receiving raised).
        await rooms.leave(club_id, websocket)
