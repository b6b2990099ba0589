import secrets

from websockets.exceptions import ConnectionClosed

ROOM = "/rooms/check?token=letmein&name="
# Names and a message drawn for every check, so only a room that uses the names it is given
# passes.
ADA = f"ada-{secrets.token_hex(2)}"
BOB = f"bob-{secrets.token_hex(2)}"
HELLO = f"hello {secrets.token_hex(2)}"


def _next(ws, what: str) -> str:
    try:
        return ws.recv(timeout=3)
    except TimeoutError:
        raise AssertionError(f"{what}: nothing arrived within 3 s") from None
    except ConnectionClosed as closed:
        raise AssertionError(f"{what}: the app closed the connection ({closed})") from None


def test_the_room_still_chats(websocket_connect):
    with websocket_connect(ROOM + ADA) as ada:
        joined = _next(ada, f"{ADA} joining")
        assert joined == f"{ADA} joined", f"{ADA} should first hear '{ADA} joined', not {joined!r}"
        ada.send(HELLO)
        got = _next(ada, f"{ADA}'s message")
        assert got == f"{ADA}: {HELLO}", (
            f"{ADA} sent {HELLO!r} and heard {got!r}, not '{ADA}: {HELLO}'"
        )


def test_the_others_hear_who_left(websocket_connect):
    with websocket_connect(ROOM + ADA) as ada:
        _next(ada, f"{ADA} joining")
        bob = websocket_connect(ROOM + BOB)
        _next(bob, f"{BOB} joining")
        _next(ada, f"{ADA} hearing {BOB} join")
        bob.close()
        got = _next(ada, f"after {BOB} disconnected, {ADA}")
        assert got == f"{BOB} left", (
            f"after {BOB} disconnected, {ADA} received {got!r}: in the `except "
            'WebSocketDisconnect` block, broadcast f"{name} left" to the room once '
            f"{BOB} is removed from it"
        )
