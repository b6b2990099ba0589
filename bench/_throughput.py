"""Throughput of the sandbox against its two floors, measured side by side (see sandbox.py).

* in process: a warm process runs the app and its 3 requests through `httpx.ASGITransport`, no
  fork and no isolation: the least CPU a run can cost;
* plain fork: a warm parent (FastAPI, Pydantic, SQLAlchemy and pytest imported, the app run once)
  forks a child per run that runs the app and exits: what a process per run costs without any
  isolation;
* plain fork, importing the app: the same, but each child also compiles and imports the app's
  source, as a sandbox must do with a learner's code (the plain fork's child reuses the app its
  parent built);
* the sandboxed runner at several concurrencies, its CPU counted over the runner and every
  process under it (sandboxes that finished are in the runner's children's time), and split
  by where it went from the runner's own accounts (`RunnerInfo.cpu`).

Each floor runs one process per core for a fixed time; CPU per run is that time divided by runs.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import statistics
import sys
import time
import types
from pathlib import Path

from deepdive.sandbox.client import RunnerClient
from deepdive.sandbox.events import CpuSpent
from deepdive.sandbox.run_request import RunRequest

_TICKS = os.sysconf("SC_CLK_TCK")


def _app_module(app_source: str, directory: Path):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "throughput_app.py").write_text(app_source)
    sys.path.insert(0, str(directory))
    import throughput_app  # type: ignore[import-not-found]

    return throughput_app.app


async def _one_run(app) -> None:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/books/7")).status_code == 200
        response = await client.post("/books", json={"title": "Dune", "year": 1965})
        assert response.status_code == 201


def _warm_parent(app_source: str, directory: Path):
    import fastapi  # noqa: F401
    import pydantic  # noqa: F401
    import pytest  # noqa: F401
    import sqlalchemy  # noqa: F401

    app = _app_module(app_source, directory)
    asyncio.run(_one_run(app))
    return app


def _in_process_worker(app_source: str, directory: str, seconds: float, out) -> None:
    app = _warm_parent(app_source, Path(directory))
    loop = asyncio.new_event_loop()
    runs, cpu_start, deadline = 0, time.process_time(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        loop.run_until_complete(_one_run(app))
        runs += 1
    out.put((runs, time.process_time() - cpu_start))


def _fresh_app(app_source: str):
    module = types.ModuleType("learner_app")
    exec(compile(app_source, "learner_app.py", "exec"), module.__dict__)
    return module.app


def _fork_worker(
    app_source: str, directory: str, seconds: float, out, import_app: bool = False
) -> None:
    """Fork a child per run; with `import_app` the child imports the app's source itself."""
    app = _warm_parent(app_source, Path(directory))
    before, own_start = os.times(), time.process_time()
    runs, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        pid = os.fork()
        if pid == 0:
            try:
                asyncio.run(_one_run(_fresh_app(app_source) if import_app else app))
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        runs += 1
    after = os.times()
    children = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    out.put((runs, children + time.process_time() - own_start))


def _fork_import_worker(app_source: str, directory: str, seconds: float, out) -> None:
    _fork_worker(app_source, directory, seconds, out, import_app=True)


_FLOORS = {
    "in_process": _in_process_worker,
    "plain_fork": _fork_worker,
    "plain_fork_import": _fork_import_worker,
}


def floor(kind: str, app_source: str, scratch: Path, seconds: float, cores: int) -> dict:
    """Runs/s and CPU ms per run of one floor, one worker process per core."""
    target = _FLOORS[kind]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(
            target=target, args=(app_source, str(scratch / f"{kind}-{n}"), seconds, queue)
        )
        for n in range(cores)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    runs = sum(r for r, _ in results)
    cpu = sum(c for _, c in results)
    return {"runs_per_s": round(runs / seconds, 1), "cpu_ms_per_run": round(cpu * 1000 / runs, 2)}


def mean_floor(before: dict, after: dict) -> dict:
    """One floor measured twice (before and after the sandboxed runs): the mean, and both."""
    return {
        "runs_per_s": round((before["runs_per_s"] + after["runs_per_s"]) / 2, 1),
        "cpu_ms_per_run": round((before["cpu_ms_per_run"] + after["cpu_ms_per_run"]) / 2, 2),
        "cpu_ms_per_run_before": before["cpu_ms_per_run"],
        "cpu_ms_per_run_after": after["cpu_ms_per_run"],
    }


def _tree_cpu_seconds(root: int) -> float:
    """CPU of `root` and every live process under it, with the reaped children of each."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        fields = stats.get(pid)
        if fields is None:
            continue
        # utime, stime, cutime, cstime are fields 14-17 of stat: 11-14 after the command.
        total += sum(int(value) for value in fields[11:15])
        pending.extend(children.get(pid, []))
    return total / _TICKS


async def sandboxed(
    url: str, runner_pid: int, request: RunRequest, concurrency: int, seconds: float
) -> dict:
    client = RunnerClient(url)
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def learner() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            result = await client.run(request, owner=f"bench-{id(asyncio.current_task())}")
            latencies.append((time.perf_counter() - started) * 1000)
            assert result.outcome == "ok", result.message

    spent_start = (await client.ping()).cpu
    cpu_start = _tree_cpu_seconds(runner_pid)
    started = time.monotonic()
    await asyncio.gather(*(learner() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    cpu = _tree_cpu_seconds(runner_pid) - cpu_start
    await asyncio.sleep(0.3)  # the last sandboxes exit and are reaped
    split = _split(spent_start, (await client.ping()).cpu, len(latencies))
    runs = len(latencies)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    throughput = runs / elapsed
    # Under a fair FIFO queue with `concurrency` learners each waiting for its run, a run waits
    # for the runs ahead of it: about concurrency / throughput (Little's law).
    fifo_ms = concurrency / throughput * 1000
    return {
        "concurrency": concurrency,
        "runs_per_s": round(throughput, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(p99, 1),
        "fifo_p99_ms": round(max(fifo_ms, ordered[0]), 1),
        "p99_over_fifo": round(p99 / max(fifo_ms, ordered[0]), 2),
        "cpu_ms_per_run": round(cpu * 1000 / runs, 2),
        "cpu_split_ms_per_run": split,
    }


def _split(before: CpuSpent, after: CpuSpent, runs: int) -> dict[str, float]:
    """Where the CPU of a run went, from the runner's own accounts (see `CpuSpent`): the runner,
    its zygote, each sandbox until it was ready and from then until it exited. Sandboxes are
    counted as they exit, so their share is per sandbox that ran (about one per run)."""
    used = max(1, after.runs - before.runs)
    ready = (after.until_ready_ms - before.until_ready_ms) / used
    sandbox = (after.sandboxes_ms - before.sandboxes_ms) / used
    return {
        "runner": round((after.runner_ms - before.runner_ms) / runs, 2),
        "zygote": round((after.zygote_ms - before.zygote_ms) / runs, 2),
        "sandbox_until_ready": round(ready, 2),
        "sandbox_run_and_exit": round(sandbox - ready, 2),
    }
