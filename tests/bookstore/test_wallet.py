"""Store credit: deposits, withdrawals, the 402 for insufficient funds, buying books."""

from __future__ import annotations

import pytest


def test_a_new_wallet_is_empty(client, reader):
    assert client.get("/wallet", headers=reader).json() == {"balance_cents": 0}


def test_deposits_and_withdrawals_change_the_balance(client, reader):
    client.post("/wallet/deposit", json={"amount": 2_500}, headers=reader)

    response = client.post("/wallet/withdraw", json={"amount": 1_000}, headers=reader)

    assert response.status_code == 200
    assert response.json() == {"balance_cents": 1_500}
    assert client.get("/wallet", headers=reader).json() == {"balance_cents": 1_500}


def test_withdrawing_more_than_the_balance_is_402_and_takes_nothing(client, reader):
    client.post("/wallet/deposit", json={"amount": 300}, headers=reader)

    response = client.post("/wallet/withdraw", json={"amount": 500}, headers=reader)

    assert response.status_code == 402
    body = response.json()
    assert (body["error"], body["balance"], body["needed"]) == ("insufficient_funds", 300, 500)
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert client.get("/wallet", headers=reader).json() == {"balance_cents": 300}


@pytest.mark.parametrize("amount", [0, -5, 1.5, "ten", 1_000_001, None])
def test_amounts_must_be_positive_whole_cents_within_the_limit(client, reader, amount):
    response = client.post("/wallet/deposit", json={"amount": amount}, headers=reader)

    assert response.status_code == 422
    assert client.get("/wallet", headers=reader).json() == {"balance_cents": 0}


def test_the_wallet_needs_a_signed_in_user(client):
    assert client.get("/wallet").status_code == 401
    assert client.post("/wallet/deposit", json={"amount": 1}).status_code == 401


def test_buying_a_book_pays_for_it_and_records_the_purchase(client, reader, add_book):
    book = add_book(title="Beloved", price_cents=1_200)
    client.post("/wallet/deposit", json={"amount": 2_000}, headers=reader)

    response = client.post("/wallet/purchases", json={"book_id": book["id"]}, headers=reader)

    assert response.status_code == 201
    assert response.json()["title"] == "Beloved"
    assert client.get("/wallet", headers=reader).json() == {"balance_cents": 800}
    purchases = client.get("/wallet/purchases", headers=reader).json()
    assert [(p["book_id"], p["price_cents"]) for p in purchases] == [(book["id"], 1_200)]


def test_buying_without_enough_credit_is_402_and_records_nothing(client, reader, add_book):
    book = add_book(price_cents=1_200)
    client.post("/wallet/deposit", json={"amount": 1_000}, headers=reader)

    response = client.post("/wallet/purchases", json={"book_id": book["id"]}, headers=reader)

    assert response.status_code == 402
    assert (response.json()["balance"], response.json()["needed"]) == (1_000, 1_200)
    assert client.get("/wallet/purchases", headers=reader).json() == []


def test_buying_a_book_twice_is_a_conflict_and_charges_once(client, reader, add_book):
    book = add_book(price_cents=400)
    client.post("/wallet/deposit", json={"amount": 1_000}, headers=reader)
    client.post("/wallet/purchases", json={"book_id": book["id"]}, headers=reader)

    again = client.post("/wallet/purchases", json={"book_id": book["id"]}, headers=reader)

    assert again.status_code == 409
    assert client.get("/wallet", headers=reader).json() == {"balance_cents": 600}


def test_buying_a_missing_book_is_404(client, reader):
    response = client.post("/wallet/purchases", json={"book_id": 404}, headers=reader)

    assert response.status_code == 404


def test_a_purchase_outlives_the_book_leaving_the_catalogue(client, reader, admin, add_book):
    book = add_book(title="Out of print", price_cents=0)
    client.post("/wallet/purchases", json={"book_id": book["id"]}, headers=reader)

    client.delete(f"/books/{book['id']}", headers=admin)

    [purchase] = client.get("/wallet/purchases", headers=reader).json()
    assert (purchase["book_id"], purchase["title"]) == (None, "Out of print")
