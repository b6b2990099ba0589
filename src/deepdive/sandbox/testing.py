"""pytest fixtures that start a real runner once per test session.

Load them in a conftest with `pytest_plugins = ["deepdive.sandbox.testing"]` (top-level
conftest) or import the fixtures by name. They run real sandboxes: nothing is mocked.

* `sandbox_settings` – Settings for the runner: a private data directory, 256 MiB of memory
  (memory bombs fail sooner), short idle sessions; tests tighten other limits per request.
* `sandbox_runner` – the `LocalRunner` (a `deepdive runner` process on a Unix socket).
* `runner_url` – its URL, for `Settings(runner_url=...)`.
* `runner_client` – a `RunnerClient` for it.
* `run_in_sandbox` – `run_in_sandbox(RunRequest) -> RunResult`, for synchronous tests (also
  where the thread already runs an event loop; see `run_sync`).

`require_full_isolation(info)` skips where the machine cannot isolate (never silently where
isolation is required). `runner_environment_for(home)` and `wait_for_runner(process, url)` help
tests that start a runner process of their own; `start_socket_runner(home)` starts one on a
Unix socket, `start_stream_runner(home, redis_url, name)` one that takes its runs from Redis
(`deepdive runner --redis`).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from deepdive.sandbox.client import RunnerClient, RunnerError, RunnerUnavailableError, ping_sync
from deepdive.sandbox.events import RunnerInfo
from deepdive.sandbox.local import LocalRunner, start_local_runner
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.run_result import RunResult
from deepdive.settings import Settings

_T = TypeVar("_T")


@pytest.fixture(scope="session")
def sandbox_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("sandbox-data")
    return Settings(
        data_dir=data_dir,
        sandbox_workers=2,
        sandbox_wall_seconds=10.0,
        sandbox_cpu_seconds=5.0,
        sandbox_memory_mib=256,
        # Long enough for a browser test to open a second tab between two commands.
        sandbox_session_idle_seconds=6.0,
        sandbox_session_seconds=30.0,
    )


@pytest.fixture(scope="session")
def sandbox_runner(sandbox_settings: Settings) -> Iterator[LocalRunner]:
    runner = start_local_runner(sandbox_settings)
    try:
        yield runner
    finally:
        runner.stop()


@pytest.fixture(scope="session")
def runner_url(sandbox_runner: LocalRunner) -> str:
    return sandbox_runner.url


@pytest.fixture
def runner_client(runner_url: str) -> RunnerClient:
    return RunnerClient(runner_url)


@pytest.fixture
def run_in_sandbox(runner_client: RunnerClient) -> Callable[[RunRequest], RunResult]:
    def run(request: RunRequest) -> RunResult:
        return run_sync(lambda: runner_client.run(request))

    return run


def run_sync(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from synchronous code, even where this thread already has
    a running event loop (Playwright's synchronous API keeps one): then on a helper thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def require_full_isolation(info: RunnerInfo) -> None:
    """Skip a test that only means something under full isolation, on a machine without it.

    With DEEPDIVE_REQUIRE_ISOLATION=true (CI, hosted) the runner itself refuses to start on such
    a machine, so nothing is skipped silently there.
    """
    if not info.isolation.full:
        pytest.skip(f"this machine cannot isolate sandboxes: {info.isolation.warning}")


def runner_environment_for(home: Path, **variables: str) -> dict[str, str]:
    """A bare environment for a runner started by a test (no secrets, a private home)."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        "HOME": str(home),
        **variables,
    }


def wait_for_runner(
    process: subprocess.Popen[bytes], url: str, token: str | None = None, timeout: float = 60
) -> None:
    """Block until the runner `process` answers at `url`; fail with its output if it dies."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ping_sync(url, token)
            return
        except (RunnerUnavailableError, RunnerError):
            if process.poll() is not None:
                said = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise AssertionError(f"the runner stopped while starting:\n{said}") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"the runner at {url} did not answer") from None
            time.sleep(0.05)


def start_socket_runner(
    home: Path, python: list[str] | None = None, **variables: str
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `deepdive runner --socket` below `home` (one worker unless `variables` say
    otherwise) and return the process and its URL, without waiting for it. `python` replaces
    `-m deepdive.sandbox.cli` (e.g. `-c CODE` that changes the machine first, then runs it)."""
    socket_path = home / "runner.sock"
    environment = runner_environment_for(
        home,
        DEEPDIVE_DATA_DIR=str(home / "data"),
        **{"DEEPDIVE_SANDBOX_WORKERS": "1", **variables},
    )
    start = python or ["-m", "deepdive.sandbox.cli"]
    command = [sys.executable, *start, "runner", "--socket", str(socket_path)]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    return process, f"unix://{socket_path}"


def start_stream_runner(
    home: Path, redis_url: str, name: str, timeout: float = 120, **variables: str
) -> subprocess.Popen[bytes]:
    """Start `deepdive runner --redis URL --name NAME` (one worker unless `variables` say
    otherwise) and wait until its heartbeat is in Redis; fail with its output if it dies."""
    import redis

    home.mkdir(parents=True, exist_ok=True)
    env = runner_environment_for(
        home,
        DEEPDIVE_DATA_DIR=str(home / "data"),
        **{"DEEPDIVE_SANDBOX_WORKERS": "1", **variables},
    )
    command = [
        sys.executable,
        "-m",
        "deepdive.sandbox.cli",
        "runner",
        "--redis",
        redis_url,
        "--name",
        name,
    ]
    log = open(home / f"{name}.log", "wb")  # noqa: SIM115  (the process writes it)
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + timeout
    with redis.Redis.from_url(redis_url) as connection:
        while not connection.exists(f"deepdive:runners:{name}"):
            if process.poll() is not None:
                said = (home / f"{name}.log").read_text(errors="replace")
                raise AssertionError(f"the runner {name} stopped while starting:\n{said}")
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"the runner {name} did not beat in {timeout} s")
            time.sleep(0.1)
    return process
