from fastapi.testclient import TestClient


def test_the_response_carries_the_seconds_it_took(example):
    response = TestClient(example("process_time").app).get("/ping")
    assert response.json() == {"ping": "pong"}
    assert 0 <= float(response.headers["x-process-time"]) < 5
