"""Nothing outlives its runner: a runner killed with SIGKILL takes its sandboxes with it, and the
next runner to start cleans up what the dead one left on disk and in the cgroup tree."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from deepdive.sandbox.client import RunnerClient, RunnerUnavailableError
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.testing import (
    require_full_isolation,
    runner_environment_for,
    wait_for_runner,
)

MARK = "ddoutlive"
STUBBORN = (
    "import signal, time\n"
    f"open('/proc/self/comm', 'w').write('{MARK}')\n"
    "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGPROF, signal.SIGTERM})\n"
    "time.sleep(60)\n"
    "from fastapi import FastAPI\n"
    "app = FastAPI()\n"
)


def _marked() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == MARK:
                    found.append(int(entry.name))
    return found


def _start(home: Path, temporary: Path, name: str) -> tuple[subprocess.Popen[bytes], str]:
    socket_path = home / f"{name}.sock"
    env = runner_environment_for(
        home,
        DEEPDIVE_DATA_DIR=str(home / "data"),
        DEEPDIVE_SANDBOX_WORKERS="1",
        DEEPDIVE_SANDBOX_WALL_SECONDS="30",
        TMPDIR=str(temporary),
    )
    command = [sys.executable, "-m", "deepdive.sandbox.cli", "runner", "--socket", str(socket_path)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"unix://{socket_path}"
    wait_for_runner(process, url)
    return process, url


def _run_in_background(url: str) -> threading.Thread:
    def run() -> None:
        with contextlib.suppress(RunnerUnavailableError):
            asyncio.run(RunnerClient(url).run(RunRequest(code=STUBBORN)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_sandboxes_die_with_a_runner_killed_by_sigkill(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    runner, url = _start(tmp_path, temporary, "first")
    try:
        info = asyncio.run(RunnerClient(url).ping())
        require_full_isolation(info)
        thread = _run_in_background(url)
        deadline = time.monotonic() + 20
        while not _marked():
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.05)
        os.kill(runner.pid, signal.SIGKILL)
        runner.wait(10)
        deadline = time.monotonic() + 3
        while _marked() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _marked() == [], "a sandbox outlived its runner"
        thread.join(10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            runner.kill()
        for pid in _marked():
            os.kill(pid, signal.SIGKILL)
    left = list(temporary.glob("deepdive-sandbox-*"))
    assert len(left) == 1  # the dead runner could not clean up after itself
    groups = re.findall(r" at (/\S+?),? ", info.cgroup + " ")
    assert groups
    assert all(Path(group).is_dir() for group in groups)

    second, second_url = _start(tmp_path, temporary, "second")
    try:
        assert not left[0].exists(), "the stale directory was not removed"
        assert [p.name for p in temporary.glob("deepdive-sandbox-*")] != [left[0].name]
        assert not any(Path(group).exists() for group in groups), "a stale cgroup is left"
        assert asyncio.run(RunnerClient(second_url).ping()).workers == 1
    finally:
        second.terminate()
        second.wait(10)
    assert list(temporary.glob("deepdive-sandbox-*")) == []


def test_a_runner_leaves_the_directories_of_living_runners_alone(tmp_path, sandbox_runner):
    temporary = Path(os.environ.get("TMPDIR", "/tmp"))
    before = {p.name for p in temporary.glob("deepdive-sandbox-*")}
    runner, _ = _start(tmp_path, temporary, "neighbour")
    try:
        after = {p.name for p in temporary.glob("deepdive-sandbox-*")}
        assert before <= after
    finally:
        runner.terminate()
        runner.wait(10)


def _host_uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


def test_runners_on_one_machine_give_their_sandboxes_different_user_ids(tmp_path, runner_url):
    if os.geteuid() != 0:
        pytest.skip("without root every sandbox keeps the user's own ID")
    first = RunnerClient(runner_url)
    require_full_isolation(asyncio.run(first.ping()))
    other, other_url = _start(tmp_path, tmp_path, "other")
    try:
        uids = []
        for url in (runner_url, other_url):
            thread = _run_in_background(url)
            deadline = time.monotonic() + 20
            while not (found := _marked()):
                assert time.monotonic() < deadline, "the run did not start"
                time.sleep(0.05)
            uids.append(_host_uid(found[0]))
            for pid in found:
                os.kill(pid, signal.SIGKILL)
            thread.join(20)
        ranges = [asyncio.run(RunnerClient(url).ping()).user_ids for url in (runner_url, other_url)]
    finally:
        other.terminate()
        other.wait(10)
    (low_a, high_a), (low_b, high_b) = ranges
    assert high_a < low_b or high_b < low_a, f"the ranges {ranges} overlap"
    assert low_a <= uids[0] <= high_a
    assert low_b <= uids[1] <= high_b
