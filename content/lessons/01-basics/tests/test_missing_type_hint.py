from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("missing_type_hint").app)


def test_without_a_hint_the_id_stays_a_string_and_the_lookup_misses(example):
    response = _client(example).get("/untyped/1")
    assert response.status_code == 200
    assert response.json() == {"book_id": "1", "found": False}


def test_with_a_hint_the_id_is_an_int_and_the_lookup_hits(example):
    response = _client(example).get("/typed/1")
    assert response.status_code == 200
    assert response.json() == {"book_id": 1, "found": True}


def test_only_the_typed_route_rejects_a_word(example):
    client = _client(example)
    assert client.get("/untyped/one").json() == {"book_id": "one", "found": False}
    response = client.get("/typed/one")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "book_id"]


def test_openapi_gives_the_untyped_parameter_no_type(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    [untyped] = paths["/untyped/{book_id}"]["get"]["parameters"]
    [typed] = paths["/typed/{book_id}"]["get"]["parameters"]
    assert untyped["schema"] == {"title": "Book Id"}
    assert typed["schema"] == {"type": "integer", "title": "Book Id"}
