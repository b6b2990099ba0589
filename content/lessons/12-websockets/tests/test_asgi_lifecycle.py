from starlette.testclient import TestClient


def test_the_raw_asgi_app_accepts_and_echoes(example):
    client = TestClient(example("asgi_lifecycle").app)
    with client.websocket_connect("/anything") as websocket:
        websocket.send_text("ping")
        assert websocket.receive_text() == "echo: ping"
