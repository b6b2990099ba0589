"""Serving, loading and measuring: the benchmark's moving parts.

Each framework runs under Gunicorn with one worker by default (a comparison per core): Uvicorn
workers for FastAPI, threaded (`gthread`) workers for the two WSGI frameworks. On a machine with
two or more usable cores the servers share one core and wrk gets another. Rounds interleave the
frameworks, rotating who goes first, after a warm-up. The headline is the servers' CPU time per
request, read from /proc, which a busy machine disturbs far less than requests per second.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

LESSON = "lessons/15-choosing-a-framework/examples"


@dataclass(frozen=True)
class Framework:
    name: str
    module: str
    app: str
    worker: str


FRAMEWORKS: tuple[Framework, ...] = (
    Framework("FastAPI", "fastapi_app", "app", "uvicorn_worker.UvicornWorker"),
    Framework("Flask", "flask_app", "app", "gthread"),
    Framework("Django REST Framework", "drf_app", "application", "gthread"),
)


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    method: str
    path: str
    body: str | None = None


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("hello", "GET /hello (JSON)", "GET", "/hello"),
    Endpoint("path", "GET /books/2 (path parameter)", "GET", "/books/2"),
    Endpoint(
        "post", "POST /books (validated body)", "POST", "/books", '{"title": "Dune", "year": 1965}'
    ),
)
_EXPECTED = {"hello": 200, "path": 200, "post": 201}


class WrkMissingError(RuntimeError):
    """wrk is not installed."""


@dataclass(frozen=True)
class BenchSettings:
    rounds: int = 3
    seconds: int = 3  # wrk takes whole seconds
    warmup_seconds: int = 1
    # Quick runs warm up on the validated POST only (the heaviest path); the others are checked.
    warm_every_endpoint: bool = True
    connections: int = 16
    workers: int = 1

    @classmethod
    def preset(cls, *, quick: bool) -> BenchSettings:
        """The default (under 2 minutes) or `--quick` (under 30 s)."""
        return cls(rounds=2, seconds=1, warm_every_endpoint=False) if quick else cls()

    @property
    def estimated_seconds(self) -> float:
        per_round = len(FRAMEWORKS) * len(ENDPOINTS) * self.seconds
        warmed = len(ENDPOINTS) if self.warm_every_endpoint else 1
        return self.rounds * per_round + len(FRAMEWORKS) * (self.warmup_seconds * warmed + 1.5)


@dataclass
class Sample:
    requests: int
    seconds: float
    cpu_seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_seconds * 1e6 / max(self.requests, 1)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds


@dataclass
class BenchResult:
    settings: dict[str, Any]
    machine: dict[str, Any]
    started_at: str
    # framework -> endpoint key -> figures (median and spread over rounds)
    figures: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "settings": self.settings,
            "machine": self.machine,
            "started_at": self.started_at,
            "frameworks": [f.name for f in FRAMEWORKS],
            "endpoints": [{"key": e.key, "label": e.label} for e in ENDPOINTS],
            "figures": self.figures,
        }


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissingError(
            "The benchmark needs wrk, a real HTTP load generator. Install it with "
            "`sudo apt install wrk` (Debian and Ubuntu) or `brew install wrk` (macOS)."
        )
    return found


def _cores() -> list[int]:
    return sorted(os.sched_getaffinity(0))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpu_of_tree(root: int) -> float:
    """CPU seconds of `root` and its live children (Gunicorn's master and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [root]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{root}/task").iterdir():
            children = (task / "children").read_text().split()
            pids.extend(int(pid) for pid in children)
    total = 0
    for pid in dict.fromkeys(pids):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])
    return total / ticks


@dataclass
class Server:
    framework: Framework
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def cpu(self) -> float:
        return _cpu_of_tree(self.process.pid)


def _start(
    framework: Framework, apps: Path, bench: BenchSettings, core: int | None, logs: Path
) -> Server:
    port = _free_port()
    log = logs / f"{framework.module}.log"
    command = [
        sys.executable, "-m", "gunicorn", f"{framework.module}:{framework.app}",
        "--bind", f"127.0.0.1:{port}", "--workers", str(bench.workers),
        "--worker-class", framework.worker, "--chdir", str(apps),
        "--log-level", "warning", "--backlog", "2048",
    ]  # fmt: skip
    if framework.worker == "gthread":
        command += ["--threads", "4"]

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    with open(log, "wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, preexec_fn=pin, cwd=apps
        )
    server = Server(framework, process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 30
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + "/hello", timeout=1).status_code == 200:
                return server
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            said = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{framework.name} did not start under Gunicorn:\n{said}")
        time.sleep(0.1)


