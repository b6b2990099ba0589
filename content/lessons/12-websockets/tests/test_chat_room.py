import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


def test_two_clients_in_a_room_see_each_others_messages(example):
    with (
        TestClient(example("chat_room").app) as client,
        client.websocket_connect("/rooms/books?name=ada") as ada,
    ):
        assert ada.receive_text() == "ada joined"
        with client.websocket_connect("/rooms/books?name=bob") as bob:
            assert bob.receive_text() == "bob joined"
            assert ada.receive_text() == "bob joined"
            bob.send_text("hi ada")
            assert ada.receive_text() == "bob: hi ada"
            assert bob.receive_text() == "bob: hi ada"


def test_rooms_are_separate(example):
    with (
        TestClient(example("chat_room").app) as client,
        client.websocket_connect("/rooms/a?name=ada") as ada,
    ):
        ada.receive_text()
        with client.websocket_connect("/rooms/b?name=bob") as bob:
            bob.receive_text()
            bob.send_text("anyone?")
            assert bob.receive_text() == "bob: anyone?"
            ada.send_text("only me")
            assert ada.receive_text() == "ada: only me"


def test_echo_route_still_echoes(example):
    with (
        TestClient(example("chat_room").app) as client,
        client.websocket_connect("/echo") as websocket,
    ):
        websocket.send_text("x")
        assert websocket.receive_text() == "echo: x"


def test_bye_closes_the_echo_with_the_apps_own_code(example):
    with TestClient(example("chat_room").app) as client, client.websocket_connect("/echo") as ws:
        ws.send_text("bye")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
        assert (closed.value.code, closed.value.reason) == (4000, "you said bye")
