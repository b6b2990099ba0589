from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("leaky_shortcuts").app)


def test_denylist_hides_the_hash_but_leaks_the_forgotten_field(example):
    response = _client(example).get("/denylist")
    assert response.status_code == 200
    assert response.json() == {"id": 1, "username": "alice", "is_admin": True}


def test_a_returned_response_object_skips_the_response_model(example):
    body = _client(example).get("/hand-made").json()
    assert body["hashed_password"] == "$argon2id$…"
    assert body["is_admin"] is True


def test_extra_allow_on_an_output_model_passes_unknown_keys_through(example):
    body = _client(example).get("/lenient").json()
    assert body["hashed_password"] == "$argon2id$…"
    assert body["is_admin"] is True


def test_openapi_disagrees_with_what_is_sent(example):
    schema = _client(example).get("/openapi.json").json()

    def documented(path):
        ok = schema["paths"][path]["get"]["responses"]["200"]
        return ok["content"]["application/json"]["schema"]

    # /denylist never sends the hash, yet its documented model still requires it.
    assert documented("/denylist") == {"$ref": "#/components/schemas/UserInDB"}
    assert "hashed_password" in schema["components"]["schemas"]["UserInDB"]["required"]
    # /hand-made sends the hash, yet its documented model has no such field.
    assert documented("/hand-made") == {"$ref": "#/components/schemas/UserOut"}
    assert "hashed_password" not in schema["components"]["schemas"]["UserOut"]["properties"]
