from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("plain_starlette").app)


def test_route_converts_the_path_and_the_handler_converts_the_query(example):
    response = _client(example).get("/books/7", params={"page": "2"})
    assert response.status_code == 200
    assert response.json() == {"book_id": 7, "page": 2}


def test_non_integer_book_id_does_not_match_the_route_at_all(example):
    response = _client(example).get("/books/abc")
    assert response.status_code == 404
    assert response.text == "Not Found"


def test_bad_query_value_gets_only_the_error_written_by_hand(example):
    response = _client(example).get("/books/7", params={"page": "x"})
    assert response.status_code == 400
    assert response.json() == {"error": "page must be a whole number"}


def test_nothing_generates_an_openapi_schema(example):
    client = _client(example)
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
