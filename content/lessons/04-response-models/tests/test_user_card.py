from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("user_card").app)


def test_the_card_sends_only_the_fields_it_declares(example):
    response = _client(example).get("/users/1")
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "created_at": "2024-03-01T09:30:00Z"}


def test_the_decorator_model_wins_over_the_internal_return_type(example):
    client = _client(example)
    for user_id in (1, 2):
        response = client.get(f"/users/{user_id}")
        assert "hashed_password" not in response.json()
        assert "email" not in response.json()
        assert "$argon2id$" not in response.text


def test_openapi_documents_the_card(example):
    schema = _client(example).get("/openapi.json").json()
    ok = schema["paths"]["/users/{user_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UserCard"}
    assert set(schema["components"]["schemas"]["UserCard"]["properties"]) == {
        "username",
        "created_at",
    }
    assert "UserInDB" not in schema["components"]["schemas"]


def test_unknown_user_is_a_404(example):
    assert _client(example).get("/users/99").status_code == 404
