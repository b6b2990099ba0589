import jwt
import pytest
from fastapi.testclient import TestClient

ALICE = {"username": "alice", "password": "wonderland"}


@pytest.fixture
def module(example):
    return example("token_app_secure")


def test_tokens_live_five_minutes(module):
    token = TestClient(module.app).post("/token", data=ALICE).json()["access_token"]
    claims = jwt.decode(token, module.SECRET_KEY, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 300


def test_a_token_for_a_closed_account_is_a_401(module):
    client = TestClient(module.app)
    headers = {
        "Authorization": f"Bearer {client.post('/token', data=ALICE).json()['access_token']}"
    }
    assert client.delete("/me", headers=headers).status_code == 204
    response = client.get("/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_token_for_someone_who_never_existed_is_a_401(module):
    forged = jwt.encode({"sub": "nobody", "exp": 2**40}, module.SECRET_KEY, algorithm="HS256")
    response = TestClient(module.app).get("/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
