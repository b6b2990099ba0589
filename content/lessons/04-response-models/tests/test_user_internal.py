from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("user_internal").app)


def test_declaring_the_internal_model_sends_the_hash(example):
    response = _client(example).get("/users/2")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "bob"
    assert body["hashed_password"].startswith("$argon2id$v=19$")
    assert body["is_admin"] is False


def test_openapi_advertises_the_hash_as_part_of_the_contract(example):
    schema = _client(example).get("/openapi.json").json()
    ok = schema["paths"]["/users/{user_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/UserInDB"}
    user_in_db = schema["components"]["schemas"]["UserInDB"]
    assert "hashed_password" in user_in_db["required"]
    assert user_in_db["properties"]["hashed_password"] == {
        "type": "string",
        "title": "Hashed Password",
    }
