from fastapi.testclient import TestClient


def test_the_pure_asgi_middleware_adds_the_same_header(example):
    response = TestClient(example("pure_asgi_timing").app).get("/ping")
    assert response.json() == {"ping": "pong"}
    assert 0 <= float(response.headers["x-process-time"]) < 5
