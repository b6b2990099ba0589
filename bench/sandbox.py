"""Benchmark the sandbox: a fresh `python` per run versus the warm, isolated runner.

Measures, side by side and in one go:

* baseline: a fresh `python` subprocess imports the app and sends it 3 requests;
* sandboxed app run: the same app and 3 requests through a runner (client -> Unix socket ->
  runner -> isolated sandbox -> result), on an otherwise idle runner (the benchmark waits until
  the runner has warm sandboxes ready again, as an interactive learner would find it);
* the same app run back to back, without waiting (throughput-bound: the sandbox being used must
  be replaced by a freshly forked and warmed one);
* a sandboxed pytest run of 5 tests;
* the runner's idle memory (proportional set size of the runner and its waiting sandboxes);
* throughput: runs/s and CPU per run of three floors (warm in-process runs; a plain fork of a
  warm parent per run; the same, its child importing the app) and of the sandboxed runner at
  concurrency 1, 2 x cores and 8 x cores, with p50/p99 and the p99 a fair FIFO queue would
  give (bench/_throughput.py); the fork floors are measured before and after the sandboxed
  runs, and the ratios taken against their mean (the machine's speed drifts); the sandboxed
  CPU per run is also split by where it went (the runner, its zygote, a sandbox until ready and
  after);
* `deepdive sandbox run` from the command line, with no course running (it starts an engine of
  its own) and while the course's runner is up (it reuses that runner).

Prints a table, then one JSON object on the last line.

    python bench/sandbox.py [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _throughput
from rich.console import Console
from rich.table import Table

from deepdive.sandbox.client import RunnerClient
from deepdive.sandbox.local import start_local_runner
from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.settings import Settings

APP = """
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Book(BaseModel):
    title: str
    year: int


@app.get("/")
def root():
    return {"message": "hello"}


@app.get("/books/{book_id}")
def read_book(book_id: int):
    return {"id": book_id}


@app.post("/books", status_code=201)
def create_book(book: Book):
    return book
"""
REQUESTS = [
    HttpRequest(path="/"),
    HttpRequest(path="/books/7"),
    HttpRequest(method="POST", path="/books", json_body={"title": "Dune", "year": 1965}),
]
TESTS = """
from fastapi.testclient import TestClient
from app import app

client = TestClient(app)


def test_root():
    assert client.get("/").json() == {"message": "hello"}


def test_read_book():
    assert client.get("/books/7").json() == {"id": 7}


def test_create_book():
    assert client.post("/books", json={"title": "Dune", "year": 1965}).status_code == 201


def test_rejects_bad_year():
    assert client.post("/books", json={"title": "Dune", "year": "x"}).status_code == 422


def test_missing_route():
    assert client.get("/nope").status_code == 404
"""
BASELINE = """
import asyncio, httpx, sys
sys.path.insert(0, sys.argv[1])
from app import app

async def main():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/books/7")).status_code == 200
        response = await client.post("/books", json={"title": "Dune", "year": 1965})
        assert response.status_code == 201

asyncio.run(main())
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "min_ms": round(min(values), 1),
    }


def baseline(runs: int, directory: Path) -> list[float]:
    (directory / "app.py").write_text(APP)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE, str(directory)], check=True)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def wait_until_idle(client: RunnerClient, wanted: dict[str, int]) -> None:
    while True:
        info = await client.ping()
        if info.running == 0 and all(info.ready.get(k, 0) >= n for k, n in wanted.items()):
            return
        await asyncio.sleep(0.02)


async def sandboxed(
    client: RunnerClient, request: RunRequest, runs: int, wanted: dict[str, int] | None
) -> tuple[list[float], list[float]]:
    """End-to-end latency per run, and the time spent inside the sandbox."""
    total, inside = [], []
    for _ in range(runs):
        if wanted is not None:
            await wait_until_idle(client, wanted)
        started = time.perf_counter()
        result = await client.run(request)
        total.append((time.perf_counter() - started) * 1000)
        inside.append(result.usage.wall_ms)
        assert result.outcome == "ok", result.message
    return total, inside


