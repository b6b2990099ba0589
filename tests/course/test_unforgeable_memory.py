"""The uploads lesson's memory task, judged by a figure the learner's code cannot write.

Each submission reads the whole cover at once (the known wrong answer) and then tries to make its
peak memory look small: by patching `resource.getrusage`, by rewriting the report the sandbox
sends, by writing a report of its own and leaving early, by printing result frames, or by
resetting the kernel's high-water mark. Every one is checked twice through the public task
route: with a real runner that gives each sandbox a cgroup, and with a real runner started where
no cgroup is visible (the sandbox's own process is all the runner can measure there).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from deepdive.sandbox.client import RunnerClient
from deepdive.sandbox.testing import runner_environment_for, wait_for_runner

STREAM = "/api/lessons/uploads/tasks/cover-upload/stream-in-chunks"
MEMORY_LINE = "Your app's peak memory"

# Each is appended to the whole-file version of the app.
_FORGERIES = {
    # The sandbox reported `getrusage().ru_maxrss` itself: make it say 1 KiB.
    "patches-getrusage": """
import resource

_real_getrusage = resource.getrusage


class _Small:
    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return 1 if name == "ru_maxrss" else getattr(self._real, name)


resource.getrusage = lambda who: _Small(_real_getrusage(who))
""",
    # Rewrites the figure in the report the sandbox is about to send.
    "rewrites-the-report": """
import sys

_main = sys.modules["deepdive.sandbox.worker.main"]
_fits = _main._payload_that_fits


def _forged(result):
    result.usage.max_memory_mib = 0.5
    return _fits(result)


_main._payload_that_fits = _forged
""",
    # Replaces the sandbox's last step: writes a report of its own, says "done" and leaves
    # before the sandbox measures anything.
    "writes-a-report-and-exits": """
import os, sys

_worker = sys.modules["deepdive.sandbox.worker.main"]


def _finish(self, result):
    result.usage = _worker.Usage(wall_ms=1.0, cpu_ms=1.0, max_memory_mib=0.5)
    self.region.write(result.model_dump_json().encode())
    self._send({"type": "done"})
    os._exit(0)


_worker.Sandbox._finish = _finish
""",
    # Prints a result on stdout and writes "done" and result frames on every descriptor.
    "prints-result-frames": """
import json, os

_usage = {"wall_ms": 1.0, "cpu_ms": 1.0, "max_memory_mib": 0.5, "queue_ms": 0.0}
_frames = [
    json.dumps({"type": "result", "result": {"outcome": "ok", "usage": _usage}}).encode(),
    json.dumps({"type": "done"}).encode(),
]
print(json.dumps({"usage": _usage, "passed": True}))


@app.middleware("http")
async def _after_answering(request, call_next):
    response = await call_next(request)
    for fd in range(3, 64):
        for frame in _frames:
            try:
                os.write(fd, frame)
            except OSError:
                pass
    return response
""",
    # Lowers the kernel's high-water marks once the file has been read: the process's own peak
    # resident memory (/proc/self/clear_refs) and its cgroup's peak, should it be reachable.
    "resets-the-high-water-mark": """
def _reset_peaks():
    import gc
    gc.collect()
    for path in ("/proc/self/clear_refs", "/proc/thread-self/clear_refs"):
        try:
            with open(path, "w") as handle:
                handle.write("5")
        except OSError:
            pass
    try:
        groups = open("/proc/self/cgroup").read().splitlines()
    except OSError:
        groups = []
    for line in groups:
        _, controllers, path = line.split(":", 2)
        for name in ("memory.max_usage_in_bytes", "memory.peak"):
            for root in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup"):
                try:
                    with open(f"{root}{path}/{name}", "w") as handle:
                        handle.write("0")
                except OSError:
                    pass


@app.middleware("http")
async def _after_answering(request, call_next):
    response = await call_next(request)
    _reset_peaks()
    return response
