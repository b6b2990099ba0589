# One app per worker process: each gets its own manager, all of them share one broker.
import asyncio
from collections.abc import AsyncIterator
from typing import Protocol

from fastapi import FastAPI, WebSocket, WebSocketDisconnect


class Broker(Protocol):
    async def publish(self, channel: str, text: str) -> None: ...
    def subscribe(self, channel: str) -> AsyncIterator[str]: ...


class LocalBroker:
    """Fan-out inside one process. In production, Redis pub/sub plays this part."""

    def __init__(self) -> None:
        self.queues: dict[str, list[asyncio.Queue[str]]] = {}

    async def publish(self, channel: str, text: str) -> None:
        for queue in self.queues.get(channel, []):
            queue.put_nowait(text)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.queues.setdefault(channel, []).append(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self.queues[channel].remove(queue)


def create_app(broker: Broker) -> FastAPI:
    app = FastAPI()

    @app.websocket("/rooms/{room}")
    async def chat(websocket: WebSocket, room: str, name: str = "anonymous"):
        await websocket.accept()

        async def forward() -> None:  # whatever any worker published, to this client
            async for text in broker.subscribe(room):
                await websocket.send_text(text)

        forwarding = asyncio.create_task(forward())
        await asyncio.sleep(0)  # let the subscription start before anything is published
        try:
            while True:
                text = await websocket.receive_text()
                await broker.publish(room, f"{name}: {text}")
        except WebSocketDisconnect:
            await broker.publish(room, f"{name} left")
        finally:
            forwarding.cancel()

    return app
