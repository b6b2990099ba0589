from fastapi.testclient import TestClient


def test_call_next_returns_before_the_body_is_produced(example):
    module = example("streaming_timing")
    module.events.clear()
    response = TestClient(module.app).get("/report")
    assert response.text == "row 1\nrow 2\nrow 3\n"
    assert module.events == [
        "call_next returned",
        "chunk 1 produced",
        "chunk 2 produced",
        "chunk 3 produced",
        "pure ASGI: the app returned",
    ]
