import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def client(example):
    return TestClient(example("one_envelope").app, raise_server_exceptions=False)


def test_over_withdrawal_is_in_the_envelope(client):
    response = client.post("/withdraw", json={"amount": 150})
    assert response.status_code == 402
    assert response.json() == {
        "error": "insufficient_funds",
        "message": "This needs $150 but the wallet holds $100.",
        "balance": 100,
        "needed": 150,
    }


def test_validation_errors_are_in_the_envelope_without_the_input(client):
    response = client.post("/withdraw", json={"amount": "abc"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_failed"
    assert body["message"].startswith("body.amount: ")
    assert body["details"] == [
        {
            "loc": ["body", "amount"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]


def test_http_exceptions_keep_their_headers(client):
    response = client.get("/vault")
    assert response.json() == {"error": "not_authenticated", "message": "The vault needs a token"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_routing_errors_use_the_envelope_too(client):
    assert client.get("/nowhere").json() == {"error": "not_found", "message": "Not Found"}
    response = client.post("/vault")
    assert response.json()["error"] == "method_not_allowed"
    assert response.headers["allow"] == "GET"


def test_the_500_is_still_the_default(client):
    assert client.get("/report").text == "Internal Server Error"
