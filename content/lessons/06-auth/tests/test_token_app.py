import jwt
import pytest
from fastapi.testclient import TestClient

ALICE = {"username": "alice", "password": "wonderland"}


@pytest.fixture
def module(example):
    return example("token_app")


@pytest.fixture
def client(module):
    return TestClient(module.app, raise_server_exceptions=False)


def _token(client):
    return client.post("/token", data=ALICE).json()["access_token"]


def test_wrong_password_is_a_401_with_a_bearer_challenge(client):
    response = client.post("/token", data={"username": "alice", "password": "guess"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Incorrect username or password"}


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/token", data={"username": "mallory", "password": "wonderland"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}


def test_the_token_holds_sub_and_a_thirty_minute_exp_but_no_password(module, client):
    token = _token(client)
    claims = jwt.decode(token, module.SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 30 * 60
    assert "wonderland" not in str(claims)
    assert "hashed_password" not in claims


def test_only_the_hash_is_stored(module):
    stored = module.USERS["alice"]["hashed_password"]
    assert stored.startswith("$argon2id$")
    assert module.password_hash.verify("wonderland", stored)


def test_me_answers_with_the_token(client):
    response = client.get("/me", headers={"Authorization": f"Bearer {_token(client)}"})
    assert response.status_code == 200
    assert response.json() == {"username": "alice", "full_name": "Alice Liddell"}


def test_no_header_is_a_401_with_a_bearer_challenge(client):
    response = client.get("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Not authenticated"}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token, key: jwt.encode({"sub": "mallory"}, "another-secret", algorithm="HS256"),
        lambda token, key: token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        lambda token, key: jwt.encode({"sub": "alice"}, key, algorithm="HS512"),
        lambda token, key: "eyJhbGciOiJub25lIn0." + token.split(".")[1] + ".",
        lambda token, key: "...",
    ],
    ids=["another-secret", "signature-edited", "other-algorithm", "alg-none", "three-dots"],
)
def test_bad_tokens_are_refused(module, client, tamper):
    bad = tamper(_token(client), module.SECRET_KEY)
    response = client.get("/me", headers={"Authorization": f"Bearer {bad}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Could not validate credentials"}


def test_an_expired_token_is_refused(module, client):
    expired = jwt.encode({"sub": "alice", "exp": 1}, module.SECRET_KEY, algorithm="HS256")
    response = client.get("/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401


def test_a_closed_account_breaks_me_until_it_is_checked(client):
    headers = {"Authorization": f"Bearer {_token(client)}"}
    assert client.delete("/me", headers=headers).status_code == 204
    assert client.get("/me", headers=headers).status_code == 500
