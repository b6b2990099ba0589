import re

from fastapi.testclient import TestClient

PASSWORD = "correct horse battery staple"
NEW_USER = {"username": "carol", "email": "carol@example.com", "password": PASSWORD}
SECRET_FIELDS = {"password", "hashed_password"}


def _client(example) -> TestClient:
    return TestClient(example("status_codes").app)


def test_no_response_contains_the_password_or_its_hash(example):
    client = _client(example)
    created = client.post("/users", json=NEW_USER)
    responses = [
        created,
        client.get(created.headers["location"]),
        client.post("/users", json=NEW_USER),  # 409
        client.get("/users/99"),  # 404
    ]
    for response in responses:
        assert PASSWORD not in response.text, response.request.url
        assert "$argon2" not in response.text, response.request.url
        assert not SECRET_FIELDS & set(response.json()), response.request.url


def test_no_documented_response_has_a_secret_field(example):
    openapi = _client(example).get("/openapi.json").json()
    schemas = openapi["components"]["schemas"]

    def fields(schema: object, seen: set[str]) -> set[str]:
        found = set(schema.get("properties", {})) if isinstance(schema, dict) else set()
        for name in set(re.findall(r"#/components/schemas/(\w+)", str(schema))) - seen:
            seen.add(name)
            found |= fields(schemas[name], seen)
        return found

    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                for media in response.get("content", {}).values():
                    leaked = SECRET_FIELDS & fields(media["schema"], set())
                    assert not leaked, f"{method.upper()} {path} → {code} documents {leaked}"


def test_create_answers_201_with_the_public_user_and_its_location(example):
    response = _client(example).post("/users", json=NEW_USER)
    assert response.status_code == 201
    assert response.headers["location"] == "/users/1"
    body = response.json()
    assert set(body) == {"id", "username", "email", "created_at"}
    assert body["username"] == "carol"


def test_the_stored_hash_verifies_the_password(example):
    module = example("status_codes")
    TestClient(module.app).post("/users", json=NEW_USER)
    stored = module._USERS[1].hashed_password
    assert stored.startswith("$argon2id$")
    assert module._hasher.verify(PASSWORD, stored)


def test_taken_username_is_a_409_with_a_readable_detail(example):
    client = _client(example)
    client.post("/users", json=NEW_USER)
    response = client.post("/users", json={**NEW_USER, "email": "other@example.com"})
    assert response.status_code == 409
    assert response.json() == {"detail": "That username is taken"}


def test_a_422_echoes_the_rejected_password_back_to_the_sender(example):
    response = _client(example).post("/users", json={**NEW_USER, "password": "hunter2"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "password"],
                "msg": "String should have at least 12 characters",
                "input": "hunter2",
                "ctx": {"min_length": 12},
            }
        ]
    }


def test_delete_answers_204_with_an_empty_body(example):
    client = _client(example)
    client.post("/users", json=NEW_USER)
    response = client.delete("/users/1")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get("/users/1").status_code == 404


def test_deleting_an_unknown_user_is_a_404(example):
    response = _client(example).delete("/users/1")
    assert response.status_code == 404
    assert response.json() == {"detail": "No user with id 1"}


def test_ids_are_not_reused_after_a_delete(example):
    client = _client(example)
    client.post("/users", json=NEW_USER)
    client.delete("/users/1")
    response = client.post("/users", json=NEW_USER)
    assert response.headers["location"] == "/users/2"


def test_openapi_documents_every_status_the_routes_can_answer(example):
    paths = _client(example).get("/openapi.json").json()["paths"]
    create = paths["/users"]["post"]["responses"]
    assert set(create) == {"201", "409", "422"}
    assert create["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UserOut"
    }
    assert create["409"] == {
        "description": "Username taken",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
    }
    delete = paths["/users/{user_id}"]["delete"]["responses"]
    assert set(delete) == {"204", "404", "422"}
    assert delete["204"] == {"description": "Successful Response"}
    read = paths["/users/{user_id}"]["get"]["responses"]
    assert set(read) == {"200", "404", "422"}
