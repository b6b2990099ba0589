import json

from fastapi.testclient import TestClient

DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965}


def _client(example) -> TestClient:
    return TestClient(example("production_book").app)


def test_valid_book_is_created_with_a_server_assigned_id(example):
    response = _client(example).post("/books", json=DUNE)
    assert response.status_code == 201
    assert response.json() == {**DUNE, "genre": None, "id": 1}


def test_client_cannot_choose_the_id(example):
    response = _client(example).post("/books", json={**DUNE, "id": 7})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "id"],
                "msg": "Extra inputs are not permitted",
                "input": 7,
            }
        ]
    }


def test_misspelled_field_is_refused_instead_of_silently_dropped(example):
    response = _client(example).post("/books", json={**DUNE, "genra": "science fiction"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"]) == ("extra_forbidden", ["body", "genra"])


def test_surrounding_whitespace_is_stripped_before_length_checks(example):
    client = _client(example)
    assert client.post("/books", json={**DUNE, "title": "  Dune "}).json()["title"] == "Dune"
    blank = client.post("/books", json={**DUNE, "title": "   "})
    assert blank.status_code == 422
    [error] = blank.json()["detail"]
    assert (error["type"], error["loc"]) == ("string_too_short", ["body", "title"])


def test_every_string_has_an_upper_bound(example):
    client = _client(example)
    for field, limit in (("title", 200), ("author", 120), ("genre", 40)):
        response = client.post("/books", json={**DUNE, field: "x" * (limit + 1)})
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert (error["type"], error["loc"], error["ctx"]) == (
            "string_too_long",
            ["body", field],
            {"max_length": limit},
        )


def test_body_over_the_size_limit_is_refused_with_413_before_validation(example):
    response = _client(example).post("/books", json={**DUNE, "title": "x" * 5000})
    assert response.status_code == 413
    assert response.text == "Content Too Large"


def test_streamed_body_without_content_length_is_cut_off_too(example):
    def chunks():
        payload = json.dumps({**DUNE, "title": "x" * 5000}).encode()
        for start in range(0, len(payload), 1000):
            yield payload[start : start + 1000]

    response = _client(example).post(
        "/books", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}


def test_openapi_shows_the_create_and_public_schemas_apart(example):
    schema = _client(example).get("/openapi.json").json()
    components = schema["components"]["schemas"]
    create, public = components["BookCreate"], components["BookPublic"]
    assert create["additionalProperties"] is False
    assert "id" not in create["properties"]
    assert public["properties"]["id"] == {"type": "integer", "title": "Id"}
    assert "BookBase" not in components
    operation = schema["paths"]["/books"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookCreate"
    }
