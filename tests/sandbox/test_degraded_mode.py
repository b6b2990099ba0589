"""Degraded mode: a machine that refuses namespaces still gets limits, and says so.

The runner is started under a seccomp filter that makes the kernel refuse namespaces (as some
hosts do), so the refusal is real, not simulated.
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from deepdive.sandbox.client import RunnerClient
from deepdive.sandbox.run_request import LimitOverrides, RunRequest
from deepdive.sandbox.testing import start_socket_runner, wait_for_runner

APP = "from fastapi import FastAPI\napp = FastAPI()\n"
WITHOUT_NAMESPACES = (
    "import os, sys\n"
    "from deepdive.sandbox.isolation import seccomp\n"
    "seccomp.install(seccomp.build_filter())\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'deepdive.sandbox.cli', *sys.argv[1:]])\n"
)


def _start(tmp_path: Path, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    return start_socket_runner(
        tmp_path, ["-c", WITHOUT_NAMESPACES], DEEPDIVE_SANDBOX_MEMORY_MIB="128", **env
    )


def test_required_isolation_refuses_to_start(tmp_path):
    process, _ = _start(tmp_path, DEEPDIVE_REQUIRE_ISOLATION="true")
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 1
    text = output.decode()
    assert "Full isolation is required" in text
    assert "pid_namespace" in text


@pytest.fixture(scope="module")
def degraded_runner(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("degraded")
    process, url = _start(tmp_path)
    try:
        wait_for_runner(process, url)
        yield RunnerClient(url)
    finally:
        process.terminate()
        process.wait(10)


def _run(client: RunnerClient, code: str, **limits: float):
    request = RunRequest(code=code + "\n" + APP, limits=LimitOverrides(**limits))
    return asyncio.run(client.run(request))


def test_degraded_runs_say_what_is_missing(degraded_runner):
    result = _run(degraded_runner, "print('hi')")
    assert result.outcome == "ok"
    assert result.stdout == "hi\n"
    assert not result.isolation.full
    assert "pid_namespace" in result.isolation.missing
    assert "could not fully isolate your code" in result.isolation.warning
    assert "resource_limits" in result.isolation.active


def test_limits_still_apply_without_namespaces(degraded_runner):
    assert _run(degraded_runner, "b = bytearray(2 * 1024 ** 3)").outcome == "memory_limit"
    assert _run(degraded_runner, "while True:\n    pass", cpu_seconds=1).outcome == "timeout"
    result = _run(degraded_runner, "import socket\nsocket.socket(socket.AF_INET)")
    assert result.error.type == "PermissionError"  # seccomp still refuses network sockets


def test_processes_that_escape_their_group_are_swept_up(degraded_runner):
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    open('/proc/self/comm', 'w').write('ddescaped')\n"
        "    time.sleep(300)\n"
    )
    assert _run(degraded_runner, code).outcome == "ok"
    asyncio.run(degraded_runner.ping())

    def escaped() -> list[str]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry / "comm").read_text().strip() == "ddescaped":
                    found.append(entry.name)
            except OSError:
                pass
        return found

    for _ in range(60):
        if not escaped():
            break
        asyncio.run(asyncio.sleep(0.05))
    assert escaped() == []
