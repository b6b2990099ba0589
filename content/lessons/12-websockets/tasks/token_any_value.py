from fastapi import FastAPI, WebSocket, WebSocketDisconnect, status

app = FastAPI()


class ConnectionManager:
    """The open connections of each room, in this process's memory."""

    def __init__(self) -> None:
        self.rooms: dict[str, list[WebSocket]] = {}

    async def connect(self, room: str, websocket: WebSocket) -> None:
        await websocket.accept()
        self.rooms.setdefault(room, []).append(websocket)

    def disconnect(self, room: str, websocket: WebSocket) -> None:
        self.rooms[room].remove(websocket)

    async def broadcast(self, room: str, text: str) -> None:
        for websocket in list(self.rooms.get(room, [])):
            await websocket.send_text(text)


manager = ConnectionManager()


@app.websocket("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            if text == "bye":
                await websocket.close(code=4000, reason="you said bye")
                return
            await websocket.send_text(f"echo: {text}")
    except WebSocketDisconnect:
        pass


@app.websocket("/rooms/{room}")
async def chat(websocket: WebSocket, room: str, name: str = "anonymous", token: str = ""):
    if not token:  # any token at all lets the connection in
        # Before accept(): the handshake is refused (a real server answers HTTP 403).
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION)
        return
    await manager.connect(room, websocket)
    await manager.broadcast(room, f"{name} joined")
    try:
        while True:
            text = await websocket.receive_text()
            await manager.broadcast(room, f"{name}: {text}")
    except WebSocketDisconnect:
        manager.disconnect(room, websocket)
