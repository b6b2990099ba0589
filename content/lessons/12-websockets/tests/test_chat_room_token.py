import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


def test_no_token_is_a_policy_violation(example):
    with TestClient(example("chat_room_token").app) as client:
        with pytest.raises(WebSocketDisconnect) as refused:
            client.websocket_connect("/rooms/books?name=eve").__enter__()
        assert refused.value.code == 1008


def test_the_right_token_joins_the_room(example):
    with (
        TestClient(example("chat_room_token").app) as client,
        client.websocket_connect("/rooms/books?name=ada&token=letmein") as ada,
    ):
        assert ada.receive_text() == "ada joined"
