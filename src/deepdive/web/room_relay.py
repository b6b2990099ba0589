"""Rooms across web workers (hosted mode): a learner's tabs may be served by different workers.

The worker whose tab opened the room holds its sandbox session (see routes/sessions.py). It
announces the room in Redis (`deepdive:room:<learner>:<widget>:<room>`, refreshed while it lives,
holding a digest of the code), publishes every event it sends its own tabs on `<key>:out`, and
listens on `<key>:in` for what tabs on other workers send: `join`, `command` (a checked session
command) and `leave` (with the connections that tab opened). A tab on another worker that finds
the room announced with the same code joins it through those two channels: it hears what the
opener's tabs hear and its commands reach the same app.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

from deepdive.sandbox import SessionCommand

_PREFIX = "deepdive:room"
_ANNOUNCE_SECONDS = 30  # the announcement outlives a dead opener by at most this long
ROOM_GONE = "The room's session ended: its sandbox runner went away. Start it again."


# A room's tabs at most, on every worker together: enough for a conversation, not a way around
# the per-learner run limit.
MAX_ROOM_MEMBERS = 4


def room_key(learner_id: int, widget: str, room: str) -> str:
    return f"{_PREFIX}:{learner_id}:{widget}:{room}"


def room_full(key: str) -> str:
    """The refusal for one tab too many (`key` as `room_key` makes it, or the room's name)."""
    name = key.rsplit(":", 1)[-1]
    return (
        f"Room {name!r} already has {MAX_ROOM_MEMBERS} tabs: close one, "
        "or choose another room name."
    )


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _client(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, socket_connect_timeout=1)


class RoomHost:
    """The opener's side: announce the room, publish its events, hear the other workers' tabs."""

    def __init__(self, url: str, key: str, code: str) -> None:
        self.redis = _client(url)
        self.key = key
        self.code = code
        self.tasks: list[asyncio.Task[None]] = []
        self.finished = False  # the result went out

    async def start(
        self,
        on_join: Callable[[str], Awaitable[int | None]],
        on_command: Callable[[str, SessionCommand], Awaitable[None]],
        on_leave: Callable[[str, set[str]], Awaitable[None]],
    ) -> None:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(f"{self.key}:in")
        await self.redis.set(self.key, code_digest(self.code), ex=_ANNOUNCE_SECONDS)
        self.tasks = [
            asyncio.ensure_future(self._listen(pubsub, on_join, on_command, on_leave)),
            asyncio.ensure_future(self._keep_announced()),
        ]

    async def _keep_announced(self) -> None:
        while True:
            await asyncio.sleep(_ANNOUNCE_SECONDS / 3)
            await self.redis.set(self.key, code_digest(self.code), ex=_ANNOUNCE_SECONDS)

    async def _listen(self, pubsub: Any, on_join: Any, on_command: Any, on_leave: Any) -> None:
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            data = json.loads(message["data"])
            member = str(data.get("member", ""))
            if data.get("op") == "join":
                # The opener counts every tab, its own and other workers': a full room refuses.
                members = await on_join(member)
                if members is None:
                    refused = {"event": "error", "message": room_full(self.key), "to": member}
                    await self.publish(refused)
                else:
                    await self.publish({"event": "joined", "members": members, "to": member})
            elif data.get("op") == "command":
                await on_command(member, SessionCommand.model_validate(data["command"]))
            elif data.get("op") == "leave":
                await on_leave(member, set(data.get("opened", [])))

    async def publish(self, event: dict[str, Any]) -> None:
        self.finished = self.finished or event.get("event") == "result"
        with contextlib.suppress(aioredis.RedisError):
            await self.redis.publish(f"{self.key}:out", json.dumps(event))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if not self.finished:  # the opener lost its runner: the other workers' tabs are told
            await self.publish({"event": "error", "message": ROOM_GONE})
        with contextlib.suppress(aioredis.RedisError):
            if await self.redis.get(self.key) == code_digest(self.code).encode():
                await self.redis.delete(self.key)
        await self.redis.aclose()


class RemoteRoom:
    """A tab on this worker in a room held by another worker: what `_inbound` needs of a room
    (`session.send`, `leave`, `ended`, `closed`), carried over Redis."""

    def __init__(self, redis: aioredis.Redis, key: str) -> None:
        self.redis = redis
        self.key = key
        self.member = secrets.token_hex(6)
        self.ended = False
        self.closed: set[str] = set()
        self.session = self  # `session.send(command)` publishes the command

    async def send(self, command: SessionCommand) -> None:
        await self._publish({"op": "command", "command": command.model_dump(mode="json")})

    async def leave(self, _websocket: object, opened: set[str], *, gone: bool) -> None:
        await self._publish({"op": "leave", "opened": sorted(opened), "gone": gone})

    async def _publish(self, data: dict[str, Any]) -> None:
        with contextlib.suppress(aioredis.RedisError):
            await self.redis.publish(f"{self.key}:in", json.dumps({**data, "member": self.member}))


async def find_room(url: str, key: str, code: str) -> aioredis.Redis | None:
    """A Redis client when another worker holds the room `key` with this very code."""
    client = _client(url)
    try:
        if await client.get(key) == code_digest(code).encode():
            return client
    except aioredis.RedisError:
        pass
    await client.aclose()
    return None


async def follow_room(
    client: aioredis.Redis,
    room: RemoteRoom,
    deliver: Callable[[dict[str, Any]], Awaitable[None]],
    joined: asyncio.Event,
) -> None:
    """Hand the room's events to `deliver` until its result (joining once subscribed)."""
    pubsub = client.pubsub()
    await pubsub.subscribe(f"{room.key}:out")
    await room._publish({"op": "join"})
    async for message in pubsub.listen():
        if message["type"] != "message":
            continue
        event = json.loads(message["data"])
        target = event.pop("to", None)
        if target is not None and target != room.member:
            continue
        if event.get("event") == "joined":
            joined.set()
        elif event.get("event") == "error" and target == room.member:  # refused: the room is full
            room.ended = True
            await deliver(event)
            return
        data = event.get("data") or {}
        if data.get("kind") == "closed":
            room.closed.add(str(data.get("connection")))
        await deliver(event)
        if event.get("event") in ("result", "error"):
            room.ended = True
            return
