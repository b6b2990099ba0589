"""Hidden tests: no response ever carries a password hash; profiles keep their public fields."""

import secrets

# Drawn for every check, so only a sign-up that answers with the user it created passes.
NAME = f"carol{secrets.token_hex(3)}"
SIGN_UP = {"username": NAME, "email": f"{NAME}@example.com", "password": secrets.token_urlsafe(9)}


def test_a_profile_has_no_password_hash(client):
    body = client.get("/users/1").json()
    assert "hashed_password" not in body, f"GET /users/1 still sends hashed_password: {body}"


def test_a_profile_keeps_its_public_fields(client):
    body = client.get("/users/1").json()
    assert body == {"id": 1, "username": "alice", "email": "alice@example.com"}, (
        f"GET /users/1 returned {body}; it should keep id, username and email"
    )


def test_the_user_list_has_no_password_hash(client):
    users = client.get("/users").json()
    assert users
    assert all("hashed_password" not in user for user in users)
    assert {user["username"] for user in users} >= {"alice", "bob"}


def test_sign_up_answers_201_without_the_hash(client):
    response = client.post("/users", json=SIGN_UP)
    assert response.status_code == 201
    body = response.json()
    assert (body.get("username"), body.get("email")) == (NAME, SIGN_UP["email"]), (
        f"Signing up {NAME} answered {body}: answer with the new user's public fields"
    )
    assert "hashed_password" not in body
    assert "password" not in body


def test_the_documented_schema_has_no_hash(client):
    schema = client.get("/openapi.json").text
    assert "hashed_password" not in schema
