from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()


@app.websocket("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            text = await websocket.receive_text()
            if text == "bye":
                await websocket.close(code=1000, reason="see you")
                return
            await websocket.send_text(f"echo: {text}")
    except WebSocketDisconnect as gone:
        print(f"the client left with code {gone.code}")
