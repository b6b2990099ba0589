import asyncio
import time
from typing import Literal

from fastapi import FastAPI, Query
from fastapi.concurrency import run_in_threadpool

app = FastAPI()


@app.get("/async-await/{ms}")
async def async_await(ms: int):
    await asyncio.sleep(ms / 1000)  # hands control back to the event loop while it waits
    return {"variant": "async-await", "waited_ms": ms}


@app.get("/def-sleep/{ms}")
def def_sleep(ms: int):
    time.sleep(ms / 1000)  # blocks a worker thread, not the event loop
    return {"variant": "def-sleep", "waited_ms": ms}


@app.get("/async-blocking/{ms}")
async def async_blocking(ms: int):
    time.sleep(ms / 1000)  # blocks the event loop itself: every other request waits
    return {"variant": "async-blocking", "waited_ms": ms}


def legacy_lookup(ms: int) -> dict[str, int | str]:
    """A client library with no async API: it blocks while it waits."""
    time.sleep(ms / 1000)
    return {"variant": "threadpool", "waited_ms": ms}


@app.get("/threadpool/{ms}")
async def via_threadpool(ms: int):
    return await run_in_threadpool(legacy_lookup, ms)


def build_report(ms: int) -> dict[str, int | str]:
    """Stands in for a reporting library that only has a blocking API."""
    time.sleep(ms / 1000)
    return {"report": "ready", "took_ms": ms}


PRICES = {"tea": 3.5, "cake": 4.25}  # what the pricing service charges today


async def fetch_price(item: str) -> float:
    await asyncio.sleep(0.3)  # one call to a pricing service
    return PRICES[item]


@app.put("/prices/{item}")
async def set_price(item: Literal["tea", "cake"], price: float = Query(gt=0)):
    PRICES[item] = price  # the pricing service changes its mind
    return {"item": item, "price": price}


@app.get("/report/{ms}")
async def report(ms: int):
    return await run_in_threadpool(build_report, ms)


@app.get("/basket")
async def basket():
    # The answer the starter gives, written down instead of fetched.
    return {"tea": 3.5, "cake": 4.25, "total": 7.75}
