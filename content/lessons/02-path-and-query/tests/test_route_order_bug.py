from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("route_order_bug").app)


def test_featured_is_captured_by_the_template_and_fails_int_validation(example):
    response = _client(example).get("/books/featured")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "book_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "featured",
            }
        ]
    }


def test_numeric_ids_still_work_so_the_bug_hides_in_casual_testing(example):
    response = _client(example).get("/books/3")
    assert response.status_code == 200
    assert response.json() == {"id": 3, "title": "Dune"}


def test_openapi_still_documents_the_unreachable_route(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    assert list(paths) == ["/books/{book_id}", "/books/featured"]
    assert paths["/books/featured"]["get"]["operationId"] == "featured_books_books_featured_get"
