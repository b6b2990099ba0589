"""Hidden tests: /users/me answers for the caller; /users/{username} still works."""

import random
import string

# A name drawn for every check (never the zed tried before), so only a service that looks the
# user up refuses it.
STRANGER = "".join(random.choices(string.ascii_lowercase, k=7))


def test_me_answers_for_the_caller(client):
    response = client.get("/users/me", headers={"X-User": "bob"})
    assert response.status_code == 200, (
        f"GET /users/me as bob answered {response.status_code}: {response.text}"
    )
    assert response.json() == {"username": "bob", "plan": "free"}, (
        f"GET /users/me as bob returned {response.json()}; it should be bob's profile"
    )


def test_named_profiles_still_answer(client):
    response = client.get("/users/alice")
    assert response.status_code == 200, f"GET /users/alice answered {response.status_code}"
    assert response.json()["username"] == "alice", "GET /users/alice is not alice's profile"


def test_unknown_users_are_404(client):
    status = client.get(f"/users/{STRANGER}").status_code
    assert status == 404, f"GET /users/{STRANGER} (no such user) answered {status}"


def test_me_needs_the_header(client):
    assert client.get("/users/me").status_code == 422


def test_me_works_for_every_caller(client):
    for name in ("alice", "bob"):
        body = client.get("/users/me", headers={"X-User": name}).json()
        assert body.get("username") == name
