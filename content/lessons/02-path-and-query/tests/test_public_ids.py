from fastapi.testclient import TestClient

_HOBBIT = "5c1a7e0e-8d3b-4f6a-9b2e-0f4d6c8a1b37"


def _client(example) -> TestClient:
    return TestClient(example("public_ids").app)


def test_a_book_is_found_by_its_public_reference(example):
    response = _client(example).get(f"/books/{_HOBBIT}")
    assert response.status_code == 200
    assert response.json() == {"ref": _HOBBIT, "title": "The Hobbit"}


def test_other_spellings_of_the_same_uuid_find_the_same_book(example):
    response = _client(example).get("/books/5C1A7E0E8D3B4F6A9B2E0F4D6C8A1B37")
    assert response.status_code == 200
    assert response.json()["ref"] == _HOBBIT


def test_the_internal_row_id_is_not_an_address(example):
    response = _client(example).get("/books/1")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "uuid_parsing"
    assert error["loc"] == ["path", "book_ref"]


def test_unknown_reference_is_a_404(example):
    response = _client(example).get("/books/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such book"}


def test_openapi_declares_a_uuid_string(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    [parameter] = paths["/books/{book_ref}"]["get"]["parameters"]
    assert parameter["schema"] == {"type": "string", "format": "uuid", "title": "Book Ref"}
