from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("route_order_convertor").app)


def test_featured_is_reachable_although_declared_second(example):
    response = _client(example).get("/books/featured")
    assert response.status_code == 200
    assert response.json() == {"featured": ["Dune", "The Hobbit"]}


def test_digits_match_the_id_route(example):
    response = _client(example).get("/books/2")
    assert response.status_code == 200
    assert response.json() == {"id": 2, "title": "Gaudy Night"}


def test_non_digits_match_no_route_and_get_a_404_instead_of_a_422(example):
    client = _client(example)
    for path in ("/books/abc", "/books/-1", "/books/3.0"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not Found"}


def test_openapi_hides_the_convertor_from_the_path(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    assert list(paths) == ["/books/{book_id}", "/books/featured"]
    [parameter] = paths["/books/{book_id}"]["get"]["parameters"]
    assert parameter["schema"] == {"type": "integer", "title": "Book Id"}
