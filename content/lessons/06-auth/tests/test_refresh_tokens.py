import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(example):
    return TestClient(example("refresh_tokens").app)


@pytest.fixture
def tokens(client):
    return client.post("/token", data={"username": "alice", "password": "wonderland"}).json()


def test_login_gives_both_tokens(tokens):
    assert set(tokens) == {"access_token", "refresh_token", "token_type"}


def test_the_access_token_opens_me(client, tokens):
    response = client.get("/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert response.json() == {"username": "alice"}


def test_the_refresh_token_is_refused_at_me(client, tokens):
    response = client.get("/me", headers={"Authorization": f"Bearer {tokens['refresh_token']}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "This route needs the access token"}


def test_refresh_trades_a_refresh_token_for_a_new_access_token(client, tokens):
    response = client.post("/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 200
    new = response.json()["access_token"]
    assert client.get("/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_an_access_token_cannot_refresh(client, tokens):
    response = client.post("/refresh", json={"refresh_token": tokens["access_token"]})
    assert response.status_code == 401
    assert response.json() == {"detail": "This route needs the refresh token"}
