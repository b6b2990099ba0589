import asyncio

from fastapi.testclient import TestClient


def test_report_and_basket_answer(example):
    client = TestClient(example("waiting_styles").app)
    assert client.get("/report/10").json() == {"report": "ready", "took_ms": 10}
    assert client.get("/basket").json() == {"tea": 3.5, "cake": 4.25, "total": 7.75}


def test_basket_awaits_the_prices_one_after_the_other(example, monkeypatch):
    module = example("waiting_styles")
    running: list[int] = []
    peak = 0

    async def counted_sleep(seconds: float) -> None:
        nonlocal peak
        running.append(1)
        peak = max(peak, len(running))
        await original(0)
        running.pop()

    original = asyncio.sleep
    monkeypatch.setattr(module.asyncio, "sleep", counted_sleep)
    TestClient(module.app).get("/basket")
    assert peak == 1
