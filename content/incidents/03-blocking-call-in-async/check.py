"""Hidden tests: quotes stay correct, each asks the upstream, and slow ones do not queue up."""

import random
import string
import time
from concurrent.futures import ThreadPoolExecutor


def _symbols(count: int) -> list[str]:
    """Ticker symbols drawn for every check (five letters: never the four-letter ones tried
    before), so only a service that asks the upstream for each passes."""
    drawn: set[str] = set()
    while len(drawn) < count:
        drawn.add("".join(random.choices(string.ascii_uppercase, k=5)))
    return sorted(drawn)


SYMBOLS = _symbols(6)
SYMBOL = SYMBOLS[0]


def _calls(client):
    return client.get("/stats").json()["upstream_calls"]


def test_a_quote_is_correct(client):
    response = client.get(f"/quotes/{SYMBOL}")
    assert response.status_code == 200, f"GET /quotes/{SYMBOL} answered {response.status_code}"
    assert response.json() == {"symbol": SYMBOL, "price": 100.0 + len(SYMBOL)}, (
        f"GET /quotes/{SYMBOL} returned {response.json()}"
    )


def test_six_quotes_at_once_do_not_wait_for_each_other(client):
    started = time.perf_counter()
    with ThreadPoolExecutor(len(SYMBOLS)) as pool:
        statuses = list(pool.map(lambda s: client.get(f"/quotes/{s}").status_code, SYMBOLS))
    elapsed = time.perf_counter() - started
    assert statuses == [200] * len(SYMBOLS), f"Some quotes failed: {statuses}"
    assert elapsed < 1.2, (
        f"Six quotes sent at once took {elapsed:.2f} s in total, about one upstream call after "
        "another: something blocks the event loop"
    )


def test_the_stats_answer_while_quotes_are_slow(client):
    with ThreadPoolExecutor(4) as pool:
        slow = [pool.submit(client.get, f"/quotes/{s}") for s in SYMBOLS[:3]]
        time.sleep(0.05)
        started = time.perf_counter()
        assert client.get("/stats").status_code == 200
        waited = time.perf_counter() - started
        for future in slow:
            future.result()
    assert waited < 0.25, f"GET /stats waited {waited:.2f} s behind the slow quotes"


def test_every_quote_asks_the_upstream(client):
    before = _calls(client)
    for _ in range(3):
        client.get(f"/quotes/{SYMBOL}")
    assert _calls(client) - before == 3
