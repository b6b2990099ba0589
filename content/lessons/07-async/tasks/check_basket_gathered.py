import time


def test_basket_fetches_both_prices_at_once(client):
    client.get("/basket", timeout=10)  # the first request also warms the server up
    started = time.perf_counter()
    response = client.get("/basket", timeout=10)
    took_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, f"GET /basket answered {response.status_code}"
    body = response.json()
    assert body == {"tea": 3.5, "cake": 4.25, "total": 7.75}, (
        f"GET /basket answered {body}: it should still fetch both prices and add them up"
    )
    assert took_ms < 500, (
        f"GET /basket took {took_ms:.0f} ms: the two 300 ms price calls still ran one after "
        "the other. Start both before awaiting either: "
        '`tea, cake = await asyncio.gather(fetch_price("tea"), fetch_price("cake"))`'
    )
