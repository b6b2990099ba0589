"""The zygote's fork: the child is PID 1 of a PID namespace of its own and a child of the
zygote's parent, and the C library knows its thread ID, as after os.fork."""

from __future__ import annotations

import ctypes
import os
import sys
import threading

import pytest

from deepdive.sandbox import zygote

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
