from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("response_shape").app)


def test_book_is_serialized_with_an_iso_date(example):
    response = _client(example).get("/books/1")
    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "title": "Dune",
        "published": "1965-08-01",
        "tags": ["science fiction"],
    }


def test_internal_field_never_leaves_the_server(example):
    response = _client(example).get("/books/1")
    assert "supplier_cost" not in response.json()
    assert "supplier_cost" not in response.text


def test_missing_book_is_a_404_with_a_readable_detail(example):
    response = _client(example).get("/books/2")
    assert response.status_code == 404
    assert response.json() == {"detail": "No book with id 2"}


def test_openapi_describes_the_declared_model_only(example):
    schema = _client(example).get("/openapi.json").json()
    ok = schema["paths"]["/books/{book_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Book"}
    book = schema["components"]["schemas"]["Book"]
    assert book["required"] == ["id", "title", "published"]
    assert book["properties"]["published"] == {
        "type": "string",
        "format": "date",
        "title": "Published",
    }
    assert book["properties"]["tags"]["default"] == []
    assert "StoredBook" not in schema["components"]["schemas"]
    assert "supplier_cost" not in str(schema)
