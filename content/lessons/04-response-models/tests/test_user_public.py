from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("user_public").app)


def test_return_type_sends_only_the_public_fields(example):
    response = _client(example).get("/users/1")
    assert response.status_code == 200
    assert response.json() == {
        "id": 1,
        "username": "alice",
        "email": "alice@example.com",
        "created_at": "2024-03-01T09:30:00Z",
        "timezone": "Europe/Paris",
        "locale": "en",
    }


def test_password_hash_and_role_never_leave_the_server(example):
    client = _client(example)
    for user_id in (1, 2):
        response = client.get(f"/users/{user_id}")
        assert "hashed_password" not in response.json()
        assert "is_admin" not in response.json()
        assert "$argon2id$" not in response.text


def test_defaults_are_filled_in_for_a_user_who_chose_nothing(example):
    body = _client(example).get("/users/2").json()
    assert body["timezone"] == "UTC"
    assert body["locale"] == "en"


def test_openapi_documents_the_public_model_only(example):
    schema = _client(example).get("/openapi.json").json()
    ok = schema["paths"]["/users/{user_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UserOut"}
    user_out = schema["components"]["schemas"]["UserOut"]
    assert set(user_out["properties"]) == {
        "id",
        "username",
        "email",
        "created_at",
        "timezone",
        "locale",
    }
    assert user_out["required"] == ["id", "username", "email", "created_at"]
    assert "UserInDB" not in schema["components"]["schemas"]
    assert "hashed_password" not in str(schema)
