import random
import time

import pytest

# Prices drawn afresh for every check and set through the pricing service, so only an app that
# really fetches both prices answers with them.
TEA = random.randint(101, 999) / 100
CAKE = random.randint(101, 999) / 100


def test_basket_fetches_both_prices_at_once(client):
    for item, price in (("tea", TEA), ("cake", CAKE)):
        answer = client.put(f"/prices/{item}", params={"price": price}, timeout=10)
        assert answer.status_code == 200, (
            f"PUT /prices/{item} answered {answer.status_code}: keep the pricing routes as they are"
        )
    client.get("/basket", timeout=10)  # the first request also warms the server up
    started = time.perf_counter()
    response = client.get("/basket", timeout=10)
    took_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, f"GET /basket answered {response.status_code}"
    body = response.json()
    expected = {"tea": TEA, "cake": CAKE, "total": pytest.approx(TEA + CAKE)}
    assert body == expected, (
        f"GET /basket answered {body} with tea at {TEA} and cake at {CAKE}: it should still "
        "fetch both prices with fetch_price and add them up"
    )
    assert took_ms >= 250, (
        f"GET /basket took {took_ms:.0f} ms: it did not wait for the pricing service. Fetch "
        "both prices with fetch_price"
    )
    assert took_ms < 500, (
        f"GET /basket took {took_ms:.0f} ms: the two 300 ms price calls still ran one after "
        "the other. Start both before awaiting either: "
        '`tea, cake = await asyncio.gather(fetch_price("tea"), fetch_price("cake"))`'
    )
