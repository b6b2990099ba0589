import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def wallet_app(example):
    return example("wallet_app")


@pytest.fixture
def client(wallet_app):
    return TestClient(wallet_app.app, raise_server_exceptions=False)


def test_withdrawing_30_leaves_70(client):
    response = client.post("/withdraw", json={"amount": 30})
    assert response.status_code == 200
    assert response.json() == {"balance": 70}


def test_withdrawing_everything_leaves_zero(client):
    assert client.post("/withdraw", json={"amount": 100}).json() == {"balance": 0}


def test_over_withdrawal_is_a_402_from_the_registered_handler(client, wallet_app):
    response = client.post("/withdraw", json={"amount": 150})
    assert response.status_code == 402
    assert response.json() == {"error": "insufficient_funds", "balance": 100, "needed": 150}
    assert wallet_app.wallet["balance"] == 100


@pytest.mark.parametrize(("amount", "error_type"), [(-5, "greater_than"), ("abc", "int_parsing")])
def test_bad_amounts_get_the_default_422(client, amount, error_type):
    response = client.post("/withdraw", json={"amount": amount})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "amount"]
    assert error["type"] == error_type


def test_http_exception_keeps_its_headers(client):
    response = client.get("/vault")
    assert response.status_code == 401
    assert response.json() == {"detail": "The vault needs a token"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unhandled_exception_is_a_bare_500(client):
    response = client.get("/report")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert response.headers["content-type"].startswith("text/plain")


def test_the_unhandled_exception_is_raised_again_for_the_server_to_log(wallet_app):
    with pytest.raises(ZeroDivisionError):
        TestClient(wallet_app.app).get("/report")


def test_the_yield_dependency_sees_the_exception_and_still_closes(client, capsys):
    response = client.post("/transfer", json={"amount": 500})
    assert response.status_code == 402
    assert capsys.readouterr().out.splitlines() == [
        "ledger: opened",
        "ledger: rolled back",
        "ledger: closed",
    ]


def test_a_transfer_that_fits_is_recorded(client, capsys):
    response = client.post("/transfer", json={"amount": 5})
    assert response.json() == {"entries": ["opening balance: 100", "transfer: 5"]}
    assert "rolled back" not in capsys.readouterr().out


def test_an_unknown_route_gets_the_default_404(client):
    assert client.get("/nowhere").json() == {"detail": "Not Found"}
