"""The zygote's fork: the child is PID 1 of a PID namespace of its own and a child of the
zygote's parent, and the C library knows its thread ID, as after os.fork."""

from __future__ import annotations

import asyncio
import ctypes
import dataclasses
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deepdive.sandbox import zygote
from deepdive.sandbox.client import RunnerClient
from deepdive.sandbox.isolation import filesystem
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.testing import start_socket_runner, wait_for_runner

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0, reason="Linux, as root"
)


def test_a_zygote_child_is_pid_1_and_its_grandparent_reaps_it() -> None:
    offset = zygote.thread_id_offset()
    assert offset is not None
    readable, writable = os.pipe()
    middle = os.fork()
    if middle == 0:  # pragma: no cover (the zygote's place)
        status = 1
        try:
            pid = zygote.clone_into_pid_namespace(offset)
            if pid == 0:
                kept = ctypes.c_int.from_address(zygote._self() + offset).value
                seen = f"child {os.getpid()} {os.getppid()} {threading.get_native_id()} {kept}\n"
                os.write(writable, seen.encode())
                os._exit(7)
            os.write(writable, f"zygote {pid}\n".encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writable)
    _, status = os.waitpid(middle, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with open(readable, "rb") as pipe:
        said = dict(line.split(" ", 1) for line in pipe.read().decode().splitlines())
    # Inside: PID 1, its parent outside the namespace, the C library's thread ID right.
    assert said["child"].split() == ["1", "0", "1", "1"]
    # The child is this process's own child (CLONE_PARENT): reaped here, not by `middle`.
    _, child_status = os.waitpid(int(said["zygote"]), 0)
    assert os.waitstatus_to_exitcode(child_status) == 7


# A runner whose zygote cannot build the template root (as where the kernel refused a mount).
_TEMPLATE_REFUSED = (
    "import sys\n"
    "from deepdive.sandbox.isolation import setup\n"
    "def refuse(plan):\n"
    "    raise PermissionError(1, 'mount refused')\n"
    "setup.enter_template = refuse\n"
    "from deepdive.sandbox.cli import main\n"
    "sys.argv[0] = 'deepdive-sandbox'\n"
    "main()\n"
)


def _runner(tmp_path: Path, code: str | None) -> tuple[subprocess.Popen[bytes], str]:
    python = ["-c", code] if code else None
    process, url = start_socket_runner(tmp_path, python, DEEPDIVE_REQUIRE_ISOLATION="true")
    wait_for_runner(process, url)
    return process, url


def _plan() -> filesystem.FilesystemPlan:
    return filesystem.plan_filesystem("/unused", hidden=[], work_mib=1, tmp_mib=1)


_LEAVE = "import os\nopen('/tmp/left', 'w').write('x')\nopen('/sandbox/left', 'w').write('x')\n"
_LOOK = "import os\nprint(os.path.exists('/tmp/left'), os.path.exists('/sandbox/left'))\n"
_APP = "from fastapi import FastAPI\napp = FastAPI()\n"


@pytest.mark.parametrize("refused", [False, True], ids=["zygote", "template refused"])
def test_sandboxes_are_as_isolated_with_or_without_the_zygotes_template(tmp_path, refused):
    """With the template, the zygote forks the sandboxes; without it, the runner forks them
    itself and builds each root whole. Either way: fully isolated, nothing shared."""
    process, url = _runner(tmp_path, _TEMPLATE_REFUSED if refused else None)
    try:
        client = RunnerClient(url)
        assert asyncio.run(client.ping()).isolation.full
        assert asyncio.run(client.run(RunRequest(code=_LEAVE + _APP))).outcome == "ok"
        looked = asyncio.run(client.run(RunRequest(code=_LOOK + _APP)))
        assert looked.outcome == "ok", looked.message
        assert looked.stdout.strip() == "False False"
        info = asyncio.run(client.ping())
        assert info.isolation.full
        if refused and _plan().shareable:  # no zygote: the runner forked the sandboxes itself
            assert info.cpu.zygote_ms == 0
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_read_only_part_is_shared_unless_the_installation_lies_below_tmp():
    """Each sandbox mounts its own /tmp: a Python installation below it is bound into each
    sandbox's root after that mount, so such a root cannot come from the zygote's template."""
    plan = _plan()
    below_tmp = [p for p in plan.read_only if p == "/tmp" or p.startswith("/tmp/")]
    assert plan.shareable is not bool(below_tmp)
    moved = dataclasses.replace(plan, read_only=(*plan.read_only, "/tmp/ci/.venv/lib"))
    assert not moved.shareable
    at_work = dataclasses.replace(plan, read_only=("/usr", filesystem.WORK_DIR + "/lib"))
    assert not at_work.shareable
    assert dataclasses.replace(plan, read_only=("/usr", "/opt/tmp/lib")).shareable
