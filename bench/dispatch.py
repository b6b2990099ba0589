"""Benchmark run dispatch: the direct socket runner versus runs through Redis Streams.

At the same load (`--concurrency` runs in flight per runner, each a small app and one
request), measures run latency (submit to result, p50/p99) of:

* the direct runner on a Unix socket (1 worker);
* one `deepdive runner --redis` (1 worker), through Redis;
* two of them (1 worker each), with twice the runs in flight.

Needs a Redis it may flush: `DEEPDIVE_BENCH_REDIS_URL` (default redis://127.0.0.1:6379/3).
Prints a table, then one JSON object on the last line.

    python bench/dispatch.py [--runs 20] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import redis
from rich.console import Console
from rich.table import Table

from deepdive.sandbox.client import EventsClient, RunnerClient
from deepdive.sandbox.local import start_local_runner
from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.streams import StreamsClient
from deepdive.sandbox.testing import start_stream_runner
from deepdive.settings import Settings

APP = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root():
    return {"message": "hello"}
"""
REQUEST = RunRequest(code=APP, requests=[HttpRequest(path="/")])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _load(client: EventsClient, runs: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    left = [runs]

    async def worker() -> None:
        while left[0] > 0:
            left[0] -= 1
            started = time.perf_counter()
            result = await client.run(REQUEST)
            assert result.outcome == "ok", result.message
            latencies.append((time.perf_counter() - started) * 1000)

    await client.run(REQUEST)  # warm: the first run pays for connections
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - began
    return {
        "runs": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "runs_per_second": round(len(latencies) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per runner")
    parser.add_argument("--concurrency", type=int, default=2, help="runs in flight per runner")
    options = parser.parse_args()
    redis_url = os.environ.get("DEEPDIVE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    with redis.Redis.from_url(redis_url) as connection:
        connection.flushdb()
    figures: dict[str, object] = {"concurrency_per_runner": options.concurrency}
    with tempfile.TemporaryDirectory(prefix="deepdive-bench-") as home:
        settings = Settings(data_dir=Path(home) / "direct", sandbox_workers=1)
        direct = start_local_runner(settings)
        try:
            figures["direct"] = asyncio.run(
                _load(RunnerClient(direct.url), options.runs, options.concurrency)
            )
        finally:
            direct.stop()
        runners = [start_stream_runner(Path(home) / "a", redis_url, "bench-a")]
        try:
            client = StreamsClient(redis_url)
            figures["redis_1_runner"] = asyncio.run(
                _load(client, options.runs, options.concurrency)
            )
            runners.append(start_stream_runner(Path(home) / "b", redis_url, "bench-b"))
            figures["redis_2_runners"] = asyncio.run(
                _load(StreamsClient(redis_url), 2 * options.runs, 2 * options.concurrency)
            )
        finally:
            for process in runners:
                process.terminate()
            for process in runners:
                process.wait(20)
    figures["load_average_1m"] = round(os.getloadavg()[0], 2)
    table = Table(title=f"Run latency, {options.concurrency} runs in flight per runner")
    for column in ("", "runs", "p50 ms", "p99 ms", "runs/s"):
        table.add_column(column, justify="right" if column else "left")
    for name in ("direct", "redis_1_runner", "redis_2_runners"):
        row = figures[name]
        assert isinstance(row, dict)
        table.add_row(
            name, *(str(row[key]) for key in ("runs", "p50_ms", "p99_ms", "runs_per_second"))
        )
    Console().print(table)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
