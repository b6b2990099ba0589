"""Book-club rooms: who is connected to which club, and sending to all of them.

The rooms live in this process's memory. With several worker processes, members of one club
may be connected to different workers; sharing rooms across processes needs a broker (such as
Redis publish/subscribe) that every worker listens to.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Literal

from fastapi import WebSocket
from pydantic import BaseModel

from bookstore.schemas.club import MemberEvent

logger = logging.getLogger(__name__)


class ClubRooms:
    def __init__(self) -> None:
        self._rooms: defaultdict[str, dict[WebSocket, str]] = defaultdict(dict)

    async def join(self, club_id: str, websocket: WebSocket, name: str) -> None:
        self._rooms[club_id][websocket] = name
        await self._announce(club_id, "join", name)

    async def leave(self, club_id: str, websocket: WebSocket) -> None:
        room = self._rooms.get(club_id, {})
        name = room.pop(websocket, None)
        if not room:
            self._rooms.pop(club_id, None)
        if name is not None:
            await self._announce(club_id, "leave", name)

    async def broadcast(self, club_id: str, event: BaseModel) -> None:
        payload = event.model_dump_json()
        for websocket in list(self._rooms.get(club_id, {})):
            try:
                await websocket.send_text(payload)
            except Exception:
                # The member vanished without a goodbye (network gone, process killed). Their
                # own connection handler notices too and calls leave(); everyone else still
                # gets the message.
                logger.info("Dropped a club member whose connection was gone", exc_info=True)
                await self.leave(club_id, websocket)

    async def _announce(self, club_id: str, kind: Literal["join", "leave"], name: str) -> None:
        members = len(self._rooms.get(club_id, {}))
        await self.broadcast(club_id, MemberEvent(type=kind, user=name, members=members))