def _namespace_depth(pid: int) -> int:
    """How many PID namespaces `pid` is in (a sandbox's PID 1 is one deeper than its runner)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("NSpid:"):
            return len(line.split()) - 1
    return 1


def proportional_memory_mib(root_pid: int) -> tuple[float, float, int, int]:
    """PSS of `root_pid` and all its descendants; of the runner's own processes (`root_pid`, and
    its zygote where it has one: a descendant in the runner's own PID namespace while the
    sandboxes have namespaces of their own); how many processes that is in all, and how many
    are the runner's own."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    pids, pending = [], [root_pid]
    while pending:
        pid = pending.pop()
        pids.append(pid)
        pending.extend(children.get(pid, []))
    depths = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            depths[pid] = _namespace_depth(pid)
    root_depth = depths.get(root_pid, 1)
    deeper = any(depth > root_depth for depth in depths.values())
    own = {p for p in pids if p == root_pid or (deeper and depths.get(p) == root_depth)}
    total_kib = own_kib = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total_kib += int(line.split()[1])
                    if pid in own:
                        own_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024, own_kib / 1024, len(pids), len(own)


async def measure(runs: int, url: str, runner_pid: int, workers: int) -> dict[str, object]:
    client = RunnerClient(url)
    info = await client.ping()
    app_request = RunRequest(code=APP, requests=REQUESTS)
    test_request = RunRequest(kind="test", code=APP, tests=TESTS)
    spares = {"app": workers, "test": workers}
    await wait_until_idle(client, spares)
    await asyncio.sleep(1)
    memory_mib, runner_mib, processes, own = proportional_memory_mib(runner_pid)
    app_total, app_inside = await sandboxed(client, app_request, runs, spares)
    burst_total, _ = await sandboxed(client, app_request, runs, None)
    test_total, test_inside = await sandboxed(client, test_request, runs, spares)
    return {
        "isolation": info.isolation,
        "app": (app_total, app_inside),
        "burst": burst_total,
        "tests": (test_total, test_inside),
        "memory_mib": memory_mib,
        "runner_memory_mib": runner_mib,
        "processes": processes,
        "own_processes": own,
    }


