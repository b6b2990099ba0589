from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("first_dependency").app)


def test_both_routes_share_the_default_page(example):
    client = _client(example)
    assert client.get("/books").json() == {
        "page": {"limit": 2, "offset": 0},
        "items": ["Dune", "Emma"],
    }
    assert client.get("/authors").json() == {
        "page": {"limit": 2, "offset": 0},
        "items": ["Herbert", "Austen"],
    }


def test_query_parameters_of_the_dependency_are_read_from_the_request(example):
    response = _client(example).get("/books", params={"limit": "3", "offset": "2"})
    assert response.status_code == 200
    assert response.json()["items"] == ["Ulysses", "Beloved", "Solaris"]


def test_dependency_parameters_are_validated_like_the_endpoint_own(example):
    response = _client(example).get("/authors", params={"limit": "0"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "greater_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            }
        ]
    }


def test_openapi_documents_the_dependency_parameters_on_every_route_using_it(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    expected = [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {
                "type": "integer",
                "maximum": 50,
                "minimum": 1,
                "default": 2,
                "title": "Limit",
            },
        },
        {
            "name": "offset",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "default": 0, "title": "Offset"},
        },
    ]
    assert paths["/books"]["get"]["parameters"] == expected
    assert paths["/authors"]["get"]["parameters"] == expected
