from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("path_name_mismatch").app)


def test_value_in_the_path_is_ignored_and_a_query_parameter_is_required(example):
    response = _client(example).get("/books/7")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["query", "id"], "msg": "Field required", "input": None}
        ]
    }


def test_the_function_gets_the_query_value_whatever_the_path_says(example):
    response = _client(example).get("/books/7", params={"id": 3})
    assert response.status_code == 200
    assert response.json() == {"id": 3}


def test_openapi_shows_a_required_query_parameter_and_no_path_parameter(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    assert paths["/books/{book_id}"]["get"]["parameters"] == [
        {
            "name": "id",
            "in": "query",
            "required": True,
            "schema": {"type": "integer", "title": "Id"},
        }
    ]
