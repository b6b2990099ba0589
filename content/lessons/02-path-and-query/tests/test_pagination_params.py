import pytest
from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("pagination_params").app)


def test_defaults_give_the_first_twenty(example):
    body = _client(example).get("/books").json()
    assert (body["total"], body["limit"], body["offset"]) == (250, 20, 0)
    assert body["items"][0] == "Book 1"
    assert len(body["items"]) == 20


def test_last_page_is_shorter(example):
    response = _client(example).get("/books", params={"limit": 100, "offset": 200})
    assert response.status_code == 200
    assert response.json()["items"][-1] == "Book 250"
    assert len(response.json()["items"]) == 50


@pytest.mark.parametrize(
    ("params", "field", "error_type"),
    [
        ({"limit": 0}, "limit", "greater_than_equal"),
        ({"limit": 101}, "limit", "less_than_equal"),
        ({"offset": -1}, "offset", "greater_than_equal"),
    ],
)
def test_out_of_range_values_are_rejected(example, params, field, error_type):
    response = _client(example).get("/books", params=params)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["type"]) == (["query", field], error_type)


def test_a_misspelt_parameter_is_rejected_instead_of_ignored(example):
    response = _client(example).get("/authors", params={"limt": 2})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["query", "limt"],
                "msg": "Extra inputs are not permitted",
                "input": "2",
            }
        ]
    }


def test_both_endpoints_share_the_same_rules(example):
    client = _client(example)
    assert client.get("/authors", params={"limit": 2, "offset": 1}).json() == {
        "total": 4,
        "limit": 2,
        "offset": 1,
        "items": ["Herbert", "Sayers"],
    }
    assert client.get("/authors", params={"limit": 101}).status_code == 422


def test_openapi_flattens_the_model_into_identical_query_parameters(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    books = paths["/books"]["get"]["parameters"]
    assert books == paths["/authors"]["get"]["parameters"]
    assert [(p["name"], p["in"]) for p in books] == [("limit", "query"), ("offset", "query")]
    assert books[0]["schema"] == {
        "type": "integer",
        "maximum": 100,
        "minimum": 1,
        "default": 20,
        "title": "Limit",
    }
