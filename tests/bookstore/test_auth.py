"""Signing up, signing in, tokens and roles."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from tests.bookstore.conftest import TEST_SECRET, bearer, book_payload, sign_in, sign_up


def test_sign_up_returns_the_public_user_without_any_password(client):
    response = client.post(
        "/users",
        json={"username": "Ada", "email": "Ada@Example.com", "password": "correct horse"},
    )

    assert response.status_code == 201
    user = response.json()
    assert user["username"] == "ada"
    assert user["email"] == "ada@example.com"
    assert user["role"] == "reader"
    assert "password" not in response.text
    assert "argon2" not in response.text


def test_signing_in_returns_a_bearer_token_for_users_me(client):
    headers = sign_up(client, "grace", full_name="Grace Hopper")

    response = client.get("/users/me", headers=headers)

    assert response.status_code == 200
    assert response.json()["full_name"] == "Grace Hopper"
    assert "hashed_password" not in response.json()


def test_token_carries_subject_issued_at_and_expiry(client, settings):
    sign_up(client, "linus")

    token = client.post("/token", data={"username": "linus", "password": "reader-password"})

    body = token.json()
    claims = jwt.decode(body["access_token"], TEST_SECRET, algorithms=["HS256"])
    assert set(claims) == {"sub", "iat", "exp"}
    assert claims["exp"] - claims["iat"] == settings.access_token_minutes * 60
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_minutes * 60


@pytest.mark.parametrize("field", ["username", "email"])
def test_signing_up_twice_with_the_same_name_or_address_is_a_conflict(client, field):
    sign_up(client, "margaret")
    other = {"username": "someone", "email": "someone@example.com", "password": "long enough"}
    other[field] = {"username": "MARGARET", "email": "margaret@example.com"}[field]

    response = client.post("/users", json=other)

    assert response.status_code == 409
    assert response.json()["error"] == "conflict"


@pytest.mark.parametrize(
    "change",
    [
        {"password": "short"},
        {"username": "x"},
        {"username": "no spaces"},
        {"email": "not-an-address"},
        {"role": "admin"},
    ],
)
def test_invalid_or_unknown_sign_up_fields_are_refused_and_nothing_is_created(client, change):
    data = {"username": "mallory", "email": "m@example.com", "password": "long enough"} | change

    response = client.post("/users", json=data)

    assert response.status_code == 422
    assert "long enough" not in response.text  # the input is never echoed back
    login = client.post("/token", data={"username": "mallory", "password": "long enough"})
    assert login.status_code == 401


@pytest.mark.parametrize(
    ("username", "password"), [("admin", "wrong-password"), ("nobody", "admin-password")]
)
def test_wrong_credentials_get_one_401_with_a_bearer_challenge(client, username, password):
    response = client.post("/token", data={"username": username, "password": password})

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["message"] == "Wrong username or password."


def _forged(claims: dict, key: str = TEST_SECRET) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


def _now() -> datetime:
    return datetime.now(UTC)


def _unsigned(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _tampered(client) -> str:
    good = sign_in(client, "admin", "admin-password")["Authorization"].removeprefix("Bearer ")
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "2"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda c: "not-a-jwt", id="malformed"),
        pytest.param(_tampered, id="tampered-payload"),
        pytest.param(
            lambda c: _forged(
                {"sub": "1", "iat": _now(), "exp": _now() + timedelta(hours=1)}, "k" * 40
            ),
            id="signed-with-another-key",
        ),
        pytest.param(
            lambda c: _unsigned({"sub": "1", "iat": 0, "exp": 4_000_000_000}), id="alg-none"
        ),
        pytest.param(
            lambda c: _forged(
                {"sub": "1", "iat": _now() - timedelta(hours=2), "exp": _now() - timedelta(hours=1)}
            ),
            id="expired",
        ),
        pytest.param(lambda c: _forged({"sub": "1"}), id="no-expiry"),
        pytest.param(
            lambda c: _forged({"sub": "999", "iat": _now(), "exp": _now() + timedelta(hours=1)}),
            id="unknown-user",
        ),
    ],
)
def test_bad_tokens_are_401_with_a_bearer_challenge(client, make_token):
    response = client.get("/users/me", headers=bearer(make_token(client)))

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json()["error"] == "not_authenticated"


def test_expired_token_says_it_expired(client):
    claims = {"sub": "1", "iat": _now() - timedelta(hours=2), "exp": _now() - timedelta(hours=1)}

    response = client.get("/users/me", headers=bearer(_forged(claims)))

    assert "expired" in response.json()["message"]


def test_missing_token_is_401_explaining_how_to_sign_in(client):
    response = client.get("/users/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "POST /token" in response.json()["message"]


def test_readers_may_not_change_the_catalogue(client, reader):
    response = client.post("/books", json=book_payload(), headers=reader)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert client.get("/books").json()["total"] == 0


def test_writing_books_without_a_token_is_401(client):
    assert client.post("/books", json=book_payload()).status_code == 401
    assert client.delete("/books/1").status_code == 401


def test_users_update_their_own_details(client, reader):
    response = client.patch(
        "/users/me", json={"full_name": "Rita R.", "email": "rita@example.org"}, headers=reader
    )

    assert response.status_code == 200
    assert client.get("/users/me", headers=reader).json()["email"] == "rita@example.org"


def test_users_cannot_take_another_users_address_or_clear_their_own(client, reader):
    sign_up(client, "other")

    taken = client.patch("/users/me", json={"email": "other@example.com"}, headers=reader)
    cleared = client.patch("/users/me", json={"email": None}, headers=reader)

    assert taken.status_code == 409
    assert cleared.status_code == 422
    assert client.get("/users/me", headers=reader).json()["email"] == "reader@example.com"
