from fastapi.testclient import TestClient

BOB = {
    "id": 2,
    "username": "bob",
    "email": "bob@example.com",
    "created_at": "2024-05-17T14:05:00Z",
}


def _client(example) -> TestClient:
    return TestClient(example("exclude_unset").app)


def test_only_preferences_a_user_chose_are_sent(example):
    client = _client(example)
    assert client.get("/users/2").json() == BOB
    alice = client.get("/users/1").json()
    assert alice["timezone"] == "Europe/Paris"
    assert "locale" not in alice


def test_hash_stays_filtered_when_unset_fields_are_excluded(example):
    client = _client(example)
    for user_id in (1, 2):
        response = client.get(f"/users/{user_id}")
        assert "hashed_password" not in response.json()
        assert "$argon2id$" not in response.text


def test_patch_stores_only_the_fields_that_were_sent(example):
    client = _client(example)
    response = client.patch("/users/2/preferences", json={"locale": "de"})
    assert response.status_code == 200
    assert response.json() == {**BOB, "locale": "de"}
    assert client.get("/users/2").json() == {**BOB, "locale": "de"}


def test_sending_the_default_explicitly_pins_it_as_a_choice(example):
    client = _client(example)
    client.patch("/users/2/preferences", json={"timezone": "UTC"})
    assert client.get("/users/2").json() == {**BOB, "timezone": "UTC"}


def test_null_forgets_a_choice_and_the_field_disappears_again(example):
    client = _client(example)
    response = client.patch("/users/1/preferences", json={"timezone": None})
    assert response.status_code == 200
    assert "timezone" not in response.json()
    assert "timezone" not in client.get("/users/1").json()


def test_patch_for_an_unknown_user_is_a_404(example):
    response = _client(example).patch("/users/99/preferences", json={"locale": "de"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No user with id 99"}


def test_openapi_still_documents_every_field_of_the_model(example):
    schema = _client(example).get("/openapi.json").json()
    for path, method in (("/users/{user_id}", "get"), ("/users/{user_id}/preferences", "patch")):
        ok = schema["paths"][path][method]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/UserOut"
        }
    user_out = schema["components"]["schemas"]["UserOut"]
    assert user_out["properties"]["timezone"]["default"] == "UTC"
