from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("route_order_fixed").app)


def test_featured_reaches_its_own_handler(example):
    response = _client(example).get("/books/featured")
    assert response.status_code == 200
    assert response.json() == {"featured": ["Dune", "The Hobbit"]}


def test_ids_still_reach_read_book(example):
    client = _client(example)
    assert client.get("/books/1").json() == {"id": 1, "title": "The Hobbit"}
    assert client.get("/books/9").json() == {"detail": "No book with id 9"}


def test_other_words_are_still_validated_as_ids(example):
    response = _client(example).get("/books/bestsellers")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["loc"], error["input"]) == (["path", "book_id"], "bestsellers")


def test_openapi_lists_paths_in_declaration_order(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    assert list(paths) == ["/books/featured", "/books/{book_id}"]
    assert "parameters" not in paths["/books/featured"]["get"]
