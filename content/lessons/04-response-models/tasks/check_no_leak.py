"""Task: GET /users/{id} sends the public fields and nothing the server keeps to itself."""

PRIVATE = ("hashed_password", "is_admin")


def test_no_private_field_leaves_the_server(client):
    for user_id in (1, 2):
        body = client.get(f"/users/{user_id}").json()
        leaked = [field for field in PRIVATE if field in body]
        assert not leaked, (
            f"GET /users/{user_id} sent {', '.join(leaked)}: {leaked[0]} left the server. "
            "Declare the public model as the return type, -> UserOut"
        )


def test_the_public_fields_are_all_there(client):
    body = client.get("/users/1").json()
    missing = [f for f in ("id", "username", "email", "created_at", "timezone") if f not in body]
    assert not missing, (
        f"GET /users/1 is missing {', '.join(missing)}: a client should see every field of "
        "UserOut (id, username, email, created_at, timezone, locale)"
    )
    assert body["username"] == "alice", f"GET /users/1 returned the user {body['username']!r}"


def test_an_unknown_user_is_still_a_404(client):
    status = client.get("/users/99").status_code
    assert status == 404, f"GET /users/99 answered {status}; it should still answer 404"
