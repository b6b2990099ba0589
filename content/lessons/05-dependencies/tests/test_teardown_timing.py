import pytest
from fastapi.testclient import TestClient


def _module_and_client(example):
    module = example("teardown_timing")
    return module, TestClient(module.app, raise_server_exceptions=False)


def test_default_scope_tears_down_after_the_response_and_background_tasks(example):
    module, client = _module_and_client(example)
    response = client.post("/orders")
    assert response.status_code == 200
    assert response.json() == {"status": "ordered"}
    assert module.events == [
        "session: open",
        "endpoint",
        "response sent",
        "background task",
        "session: commit",
        "session: close",
    ]


def test_function_scope_tears_down_before_the_response_is_sent(example):
    module, client = _module_and_client(example)
    response = client.post("/orders/checked")
    assert response.status_code == 200
    assert module.events == [
        "session: open",
        "endpoint",
        "session: commit",
        "session: close",
        "response sent",
    ]


def test_failed_commit_after_the_response_cannot_reach_the_client(example):
    module, client = _module_and_client(example)
    response = client.post("/orders", params={"conflict": "true"})
    assert response.status_code == 200
    assert response.json() == {"status": "ordered"}
    assert "session: commit" not in module.events
    assert module.events[-1] == "session: close"


def test_failed_commit_after_the_response_is_an_error_on_the_server(example):
    client = TestClient(example("teardown_timing").app)
    with pytest.raises(RuntimeError, match="response already started"):
        client.post("/orders", params={"conflict": "true"})


def test_failed_commit_in_function_scope_becomes_the_response(example):
    module, client = _module_and_client(example)
    response = client.post("/orders/checked", params={"conflict": "true"})
    assert response.status_code == 409
    assert response.json() == {"detail": "Commit failed: the book was sold meanwhile"}
    assert module.events == ["session: open", "endpoint", "session: close", "response sent"]


def test_scope_is_invisible_in_openapi(example):
    paths = TestClient(example("teardown_timing").app).get("/openapi.json").json()["paths"]
    default = paths["/orders"]["post"]["parameters"]
    checked = paths["/orders/checked"]["post"]["parameters"]
    assert default == checked
    assert [p["name"] for p in default] == ["conflict"]
