"""A small HTTP/1.1 keep-alive load generator (asyncio, raw sockets), run in its own process.

It is deliberately lighter than the servers it measures: no parsing beyond the status line and
Content-Length, many connections in flight.
"""

from __future__ import annotations

import asyncio
import time


async def _connection(
    host: str, port: int, request: bytes, deadline: float, counts: list[int], latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != 200:
                raise RuntimeError(f"server answered {status}")
            counts[0] += 1
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _run(host: str, port: int, request: bytes, seconds: float, connections: int) -> dict:
    counts = [0]
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    cpu_started = time.process_time()
    await asyncio.gather(
        *(_connection(host, port, request, deadline, counts, latencies) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": counts[0],
        "seconds": elapsed,
        "rps": counts[0] / elapsed,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "client_cpu": (time.process_time() - cpu_started) / elapsed,
    }


def load(host: str, port: int, request: bytes, seconds: float, connections: int) -> dict:
    return asyncio.run(_run(host, port, request, seconds, connections))
