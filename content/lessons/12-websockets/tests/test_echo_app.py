import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


def test_echo_answers_each_message(example):
    client = TestClient(example("echo_app").app)
    with client.websocket_connect("/echo") as websocket:
        websocket.send_text("hello")
        assert websocket.receive_text() == "echo: hello"
        websocket.send_text("again")
        assert websocket.receive_text() == "echo: again"


def test_bye_closes_with_a_reason(example):
    client = TestClient(example("echo_app").app)
    with client.websocket_connect("/echo") as websocket:
        websocket.send_text("bye")
        with pytest.raises(WebSocketDisconnect) as closed:
            websocket.receive_text()
    assert (closed.value.code, closed.value.reason) == (1000, "see you")


def test_the_server_hears_the_client_leave(example, capsys):
    client = TestClient(example("echo_app").app)
    with client.websocket_connect("/echo") as websocket:
        websocket.send_text("one")
        websocket.receive_text()
    assert "the client left with code 1000" in capsys.readouterr().out
