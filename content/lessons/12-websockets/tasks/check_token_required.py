import secrets

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

# Names drawn for every check, so only a room that looks at the token, not at who asks, passes.
STRANGER = f"eve-{secrets.token_hex(2)}"
MEMBER = f"ada-{secrets.token_hex(2)}"
WRONG_TOKEN = f"letme{secrets.token_hex(2)}"  # close to the right one, never it


def _refused(websocket_connect, query: str, what: str) -> None:
    """The room refuses the connection: a 403 handshake, or a close with 1008 before a frame."""
    try:
        ws = websocket_connect(f"/rooms/check?{query}")
    except InvalidStatus as refused:
        status = refused.response.status_code
        assert status == 403, f"{what}: the handshake was answered {status}, not refused with 403"
        return
    with ws:
        try:
            frame = ws.recv(timeout=3)
        except ConnectionClosed:
            code = ws.close_code
            assert code == 1008, (
                f"{what} was closed with {code}: close it with "
                "code 1008 (status.WS_1008_POLICY_VIOLATION)"
            )
            return
        except TimeoutError:
            frame = None
    pytest.fail(
        f"{what} was accepted (it received {frame!r}): check the "
        "`token` query parameter and close with code 1008 before accepting"
    )


def test_a_connection_without_a_token_is_refused(websocket_connect):
    _refused(websocket_connect, f"name={STRANGER}", "a connection without a token")


def test_a_connection_with_a_wrong_token_is_refused(websocket_connect):
    _refused(
        websocket_connect,
        f"name={MEMBER}&token={WRONG_TOKEN}",
        f"a connection with the wrong token {WRONG_TOKEN!r}",
    )


def test_a_connection_with_the_token_chats(websocket_connect):
    try:
        ws = websocket_connect(f"/rooms/check?name={MEMBER}&token=letmein")
    except InvalidStatus as refused:
        raise AssertionError(
            f"with token=letmein the handshake was refused ({refused.response.status_code}): "
            "only a missing or wrong token should be refused"
        ) from None
    with ws:
        try:
            joined = ws.recv(timeout=3)
        except (TimeoutError, ConnectionClosed):
            joined = None
        assert joined == f"{MEMBER} joined", (
            f"with the token, {MEMBER} heard {joined!r}, not '{MEMBER} joined'"
        )