def _stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_REQUESTS = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m)")
_ERRORS = re.compile(
    r"Non-2xx or 3xx responses: (\d+)"
    r"|Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> tuple[int, float, float, float, int]:
    """(requests, seconds, p50 ms, p99 ms, errors) from `wrk --latency` output."""
    found = _REQUESTS.search(output)
    if found is None:
        raise RuntimeError(f"wrk printed no request count:\n{output[-1000:]}")
    requests = int(found.group(1))
    seconds = float(found.group(2)) * _UNITS[found.group(3)] / 1000
    latency = {
        m.group(1): float(m.group(2)) * _UNITS[m.group(3)] for m in _LATENCY.finditer(output)
    }
    errors = 0
    for match in _ERRORS.finditer(output):
        errors += sum(int(value) for value in match.groups() if value)
    return requests, seconds, latency.get("50", 0.0), latency.get("99", 0.0), errors


def _script(endpoint: Endpoint, folder: Path) -> list[str]:
    if endpoint.body is None:
        return []
    script = folder / f"{endpoint.key}.lua"
    script.write_text(
        f'wrk.method = "{endpoint.method}"\n'
        f"wrk.body = '{endpoint.body}'\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    return ["--script", str(script)]


def _load(
    server: Server,
    endpoint: Endpoint,
    seconds: float,
    bench: BenchSettings,
    core: int | None,
    folder: Path,
) -> Sample:
    command = [
        wrk_path(), "--latency", "--threads", "1", "--connections", str(bench.connections),
        "--duration", f"{max(int(seconds), 1)}s", *_script(endpoint, folder),
        server.url + endpoint.path,
    ]  # fmt: skip
    if core is not None:
        command = (
            ["taskset", "--cpu-list", str(core), *command] if shutil.which("taskset") else command
        )
    before = server.cpu()
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    cpu = server.cpu() - before
    requests, elapsed, p50, p99, errors = parse_wrk(done.stdout)
    return Sample(requests, elapsed, cpu, p50, p99, errors)


def _check(server: Server, endpoint: Endpoint) -> None:
    """The endpoint answers what it should before it is measured."""
    answer = httpx.request(
        endpoint.method,
        server.url + endpoint.path,
        content=endpoint.body,
        headers={"Content-Type": "application/json"} if endpoint.body else {},
        timeout=5,
    )
    if answer.status_code != _EXPECTED[endpoint.key]:
        name = server.framework.name
        raise RuntimeError(f"{name} answered {answer.status_code} to {endpoint.label}")


def _machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu_model": model,
        "usable_cores": len(_cores()),
        "python": platform.python_version(),
        "pinned": len(_cores()) >= 2,
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("fastapi", "flask", "django", "djangorestframework", "gunicorn", "uvicorn")
    return {name: version(name) for name in names}


Progress = Callable[[str, float], None]


def run_benchmark(
    content_dir: Path, bench: BenchSettings, progress: Progress | None = None
) -> BenchResult:
    """Run the whole benchmark; `progress(text, fraction)` hears how far it got."""
    wrk_path()
    apps = (content_dir / LESSON).resolve()
    cores = _cores()
    server_core, load_core = (cores[0], cores[1]) if len(cores) >= 2 else (None, None)
    total = bench.rounds * len(FRAMEWORKS) * len(ENDPOINTS) + len(FRAMEWORKS)
    done = 0

    def tell(text: str) -> None:
        if progress is not None:
            progress(text, done / total)

    result = BenchResult(
        settings={**bench.__dict__, "versions": _versions()},
        machine=_machine(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    samples: dict[str, dict[str, list[Sample]]] = {
        f.name: {e.key: [] for e in ENDPOINTS} for f in FRAMEWORKS
    }
    with (
        tempfile.TemporaryDirectory(prefix="deepdive-bench-") as scratch,
        contextlib.ExitStack() as stack,
    ):
        folder = Path(scratch)
        servers = []
        for framework in FRAMEWORKS:
            tell(f"Starting {framework.name} under Gunicorn…")
            server = _start(framework, apps, bench, server_core, folder)
            stack.callback(_stop, server)
            for endpoint in ENDPOINTS:
                _check(server, endpoint)
                if bench.warm_every_endpoint or endpoint is ENDPOINTS[-1]:
                    _load(server, endpoint, bench.warmup_seconds, bench, load_core, folder)
            servers.append(server)
            done += 1
        for round_index in range(bench.rounds):
            order = servers[round_index % len(servers) :] + servers[: round_index % len(servers)]
            for server in order:
                for endpoint in ENDPOINTS:
                    name = server.framework.name
                    tell(f"Round {round_index + 1}/{bench.rounds}: {name}, {endpoint.label}")
                    samples[server.framework.name][endpoint.key].append(
                        _load(server, endpoint, bench.seconds, bench, load_core, folder)
                    )
                    done += 1
    tell("Done.")
    for name, by_endpoint in samples.items():
        result.figures[name] = {key: _summarise(values) for key, values in by_endpoint.items()}
    return result


def _summarise(samples: list[Sample]) -> dict[str, float]:
    cpu = [s.cpu_us_per_request for s in samples]
    return {
        "cpu_us_per_request": round(statistics.median(cpu), 1),
        "cpu_us_min": round(min(cpu), 1),
        "cpu_us_max": round(max(cpu), 1),
        "requests_per_second": round(statistics.median(s.requests_per_second for s in samples), 1),
        "p50_ms": round(statistics.median(s.p50_ms for s in samples), 3),
        "p99_ms": round(statistics.median(s.p99_ms for s in samples), 3),
        "errors": sum(s.errors for s in samples),
        "rounds": len(samples),
    }


def results_dir(data_dir: Path) -> Path:
    return data_dir / "bench"


def save(result: BenchResult, data_dir: Path) -> Path:
    """Write the result as the latest one (JSON) and its chart (SVG) in the data directory."""
    from deepdive.bench.chart import draw

    folder = results_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data = result.to_json()
    target = folder / "latest.json"
    partial = folder / "latest.json.partial"
    partial.write_text(json.dumps(data, indent=2))
    partial.replace(target)
    (folder / "latest.svg").write_text(draw(data))
    return target


def latest(data_dir: Path) -> dict[str, Any] | None:
    """The last result saved on this machine, or None."""
    try:
        return json.loads((results_dir(data_dir) / "latest.json").read_text())
    except (OSError, ValueError):
        return None
