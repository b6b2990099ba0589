import httpx
import pytest
from fastapi.testclient import TestClient


def _post(example, path: str) -> tuple[httpx.Response, list[str]]:
    module = example("yield_teardown")
    response = TestClient(module.app, raise_server_exceptions=False).post(path)
    return response, module.events


def test_successful_order_commits_and_tears_down_in_reverse_order(example):
    response, events = _post(example, "/orders/1")
    assert response.status_code == 200
    assert response.json() == {
        "book_id": 1,
        "left": 2,
        "transaction": "transaction on connection-1",
    }
    assert events == [
        "connection: open",
        "transaction: begin",
        "endpoint",
        "transaction: commit",
        "connection: close",
    ]


def test_http_exception_reaches_the_teardown_and_still_becomes_a_404(example):
    response, events = _post(example, "/orders/9")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 9"}
    assert events == [
        "connection: open",
        "transaction: begin",
        "endpoint",
        "transaction: rollback after HTTPException",
        "connection: close",
    ]


def test_unexpected_error_is_rolled_back_and_becomes_a_500(example):
    response, events = _post(example, "/orders/2")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert events[-2:] == ["transaction: rollback after RuntimeError", "connection: close"]


def test_unexpected_error_still_propagates_to_the_server(example):
    client = TestClient(example("yield_teardown").app)
    with pytest.raises(RuntimeError, match="book 2 is out of stock"):
        client.post("/orders/2")


def test_invalid_path_parameter_is_a_422_raised_after_the_dependencies_ran(example):
    module = example("yield_teardown")
    response = TestClient(module.app).post("/orders/abc")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "book_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "abc",
            }
        ]
    }
    assert module.events == [
        "connection: open",
        "transaction: begin",
        "transaction: rollback after RequestValidationError",
        "connection: close",
    ]


def test_openapi_shows_only_the_path_parameter(example):
    schema = TestClient(example("yield_teardown").app).get("/openapi.json").json()
    operation = schema["paths"]["/orders/{book_id}"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["book_id"]
    assert set(operation["responses"]) == {"200", "422"}