def command_line(app: Path, data_dir: Path, runs: int) -> list[float]:
    """Wall time of `deepdive sandbox run APP -r "GET /"`, a whole process each time."""
    command = [sys.executable, "-c", "from deepdive.cli import main; main()"]
    env = {**os.environ, "DEEPDIVE_DATA_DIR": str(data_dir)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [*command, "sandbox", "run", str(app), "-r", "GET /"],
            capture_output=True,
            env=env,
            check=True,
        )
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per measurement (>= 50)")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="duration of each throughput measurement"
    )
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    console = Console(stderr=False, width=150)
    with tempfile.TemporaryDirectory(prefix="deepdive-bench-") as scratch:
        settings = Settings(data_dir=Path(scratch) / "data")
        console.print(f"Baseline: {args.runs} fresh python processes…")
        base = baseline(args.runs, Path(scratch))
        app_file = Path(scratch) / "cli_app.py"
        app_file.write_text(APP)
        cli_runs = max(5, args.runs // 10)
        console.print(f"Command line: {cli_runs} runs of `deepdive sandbox run` with no course…")
        cli_alone = command_line(app_file, Path(scratch) / "no-course", cli_runs)
        console.print(f"Throughput floors: {args.seconds:g} s each, one process per core…")
        floors = {
            kind: _throughput.floor(kind, APP, Path(scratch), args.seconds, cores)
            for kind in ("in_process", "plain_fork", "plain_fork_import")
        }
        console.print("Starting a runner…")
        runner = start_local_runner(settings)
        try:
            console.print(f"Command line: {cli_runs} runs beside the course's runner…")
            cli_reused = command_line(app_file, settings.data_dir, cli_runs)
            console.print(
                f"Sandboxed runs: {args.runs} app runs, {args.runs} back to back, "
                f"{args.runs} pytest runs…"
            )
            data = asyncio.run(
                measure(args.runs, runner.url, runner.process.pid, settings.sandbox_workers)
            )
            levels = []
            for concurrency in (1, 2 * cores, 8 * cores):
                console.print(f"Sandboxed throughput at concurrency {concurrency}…")
                levels.append(
                    asyncio.run(
                        _throughput.sandboxed(
                            runner.url,
                            runner.process.pid,
                            RunRequest(code=APP, requests=REQUESTS),
                            concurrency,
                            args.seconds,
                        )
                    )
                )
        finally:
            runner.stop()
        # The machine's speed drifts over a few minutes: the fork floors are measured again
        # after the sandboxed runs, and the ratios are taken against the mean of both.
        console.print("Throughput floors again, after the sandboxed runs…")
        for kind in ("plain_fork", "plain_fork_import"):
            again = _throughput.floor(kind, APP, Path(scratch), args.seconds, cores)
            floors[kind] = _throughput.mean_floor(floors[kind], again)
    app_total, app_inside = data["app"]  # type: ignore[misc]
    test_total, test_inside = data["tests"]  # type: ignore[misc]
    isolation = data["isolation"]
    figures = {
        "runs": args.runs,
        "cpus": os.cpu_count(),
        "baseline_subprocess": summary(base),
        "sandbox_app_run": summary(app_total),
        "sandbox_app_run_inside": summary(app_inside),
        "sandbox_app_run_back_to_back": summary(data["burst"]),  # type: ignore[arg-type]
        "sandbox_pytest_5_tests": summary(test_total),
        "sandbox_pytest_5_tests_inside": summary(test_inside),
        "cli_run_alone": summary(cli_alone),
        "cli_run_on_the_courses_runner": summary(cli_reused),
        "cli_ratio_reused_over_alone_p50": round(
            statistics.median(cli_reused) / statistics.median(cli_alone), 2
        ),
        "floor_in_process": floors["in_process"],
        "floor_plain_fork": floors["plain_fork"],
        "floor_plain_fork_import": floors["plain_fork_import"],
        "sandboxed_throughput": [
            {
                **row,
                "cpu_over_plain_fork": round(
                    row["cpu_ms_per_run"] / floors["plain_fork"]["cpu_ms_per_run"], 2
                ),
                "cpu_over_plain_fork_import": round(
                    row["cpu_ms_per_run"] / floors["plain_fork_import"]["cpu_ms_per_run"], 2
                ),
            }
            for row in levels
        ],
        "idle_p50_ms": summary(app_total)["p50_ms"],
        "cpu_ratio_sandbox_over_plain_fork": round(
            levels[0]["cpu_ms_per_run"] / floors["plain_fork"]["cpu_ms_per_run"], 2
        ),
        "cpu_ratio_sandbox_over_plain_fork_import": round(
            levels[0]["cpu_ms_per_run"] / floors["plain_fork_import"]["cpu_ms_per_run"], 2
        ),
        "p99_over_fifo_at_8x_cores": levels[-1]["p99_over_fifo"],
        "runner_idle_memory_mib": round(data["memory_mib"], 1),  # type: ignore[arg-type]
        "runner_own_memory_mib": round(data["runner_memory_mib"], 1),  # type: ignore[arg-type]
        "pss_per_warm_sandbox_mib": round(
            (data["memory_mib"] - data["runner_memory_mib"])  # type: ignore[operator]
            / max(1, data["processes"] - data["own_processes"]),  # type: ignore[operator]
            1,
        ),
        "runner_idle_processes": data["processes"],
        "runner_own_processes": data["own_processes"],
        "speedup_baseline_over_sandbox_p50": round(
            statistics.median(base) / statistics.median(app_total), 1
        ),
        "isolation_full": isolation.full,  # type: ignore[attr-defined]
        "isolation_active": isolation.active,  # type: ignore[attr-defined]
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    table = Table(title="Sandbox latency (milliseconds)")
    for column in ("measurement", "p50", "p95", "min"):
        table.add_column(column, justify="right" if column != "measurement" else "left")
    rows = [
        ("fresh python subprocess, app + 3 requests", "baseline_subprocess"),
        ("sandboxed app run, 3 requests (end to end)", "sandbox_app_run"),
        ("  of which inside the sandbox", "sandbox_app_run_inside"),
        ("sandboxed app runs back to back", "sandbox_app_run_back_to_back"),
        ("sandboxed pytest run, 5 tests (end to end)", "sandbox_pytest_5_tests"),
        ("  of which inside the sandbox", "sandbox_pytest_5_tests_inside"),
        ("`deepdive sandbox run`, no course running", "cli_run_alone"),
        ("`deepdive sandbox run`, on the course's runner", "cli_run_on_the_courses_runner"),
    ]
    for label, key in rows:
        values = figures[key]
        table.add_row(label, *(f"{values[k]:.1f}" for k in ("p50_ms", "p95_ms", "min_ms")))  # type: ignore[index]
    console.print(table)
    throughput = Table(title="Throughput (one process per core for the floors)")
    columns = (
        "measurement",
        "runs/s",
        "CPU ms/run",
        "× fork",
        "× fork+import",
        "p50 ms",
        "p99 ms",
        "p99 / FIFO",
    )
    for column in columns:
        throughput.add_column(column, justify="right" if column != "measurement" else "left")
    for label, key in (
        ("in process, warm, no fork", "in_process"),
        ("plain fork of a warm parent", "plain_fork"),
        ("plain fork, the child imports the app", "plain_fork_import"),
    ):
        row = floors[key]
        if "cpu_ms_per_run_before" in row:  # measured twice: the mean, then each
            label += (
                f" ({row['cpu_ms_per_run_before']} before, {row['cpu_ms_per_run_after']} after)"
            )
        throughput.add_row(
            label, str(row["runs_per_s"]), str(row["cpu_ms_per_run"]), "", "", "", "", ""
        )
    for row in figures["sandboxed_throughput"]:  # type: ignore[union-attr]
        throughput.add_row(
            f"sandboxed, concurrency {row['concurrency']}",
            str(row["runs_per_s"]),
            str(row["cpu_ms_per_run"]),
            f"{row['cpu_over_plain_fork']}×",
            f"{row['cpu_over_plain_fork_import']}×",
            str(row["p50_ms"]),
            str(row["p99_ms"]),
            str(row["p99_over_fifo"]),
        )
    console.print(throughput)
    split = Table(
        title="Where a sandboxed run's CPU goes (ms per run, from the runner's accounts)",
        caption=(
            "runner: protocol, queue, cgroups, results · zygote: forking · until ready: "
            "isolation, pages copied ahead, limits · after: the run, its result, exit"
        ),
    )
    parts = ("runner", "zygote", "sandbox_until_ready", "sandbox_run_and_exit")
    labels = ("runner", "zygote", "sandbox until ready", "sandbox after", "sum", "whole tree")
    for column in ("concurrency", *labels):
        split.add_column(column, justify="right")
    for row in figures["sandboxed_throughput"]:  # type: ignore[union-attr]
        shares = row["cpu_split_ms_per_run"]
        split.add_row(
            str(row["concurrency"]),
            *(f"{shares[key]:.2f}" for key in parts),
            f"{sum(shares.values()):.2f}",
            f"{row['cpu_ms_per_run']:.2f}",
        )
    console.print(split)
    console.print(
        f"Sandboxed CPU per run / plain fork: {figures['cpu_ratio_sandbox_over_plain_fork']}× "
        f"(concurrency 1; goal ≤ 1.5×); over a plain fork that imports the app: "
        f"{figures['cpu_ratio_sandbox_over_plain_fork_import']}×   "
        f"Idle runner p50: {figures['idle_p50_ms']} ms (goal ≤ 15)   "
        f"p99 / FIFO at 8 × cores: {figures['p99_over_fifo_at_8x_cores']} (goal ≤ 1.5)"
    )
    console.print(
        f"Baseline / sandbox (p50): {figures['speedup_baseline_over_sandbox_p50']}×   "
        f"Runner idle memory: {figures['runner_idle_memory_mib']} MiB PSS over "
        f"{figures['runner_idle_processes']} processes (the runner "
        f"{figures['runner_own_memory_mib']} MiB over {figures['runner_own_processes']} "
        "process(es), with its zygote, each warm sandbox "
        f"{figures['pss_per_warm_sandbox_mib']} MiB)"
    )
    console.print(
        "Isolation: "
        + ("full" if isolation.full else "DEGRADED")  # type: ignore[attr-defined]
        + f" ({', '.join(isolation.active)})"  # type: ignore[attr-defined]
    )
    console.print(f"Load average during the run: {figures['load_average_1m']}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
