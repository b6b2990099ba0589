import pytest
from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("typed_echo").app)


def test_each_value_arrives_converted_with_its_python_type(example):
    response = _client(example).get("/books/42", params={"in_stock": "yes", "limit": "5"})
    assert response.status_code == 200
    assert response.json() == {
        "book_id": {"value": 42, "type": "int"},
        "in_stock": {"value": True, "type": "bool"},
        "limit": {"value": 5, "type": "int"},
    }


def test_absent_query_parameters_take_their_defaults(example):
    response = _client(example).get("/books/7")
    assert response.json() == {
        "book_id": {"value": 7, "type": "int"},
        "in_stock": {"value": None, "type": "NoneType"},
        "limit": {"value": 20, "type": "int"},
    }


@pytest.mark.parametrize(("text", "expected"), [("ON", True), ("1", True), ("n", False)])
def test_bool_accepts_several_spellings(example, text, expected):
    response = _client(example).get("/books/7", params={"in_stock": text})
    assert response.json()["in_stock"] == {"value": expected, "type": "bool"}


def test_every_bad_value_is_listed_path_first(example):
    response = _client(example).get("/books/0", params={"in_stock": "maybe", "limit": "500"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [error["loc"] for error in detail] == [
        ["path", "book_id"],
        ["query", "in_stock"],
        ["query", "limit"],
    ]
    assert [error["type"] for error in detail] == [
        "greater_than_equal",
        "bool_parsing",
        "less_than_equal",
    ]
    assert [error["input"] for error in detail] == ["0", "maybe", "500"]


def test_an_empty_filter_is_not_the_same_as_no_filter(example):
    response = _client(example).get("/books/7?in_stock=")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"], error["input"]) == (
        "bool_parsing",
        ["query", "in_stock"],
        "",
    )


def test_openapi_documents_the_bounds(example):
    schema = _client(example).get("/openapi.json").json()
    parameters = schema["paths"]["/books/{book_id}"]["get"]["parameters"]
    limit = next(p for p in parameters if p["name"] == "limit")
    assert limit["in"] == "query"
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 100)
