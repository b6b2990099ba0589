from websockets.exceptions import ConnectionClosed

ROOM = "/rooms/check?token=letmein&name="


def _next(ws, what: str) -> str:
    try:
        return ws.recv(timeout=3)
    except TimeoutError:
        raise AssertionError(f"{what}: nothing arrived within 3 s") from None
    except ConnectionClosed as closed:
        raise AssertionError(f"{what}: the app closed the connection ({closed})") from None


def test_the_room_still_chats(websocket_connect):
    with websocket_connect(ROOM + "ada") as ada:
        assert _next(ada, "ada joining") == "ada joined", "ada should first hear 'ada joined'"
        ada.send("hello")
        got = _next(ada, "ada's message")
        assert got == "ada: hello", f"ada sent 'hello' and heard {got!r}, not 'ada: hello'"


def test_the_others_hear_who_left(websocket_connect):
    with websocket_connect(ROOM + "ada") as ada:
        _next(ada, "ada joining")
        bob = websocket_connect(ROOM + "bob")
        _next(bob, "bob joining")
        _next(ada, "ada hearing bob join")
        bob.close()
        got = _next(ada, "after bob disconnected, ada")
        assert got == "bob left", (
            f"after bob disconnected, ada received {got!r}: in the `except "
            'WebSocketDisconnect` block, broadcast f"{name} left" to the room once bob '
            "is removed from it"
        )
