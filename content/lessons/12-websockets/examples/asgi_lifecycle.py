# The same echo without FastAPI: the ASGI messages a WebSocket connection is made of.
async def app(scope, receive, send):
    assert scope["type"] == "websocket"
    event = await receive()
    assert event["type"] == "websocket.connect"  # the handshake has arrived
    await send({"type": "websocket.accept"})  # the server answers 101 Switching Protocols
    while True:
        event = await receive()
        if event["type"] == "websocket.disconnect":
            return  # the client closed (event["code"] says how), or the connection dropped
        reply = f"echo: {event.get('text')}"
        await send({"type": "websocket.send", "text": reply})
