"""Task: the access token expires five minutes after it is issued."""

import time

import jwt

LOGIN = {"username": "alice", "password": "wonderland"}


def _token(client):
    response = client.post("/token", data=LOGIN)
    assert response.status_code == 200, (
        f"POST /token with alice's right password answered {response.status_code}; keep the "
        "login working while you change the lifetime"
    )
    return response.json()["access_token"]


def test_the_token_carries_an_expiry(client):
    claims = jwt.decode(_token(client), options={"verify_signature": False})
    assert "exp" in claims, (
        "the token has no exp claim, so it never expires: keep exp in the claims you sign"
    )


def test_the_token_expires_five_minutes_after_login(client):
    before = time.time()
    claims = jwt.decode(_token(client), options={"verify_signature": False})
    left = claims.get("exp", 0) - before
    assert 290 <= left <= 310, (
        f"the token expires {left:.0f} seconds after login; it should be 300 seconds (five "
        "minutes): timedelta(minutes=5)"
    )


def test_the_token_still_opens_me(client):
    response = client.get("/me", headers={"Authorization": f"Bearer {_token(client)}"})
    assert response.status_code == 200, (
        f"GET /me with a fresh token answered {response.status_code}; a new token must still "
        "be accepted"
    )
