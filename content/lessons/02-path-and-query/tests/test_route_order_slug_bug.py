from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("route_order_slug_bug").app)


def test_featured_is_handled_by_read_book_as_a_slug(example):
    response = _client(example).get("/books/featured")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with slug 'featured'"}


def test_real_slugs_work(example):
    response = _client(example).get("/books/dune")
    assert response.status_code == 200
    assert response.json() == {"slug": "dune", "title": "Dune"}


def test_openapi_documents_both_routes_as_if_nothing_were_wrong(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    assert list(paths) == ["/books/{slug}", "/books/featured"]
    featured = paths["/books/featured"]["get"]["responses"]["200"]
    schema = featured["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
