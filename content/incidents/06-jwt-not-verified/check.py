"""Hidden tests: only tokens this service signed, and that have not expired, are accepted."""

import random
import secrets
import time

import jwt

SECRET = "incident-signing-key-keep-it-private-0001"
PASSWORDS = {"alice": "wonderland", "bob": "builder"}
# Drawn for every check: who edits a token and whose name is put in it, how long the forged
# tokens claim to last, and how long ago the expired one ran out. Both accounts really log in,
# so only a service that verifies every token, whoever it names, passes.
ATTACKER, VICTIM = random.sample(sorted(PASSWORDS), 2)
LIFETIME = random.randint(300, 3600)
EXPIRED_AGO = random.randint(60, 30 * 24 * 3600)


def _token(client, username="alice", password=None):
    password = PASSWORDS[username] if password is None else password
    response = client.post("/token", data={"username": username, "password": password})
    return response.json()["access_token"]


def _me(client, token):
    return client.get("/me", headers={"Authorization": f"Bearer {token}"})


def _claims(sub):
    return {"sub": sub, "exp": int(time.time()) + LIFETIME}


def test_a_real_token_reads_the_account(client):
    for username in random.sample(sorted(PASSWORDS), 2):
        response = _me(client, _token(client, username))
        assert response.status_code == 200, (
            f"GET /me with {username}'s fresh token answered {response.status_code}"
        )
        assert response.json() == {"username": username}, (
            f"GET /me with {username}'s token returned {response.json()}"
        )


def test_a_token_with_a_changed_payload_is_refused(client):
    header, _, signature = _token(client, ATTACKER).split(".")
    forged_payload = jwt.encode(_claims(VICTIM), "x").split(".")[1]
    response = _me(client, f"{header}.{forged_payload}.{signature}")
    assert response.status_code == 401, (
        f"{ATTACKER}'s token with its payload changed to {VICTIM} (signature kept) answered "
        f"{response.status_code} {response.text}: verify the signature"
    )


def test_a_token_signed_with_another_key_is_refused(client):
    token = jwt.encode(_claims(VICTIM), secrets.token_urlsafe(32))
    assert _me(client, token).status_code == 401


def test_an_expired_token_is_refused(client):
    claims = {"sub": VICTIM, "exp": int(time.time()) - EXPIRED_AGO}
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert _me(client, token).status_code == 401


def test_an_unsigned_token_is_refused(client):
    token = jwt.encode(_claims(VICTIM), None, algorithm="none")
    response = _me(client, token)
    assert response.status_code == 401
    assert response.headers.get("www-authenticate") == "Bearer"


def test_a_wrong_password_gets_no_token(client):
    response = client.post("/token", data={"username": "alice", "password": "guess"})
    assert response.status_code == 401