""",
}


@pytest.fixture(scope="module")
def runner_without_cgroups(tmp_path_factory) -> Iterator[str]:
    """A real `deepdive runner` started in a mount namespace where /sys/fs/cgroup is empty."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("hiding the cgroup file systems needs root and unshare(1)")
    home = tmp_path_factory.mktemp("no-cgroups")
    socket_path = home / "runner.sock"
    script = (
        "mount -t tmpfs none /sys/fs/cgroup && exec "
        f"{sys.executable} -m deepdive.sandbox.cli runner --socket {socket_path}"
    )
    environment = runner_environment_for(
        home,
        DEEPDIVE_DATA_DIR=str(home / "data"),
        DEEPDIVE_SANDBOX_WORKERS="2",
        DEEPDIVE_SANDBOX_MEMORY_MIB="256",
        DEEPDIVE_REQUIRE_ISOLATION="false",
    )
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    url = f"unix://{socket_path}"
    try:
        wait_for_runner(process, url)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(params=["cgroup", "no-cgroup"])
def runner_url(request) -> str:
    """Overrides the suite's runner: each test runs with and without a cgroup per sandbox."""
    if request.param == "cgroup":
        url = request.getfixturevalue("sandbox_runner").url
        if "cgroup" not in asyncio.run(RunnerClient(url).ping()).isolation.active:
            pytest.skip("this machine gives sandboxes no cgroup: the no-cgroup runs cover it")
        return url
    return request.getfixturevalue("runner_without_cgroups")


def _uploads(course, name: str) -> str:
    return course.lesson("uploads").sources[name]


def _lines(checked: dict) -> dict[str, dict]:
    return {line["name"]: line for line in checked["checks"]}


@pytest.mark.parametrize("forgery", sorted(_FORGERIES))
def test_an_app_that_fakes_its_memory_figure_earns_nothing(request, client, course, forgery):
    if forgery == "resets-the-high-water-mark" and "no-cgroup" in request.node.name:
        # Without a cgroup the runner has only the kernel's peak resident memory of the
        # sandbox's process (`wait4`), and that process may reset it through its own /proc.
        request.applymarker(
            pytest.mark.xfail(strict=True, reason="without a cgroup the peak can be reset")
        )
    code = _uploads(course, "examples/cover_checks.py") + _FORGERIES[forgery]
    checked = client.post(STREAM, json={"code": code}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0
    assert checked["total_xp"] == 0
    lines = _lines(checked)
    if MEMORY_LINE in lines:
        assert lines[MEMORY_LINE]["passed"] is False, lines
        assert "more than a version that reads the file in chunks" in lines[MEMORY_LINE]["message"]


def test_an_app_that_answers_the_known_digest_without_reading_earns_nothing(client, course):
    # The digest of the cover the check file uploads (the course is public), answered without
    # reading a byte of the upload: no memory spent at all.
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (15 * 1024)
    code = _uploads(course, "tasks/never_reads_the_file.py").replace(
        "digest.hexdigest()", repr(hashlib.sha256(content).hexdigest())
    )
    assert repr(hashlib.sha256(content).hexdigest()) in code
    checked = client.post(STREAM, json={"code": code}).json()
    assert checked["passed"] is False, checked
    assert checked["xp_awarded"] == 0
    assert "update one hashlib.sha256() with every chunk" in str(checked["checks"])


def test_reading_the_whole_file_is_measured_as_more_memory(client, course):
    checked = client.post(STREAM, json={"code": _uploads(course, "examples/cover_checks.py")})
    lines = _lines(checked.json())
    assert lines[MEMORY_LINE]["passed"] is False, lines
    # The app itself answered right: only its memory is refused.
    assert all(line["passed"] for name, line in lines.items() if name != MEMORY_LINE), lines


def test_reading_in_chunks_earns_the_xp(client, course):
    code = _uploads(course, "examples/cover_streamed.py")
    checked = client.post(STREAM, json={"code": code}).json()
    assert checked["passed"] is True, checked
    assert checked["xp_awarded"] == 30
