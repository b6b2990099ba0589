"""Hidden tests: only tokens this service signed, and that have not expired, are accepted."""

import time

import jwt

SECRET = "incident-signing-key-keep-it-private-0001"


def _token(client, username="alice", password="wonderland"):
    response = client.post("/token", data={"username": username, "password": password})
    return response.json()["access_token"]


def _me(client, token):
    return client.get("/me", headers={"Authorization": f"Bearer {token}"})


def test_a_real_token_reads_the_account(client):
    response = _me(client, _token(client))
    assert response.status_code == 200, (
        f"GET /me with a fresh token answered {response.status_code}"
    )
    assert response.json() == {"username": "alice"}, f"GET /me returned {response.json()}"


def test_a_token_with_a_changed_payload_is_refused(client):
    header, _, signature = _token(client).split(".")
    forged_payload = jwt.encode({"sub": "bob", "exp": int(time.time()) + 900}, "x").split(".")[1]
    response = _me(client, f"{header}.{forged_payload}.{signature}")
    assert response.status_code == 401, (
        f"A token whose payload was changed to bob (signature kept) answered "
        f"{response.status_code} {response.text}: verify the signature"
    )


def test_a_token_signed_with_another_key_is_refused(client):
    token = jwt.encode(
        {"sub": "bob", "exp": int(time.time()) + 900}, "guessed-key-guessed-key-guessed!!"
    )
    assert _me(client, token).status_code == 401


def test_an_expired_token_is_refused(client):
    token = jwt.encode({"sub": "alice", "exp": int(time.time()) - 60}, SECRET, algorithm="HS256")
    assert _me(client, token).status_code == 401


def test_an_unsigned_token_is_refused(client):
    token = jwt.encode({"sub": "bob", "exp": int(time.time()) + 900}, None, algorithm="none")
    response = _me(client, token)
    assert response.status_code == 401
    assert response.headers.get("www-authenticate") == "Bearer"


def test_a_wrong_password_gets_no_token(client):
    response = client.post("/token", data={"username": "alice", "password": "guess"})
    assert response.status_code == 401
