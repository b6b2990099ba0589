from fastapi.testclient import TestClient

PUBLIC_ALICE = {
    "id": 1,
    "username": "alice",
    "email": "alice@example.com",
    "created_at": "2024-03-01T09:30:00Z",
    "timezone": "Europe/Paris",
    "locale": "en",
}


def _client(example) -> TestClient:
    return TestClient(example("which_model_wins").app)


def test_return_annotation_filters_when_the_decorator_says_nothing(example):
    response = _client(example).get("/annotated/1")
    assert response.status_code == 200
    assert response.json() == PUBLIC_ALICE


def test_response_model_argument_wins_over_the_return_annotation(example):
    response = _client(example).get("/declared/1")
    assert response.status_code == 200
    assert response.json() == PUBLIC_ALICE
    assert "hashed_password" not in response.text


def test_response_model_none_ignores_the_annotation_and_leaks(example):
    response = _client(example).get("/switched-off/1")
    assert response.status_code == 200
    body = response.json()
    assert body["hashed_password"].startswith("$argon2id$")
    assert body["is_admin"] is True


def test_openapi_follows_the_model_that_won(example):
    paths = _client(example).get("/openapi.json").json()["paths"]

    def documented(path):
        ok = paths[path]["get"]["responses"]["200"]
        return ok["content"]["application/json"]["schema"]

    assert documented("/annotated/{user_id}") == {"$ref": "#/components/schemas/UserOut"}
    assert documented("/declared/{user_id}") == {"$ref": "#/components/schemas/UserOut"}
    assert documented("/switched-off/{user_id}") == {}
