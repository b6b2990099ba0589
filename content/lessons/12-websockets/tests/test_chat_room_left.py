from fastapi.testclient import TestClient


def test_the_others_are_told_when_someone_leaves(example):
    with (
        TestClient(example("chat_room_left").app) as client,
        client.websocket_connect("/rooms/books?name=ada") as ada,
    ):
        ada.receive_text()
        with client.websocket_connect("/rooms/books?name=bob") as bob:
            bob.receive_text()
            ada.receive_text()
        assert ada.receive_text() == "bob left"
