"""Concurrent withdrawals against a real server: the balance can never go negative.

Twenty-five threads withdraw at the same instant from a real Uvicorn server, whose thread pool
runs the requests in parallel against the database. A read-then-write implementation fails
this test: requests would read the same balance and either all succeed (lost updates) or,
on SQLite, collide.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from tests.bookstore.conftest import sign_up

WITHDRAWALS = 25
AMOUNT = 100
DEPOSIT = 1_000  # enough for exactly ten withdrawals


def _race(url: str, headers: dict[str, str], path: str, bodies: list[dict]) -> list[int]:
    start = threading.Barrier(len(bodies))

    def attempt(body: dict) -> int:
        with httpx.Client(base_url=url, timeout=60) as http:
            start.wait()
            return http.post(path, json=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(attempt, bodies))


def test_concurrent_withdrawals_never_overdraw_the_wallet(live_server):
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        reader = sign_up(http, "racer")
        http.post("/wallet/deposit", json={"amount": DEPOSIT}, headers=reader)

        statuses = _race(
            live_server.url, reader, "/wallet/withdraw", [{"amount": AMOUNT}] * WITHDRAWALS
        )

        assert Counter(statuses) == {200: DEPOSIT // AMOUNT, 402: WITHDRAWALS - DEPOSIT // AMOUNT}
        assert http.get("/wallet", headers=reader).json() == {"balance_cents": 0}


def test_concurrent_purchases_spend_each_cent_once(live_server, add_book):
    prices = [300] * 20
    books = [add_book(price_cents=price) for price in prices]
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        reader = sign_up(http, "shopper")
        http.post("/wallet/deposit", json={"amount": 1_500}, headers=reader)

        statuses = _race(
            live_server.url, reader, "/wallet/purchases", [{"book_id": b["id"]} for b in books]
        )

        assert Counter(statuses) == {201: 5, 402: 15}
        assert http.get("/wallet", headers=reader).json() == {"balance_cents": 0}
        assert len(http.get("/wallet/purchases", headers=reader).json()) == 5
