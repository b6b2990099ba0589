"""Task: POST /users creates a user and answers 201 with the public fields only."""

import secrets

# Names drawn for every check, so only an app that creates the user it is sent passes.
NAME = f"reader{secrets.token_hex(3)}"
CAROL = {"username": NAME, "email": f"{NAME}@example.com", "password": "correct horse battery"}


def test_signing_up_answers_201_created(client):
    response = client.post("/users", json=CAROL)
    assert response.status_code not in (404, 405), (
        f'POST /users answered {response.status_code}: add @app.post("/users", ...)'
    )
    assert response.status_code == 201, (
        f"POST /users answered {response.status_code}; a create should answer 201 Created: "
        "status_code=201 in the decorator"
    )


def test_the_answer_holds_no_password_or_hash(client):
    body = client.post("/users", json={**CAROL, "username": f"{NAME}2"}).json()
    leaked = [field for field in ("password", "hashed_password", "is_admin") if field in body]
    assert not leaked, (
        f"POST /users sent back {', '.join(leaked)}: no password or hash in the answer, "
        "declare -> UserOut"
    )
    described = {"username": body.get("username"), "email": body.get("email")}
    assert described == {"username": f"{NAME}2", "email": CAROL["email"]}, (
        f"POST /users answered {body}; it should describe the new user"
    )


def test_the_new_user_can_be_read_back(client):
    created = client.post("/users", json={**CAROL, "username": f"{NAME}3"}).json()
    response = client.get(f"/users/{created.get('id')}")
    assert response.status_code == 200, (
        f"GET /users/{created.get('id')} answered {response.status_code} after creating it: "
        "store the new user in _USERS under its id"
    )
    assert response.json().get("username") == f"{NAME}3", (
        f"GET /users/{created.get('id')} answered the user {response.json().get('username')!r} "
        f"just after {NAME}3 was created with that id: store the new user in _USERS"
    )
    assert "hashed_password" not in response.json(), "GET /users/{id} sends the hash"
