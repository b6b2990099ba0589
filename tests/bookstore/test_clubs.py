"""Book-club chat over WebSocket."""

from __future__ import annotations

import socket

import pytest
from starlette.websockets import WebSocketDisconnect
from tests.bookstore.conftest import sign_up
from websockets.sync.client import connect


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


@pytest.fixture
def alice(client):
    return _token(sign_up(client, "alice", full_name="Alice"))


@pytest.fixture
def bob(client):
    return _token(sign_up(client, "bob"))


def test_messages_are_broadcast_to_everyone_in_the_club_with_the_senders_name(client, alice, bob):
    with client.websocket_connect(f"/ws/clubs/dune-readers?token={alice}") as alice_ws:
        assert alice_ws.receive_json() == {"type": "join", "user": "Alice", "members": 1}
        with client.websocket_connect(f"/ws/clubs/dune-readers?token={bob}") as bob_ws:
            assert bob_ws.receive_json() == {"type": "join", "user": "bob", "members": 2}
            assert alice_ws.receive_json() == {"type": "join", "user": "bob", "members": 2}

            alice_ws.send_text("  Spice must flow  ")

            expected = {"type": "message", "user": "Alice", "text": "Spice must flow"}
            assert bob_ws.receive_json() == expected
            assert alice_ws.receive_json() == expected

        assert alice_ws.receive_json() == {"type": "leave", "user": "bob", "members": 1}


def test_clubs_are_separate_rooms(client, alice, bob):
    with (
        client.websocket_connect(f"/ws/clubs/one?token={alice}") as alice_ws,
        client.websocket_connect(f"/ws/clubs/two?token={bob}") as bob_ws,
    ):
        alice_ws.receive_json()
        bob_ws.receive_json()

        bob_ws.send_text("anyone?")

        assert bob_ws.receive_json()["text"] == "anyone?"
        alice_ws.send_text("ping")
        assert alice_ws.receive_json() == {"type": "message", "user": "Alice", "text": "ping"}


@pytest.mark.parametrize("frame", ["", "x" * 1001, "bell\x07"])
def test_refused_frames_get_an_error_and_the_connection_stays_open(client, alice, frame):
    with client.websocket_connect(f"/ws/clubs/club?token={alice}") as ws:
        ws.receive_json()

        ws.send_text(frame)
        assert ws.receive_json()["type"] == "error"

        ws.send_bytes(b"binary")
        assert ws.receive_json()["type"] == "error"

        ws.send_text("still here")
        assert ws.receive_json()["text"] == "still here"


@pytest.mark.parametrize("query", ["", "?token=not-a-token"])
def test_connecting_without_a_valid_token_is_refused_with_policy_violation(client, query):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(f"/ws/clubs/club{query}") as ws,
    ):
        ws.receive_json()

    assert refused.value.code == 1008


def test_an_abruptly_dropped_member_is_announced_as_gone(client, live_server, alice, bob):
    base = live_server.url.replace("http://", "ws://")
    with (
        connect(f"{base}/ws/clubs/night-owls?token={alice}") as alice_ws,
        connect(f"{base}/ws/clubs/night-owls?token={bob}") as bob_ws,
    ):
        alice_ws.recv(timeout=10)  # alice joined
        bob_ws.recv(timeout=10)
        alice_ws.recv(timeout=10)  # bob joined

        # No close frame, no goodbye: the TCP connection just disappears.
        bob_ws.socket.shutdown(socket.SHUT_RDWR)
        bob_ws.socket.close()

        assert '"leave"' in alice_ws.recv(timeout=10)
        alice_ws.send("anyone left?")
        assert '"anyone left?"' in alice_ws.recv(timeout=10)
