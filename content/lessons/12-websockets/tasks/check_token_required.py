import secrets

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

# Names drawn for every check, so only a room that looks at the token, not at who asks, passes.
STRANGER = f"eve-{secrets.token_hex(2)}"
MEMBER = f"ada-{secrets.token_hex(2)}"


def test_a_connection_without_a_token_is_refused(websocket_connect):
    try:
        ws = websocket_connect(f"/rooms/check?name={STRANGER}")
    except InvalidStatus as refused:
        status = refused.response.status_code
        assert status == 403, f"the handshake was answered {status}, not refused with 403"
        return
    with ws:
        try:
            frame = ws.recv(timeout=3)
        except ConnectionClosed:
            code = ws.close_code
            assert code == 1008, (
                f"the connection without a token was closed with {code}: close it with "
                "code 1008 (status.WS_1008_POLICY_VIOLATION)"
            )
            return
        except TimeoutError:
            frame = None
    pytest.fail(
        f"a connection without a token was accepted (it received {frame!r}): check the "
        "`token` query parameter and close with code 1008 before accepting"
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
