from fastapi.testclient import TestClient


def test_dispatch_goes_on_before_the_background_task_and_pure_asgi_after(example):
    module = example("background_tasks")
    module.events.clear()
    response = TestClient(module.app).post("/orders/7")
    assert response.json() == {"order": 7}
    assert module.events == [
        "endpoint returned",
        "dispatch: after call_next",
        "background task: receipt for order 7",
        "pure ASGI: after the app",
    ]
