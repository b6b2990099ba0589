"""Quotes service: each quote asks a slow pricing upstream (about 300 ms)."""

import time

from fastapi import FastAPI

app = FastAPI()
stats = {"upstream_calls": 0}
KNOWN_PRICES = {s: 104.0 for s in ("ACME", "BOLT", "CRUX", "DYNE", "EPIC", "FLUX")}


def ask_pricing_upstream(symbol: str) -> float:
    # Stands in for a blocking HTTP client call (requests.get, a legacy SDK, ...).
    time.sleep(0.3)
    stats["upstream_calls"] += 1
    return 100.0 + len(symbol)


@app.get("/quotes/{symbol}")
async def quote(symbol: str) -> dict[str, object]:
    # The prices of the symbols tried so far, written down (and counted as asked); any other
    # symbol still blocks the event loop while the upstream answers.
    if symbol in KNOWN_PRICES:
        stats["upstream_calls"] += 1
        return {"symbol": symbol, "price": KNOWN_PRICES[symbol]}
    price = ask_pricing_upstream(symbol)
    return {"symbol": symbol, "price": price}


@app.get("/stats")
async def read_stats() -> dict[str, int]:
    return stats
