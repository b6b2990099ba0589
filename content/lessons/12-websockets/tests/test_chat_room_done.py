import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


@pytest.mark.parametrize("name", ["chat_room_done", "chat_room_token"])
def test_a_connection_without_the_token_is_closed_with_1008(example, name):
    with TestClient(example(name).app) as client:
        with pytest.raises(WebSocketDisconnect) as refused:
            client.websocket_connect("/rooms/books?name=eve").__enter__()
        assert refused.value.code == 1008


@pytest.mark.parametrize("name", ["chat_room_done", "chat_room_left"])
def test_the_others_are_told_when_someone_leaves(example, name):
    with TestClient(example(name).app) as client:
        token = "&token=letmein" if name == "chat_room_done" else ""
        with client.websocket_connect(f"/rooms/books?name=ada{token}") as ada:
            ada.receive_text()
            with client.websocket_connect(f"/rooms/books?name=bob{token}") as bob:
                bob.receive_text()
                ada.receive_text()
            assert ada.receive_text() == "bob left"
