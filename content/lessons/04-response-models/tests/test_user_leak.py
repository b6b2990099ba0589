from fastapi.testclient import TestClient

ALICE_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$I+Tai7OLuGvY0PUbyoW0yA"
    "$oZTr6ms4sygDLhIn4syBLcqGAtD17k/U23zxeXsXoow"
)


def _client(example) -> TestClient:
    return TestClient(example("user_leak").app)


def test_without_a_response_model_the_whole_record_leaks(example):
    response = _client(example).get("/users/1")
    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "username": "alice",
        "email": "alice@example.com",
        "created_at": "2024-03-01T09:30:00Z",
        "timezone": "Europe/Paris",
        "locale": "en",
        "hashed_password": ALICE_HASH,
        "is_admin": True,
    }


def test_every_user_leaks_a_hash_and_a_role(example):
    body = _client(example).get("/users/2").json()
    assert body["hashed_password"].startswith("$argon2id$")
    assert body["is_admin"] is False


def test_unknown_user_is_a_404(example):
    response = _client(example).get("/users/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "No user with id 99"}


def test_openapi_documents_no_response_shape_at_all(example):
    schema = _client(example).get("/openapi.json").json()
    ok = schema["paths"]["/users/{user_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {}
    assert set(schema["components"]["schemas"]) == {"HTTPValidationError", "ValidationError"}
