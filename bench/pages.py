"""How close serving a lesson page through the whole app comes to serving the same bytes bare.

Both run under the same server (Uvicorn, one process, same options) and take the same load from a
separate process. Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import sys
import tempfile
import time
from pathlib import Path

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _load import load

from deepdive.course.loader import load_course
from deepdive.db.migrate import open_database
from deepdive.settings import Settings

CONTENT = Path(__file__).resolve().parents[1] / "content"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(data_dir: str, port: int) -> Settings:
    return Settings(data_dir=Path(data_dir), content_dir=CONTENT, port=port).prepare()


def _serve_app(data_dir: str, port: int) -> None:
    from deepdive.web.app import create_app

    app = create_app(_settings(data_dir, port), load_course(CONTENT))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _serve_bare(body: bytes, port: int) -> None:
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    async def page(_request: object) -> Response:
        return Response(body, media_type="text/html; charset=utf-8")

    app = Starlette(routes=[Route("/lessons/{slug}", page)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False)


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _measure(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Accept: text/html\r\n\r\n"
    ).encode()
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(load, ("127.0.0.1", port, request, seconds, connections))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    course = load_course(CONTENT)
    slug = course.lessons[0].slug
    path = f"/lessons/{slug}"
    spawn = multiprocessing.get_context("spawn")

    with tempfile.TemporaryDirectory() as data_dir:
        app_port, bare_port = _free_port(), _free_port()
        open_database(_settings(data_dir, app_port).database_url or "").dispose()
        app_process = spawn.Process(target=_serve_app, args=(data_dir, app_port), daemon=True)
        app_process.start()
        try:
            _wait(f"http://127.0.0.1:{app_port}/health")
            with httpx.Client(base_url=f"http://127.0.0.1:{app_port}") as browser:
                browser.get("/")
                first = browser.get(path)
                body = browser.get(path).content
                cookie = f"deepdive_csrf={browser.cookies['deepdive_csrf']}"
            assert first.status_code == 200
            bare_process = spawn.Process(target=_serve_bare, args=(body, bare_port), daemon=True)
            bare_process.start()
            try:
                _wait(f"http://127.0.0.1:{bare_port}{path}")
                rows = []
                # Alternate which server goes first, so drift and order affect both alike.
                for number in range(args.rounds):
                    ports = (bare_port, app_port) if number % 2 == 0 else (app_port, bare_port)
                    done = {
                        port: _measure(port, path, cookie, args.seconds, args.connections)
                        for port in ports
                    }
                    rows.append((done[bare_port], done[app_port]))
            finally:
                bare_process.terminate()
        finally:
            app_process.terminate()

    ratios = sorted(full["rps"] / bare["rps"] for bare, full in rows)
    median_ratio = ratios[len(ratios) // 2]  # of paired rounds: load elsewhere hits both alike
    best_bare = max(r[0]["rps"] for r in rows)
    best_app = max(r[1]["rps"] for r in rows)
    print(
        f"Lesson page {path}: {len(body):,} bytes, {args.connections} connections, "
        f"{args.seconds:.0f} s per measurement, {args.rounds} rounds"
    )
    print(
        f"{'round':>5} {'server':<22} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'client CPU':>10}"
    )
    for number, (bare, full) in enumerate(rows, 1):
        for name, figures in (("bare Starlette route", bare), ("course app", full)):
            print(
                f"{number:>5} {name:<22} {figures['rps']:>9.0f} {figures['p50_ms']:>8.2f} "
                f"{figures['p95_ms']:>8.2f} {figures['client_cpu']:>9.0%}"
            )
    ratio = best_app / best_bare
    print(
        f"best of rounds: app {best_app:.0f} req/s, bare {best_bare:.0f} req/s, ratio {ratio:.2f}; "
        f"median ratio of paired rounds {median_ratio:.2f}"
    )
    print(
        json.dumps(
            {
                "page_bytes": len(body),
                "app_rps": round(best_app, 1),
                "bare_rps": round(best_bare, 1),
                "ratio": round(ratio, 3),
                "median_ratio": round(median_ratio, 3),
                "connections": args.connections,
                "seconds_per_measurement": args.seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
