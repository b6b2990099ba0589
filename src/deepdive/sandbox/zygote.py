"""A quiet copy of the warm runner that forks the sandboxes in its place (root only).

Forking a sandbox straight from the runner has two costs besides the fork itself. The fork
write-protects every page of the runner, so each page the runner writes afterwards (its event
loop, every request and result it handles) is copied once more, in the runner, a thousand pages
per run. And the pages a run writes drift away from what the probe found (see `hot_pages`) as the
runner's heap changes. The zygote is forked once, after the runner has warmed up and probed its
hot pages; it then only waits for the runner's orders and forks: its pages stay as they were.

Each sandbox is forked with `clone3(CLONE_PARENT | CLONE_NEWPID)`: it is PID 1 of a PID namespace
of its own from the start, and its parent is the runner itself (not the zygote), so the runner
reaps it, kills it and counts its CPU exactly as when it forks sandboxes itself, and its
parent-death signal follows the runner. The child then goes through the same isolation as
every sandbox (`process._child`); the zygote never runs anything of a learner's, and its control
socket is closed in every sandbox before anything else happens there.

The zygote lives in the template root (`setup.enter_template`) where the sandbox's filesystem
allows it (`FilesystemPlan.shareable`): a mount namespace of its own whose root is the part of a
sandbox's root filesystem all sandboxes share, so a sandbox copies it and adds only its own
mounts. The runner's files, its cgroups among them, are out of the zygote's sight there: a
sandbox joins its cgroup through descriptors the runner opened for it.

`os.fork` cannot make such a child, so the zygote calls the kernel itself, with the interpreter's
own fork hooks around the call (`PyOS_BeforeFork` and the rest, as `os.fork` does), and the
C library's record of the thread's ID set by the kernel (`CLONE_CHILD_SETTID`), as the C library's
`fork` does. Where any of this is unavailable (not root, an older kernel, an unknown C library
layout), `Zygote.start` returns None and the runner forks its sandboxes itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import pickle
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

from deepdive.sandbox.isolation import libc, rlimits

log = logging.getLogger("deepdive.sandbox")

_SYS_CLONE3 = 435  # the same number on every architecture (a system call added in Linux 5.3)
_CLONE_PARENT = 0x00008000
_CLONE_CHILD_SETTID = 0x01000000
_MAX_ORDER = 1 << 20

# A sandbox to fork: (sandbox's end of its control socket, its result region, its cgroup's
# `cgroup.procs` files) arrive as descriptors; the rest (its configuration) as a pickled tuple,
# from the runner only.
Order = tuple[Any, ...]
Child = Callable[[socket.socket, int, Order, tuple[int, ...]], None]
_MAX_FDS = 4


class _CloneArgs(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_uint64)
        for name in (
            "flags",
            "pidfd",
            "child_tid",
            "parent_tid",
            "exit_signal",
            "stack",
            "stack_size",
            "tls",
            "set_tid",
            "set_tid_size",
            "cgroup",
        )
    ]


_api = ctypes.PyDLL(None, use_errno=True)  # called with the GIL held, as os.fork calls fork()
_api.syscall.restype = ctypes.c_long
_api.syscall.argtypes = [ctypes.c_long, ctypes.c_void_p, ctypes.c_size_t]
_self = ctypes.CDLL(None).pthread_self
_self.restype = ctypes.c_void_p


# How far into its thread descriptor the thread ID is looked for. The descriptor is over 2 KiB
# (the ID sits at 0x2d0 on x86-64 and 0xd0 on arm64 with glibc); a thread's descriptor ends its
# stack's mapping, so reading further than the descriptor could leave mapped memory.
_TID_SEARCH_BYTES = 1024


def _tid_offsets() -> set[int]:
    base, tid = _self(), threading.get_native_id()
    offsets = range(0, _TID_SEARCH_BYTES, 4)
    return {o for o in offsets if ctypes.c_int.from_address(base + o).value == tid}


def thread_id_offset() -> int | None:
    """Where the C library keeps the calling thread's ID in its thread descriptor: the one
    offset that holds the thread's ID in two different threads (None when there is not one)."""
    found: list[set[int]] = []
    helper = threading.Thread(target=lambda: found.append(_tid_offsets()))
    helper.start()
    helper.join()
    both = _tid_offsets() & (found[0] if found else set())
    return both.pop() if len(both) == 1 else None


def clone_into_pid_namespace(tid_offset: int) -> int:
    """Fork a child that is PID 1 of a new PID namespace and a child of this process's parent.
    Returns 0 in the child and the child's PID (in this process's namespace) in the parent."""
    args = _CloneArgs(
        flags=_CLONE_PARENT | libc.CLONE_NEWPID | _CLONE_CHILD_SETTID,
        child_tid=_self() + tid_offset,
        # Left 0, as the kernel requires with CLONE_PARENT: the child ends with the signal this
        # process would (SIGCHLD, to the runner).
        exit_signal=0,
    )
    _api.PyOS_BeforeFork()
    pid = _api.syscall(_SYS_CLONE3, ctypes.addressof(args), ctypes.sizeof(args))
    error = ctypes.get_errno() if pid < 0 else 0
    if pid == 0:
        _api.PyOS_AfterFork_Child()
        return 0
    _api.PyOS_AfterFork_Parent()
    if pid < 0:
        raise OSError(error, f"clone3: {os.strerror(error)}")
    return pid


class Zygote:
    """The runner's handle on its zygote: `spawn` hands it a sandbox to fork."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid = pid
        self._sock = sock

    @classmethod
    def start(
        cls,
        child: Child,
        reset: Callable[[tuple[int, ...]], None],
        prepare: Callable[[], None] = lambda: None,
    ) -> Zygote | None:
        """Fork the zygote (from a runner with no other thread). `child(sock, region, order,
        cgroup_procs)` runs in each sandbox it forks and never returns; `reset(keep)` makes the
        zygote forget the runner's signal handlers and every descriptor but `keep`; `prepare()`
        then readies the zygote for its sandboxes (should it fail, there is no zygote)."""
        if os.geteuid() != 0:
            return None
        offset = thread_id_offset()
        if offset is None:
            log.info("No zygote: the C library's thread descriptor is not the expected one")
            return None
        runner_end, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        gc.freeze()  # for good in the zygote: no collection there ever touches these objects
        try:
            pid = os.fork()
            if pid == 0:  # pragma: no cover (the zygote)
                status = 70
                try:
                    runner_end.close()
                    reset((zygote_end.fileno(),))
                    libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
                    if os.getppid() == 1:
                        os._exit(0)
                    prepare()
                    _serve(zygote_end, offset, child)
                    status = 0
                finally:
                    os._exit(status)
        finally:
            gc.unfreeze()
        zygote_end.close()
        zygote = cls(pid, runner_end)
        if not zygote._works():
            zygote.close()
            return None
        return zygote

    def _works(self) -> bool:
        """The zygote answers, and its kernel lets it fork a sandbox the way it means to."""
        try:
            self._sock.send(b"check")
            return self._sock.recv(16) == b"ok"
        except OSError:
            return False

    def cpu_seconds(self) -> float:
        """The CPU the zygote has used so far (0.0 once it has gone). It reaps no child (the
        runner does), so its reaped children's time, counted in too, is nil."""
        return rlimits.cpu_seconds_of([self.pid])

    def spawn(
        self, sock: socket.socket, region: int, order: Order, cgroup_procs: list[int]
    ) -> None:
        """Hand the zygote a sandbox to fork; it reports the PID on `sock` ("forked")."""
        fds = [sock.fileno(), region, *cgroup_procs]
        socket.send_fds(self._sock, [pickle.dumps(order)], fds)

    def close(self) -> None:
        """Stop the zygote and reap it (unless the runner's own reaping got there first)."""
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(sock: socket.socket, offset: int, child: Child) -> None:  # pragma: no cover
    """The zygote's loop: one sandbox per order, until the runner closes its end.

    Every fork shares the zygote's pages with the new sandbox again, so each page the zygote
    writes afterwards is copied: between forks it does as little as it can (the order is only
    unpickled in the sandbox).
    """
    while True:
        packet, fds, _, _ = socket.recv_fds(sock, _MAX_ORDER, _MAX_FDS)
        if not packet:
            return
        if packet == b"check":
            sock.send(b"ok" if _can_clone(offset) else b"no")
            continue
        if len(fds) < 2:
            for fd in fds:
                os.close(fd)
            continue
        sandbox, region, *joins = fds
        try:
            pid = clone_into_pid_namespace(offset)
        except OSError as error:
            os.write(sandbox, b'{"type":"failed","error":"zygote: %s"}' % error.strerror.encode())
        else:
            if pid == 0:
                sock.close()
                order = pickle.loads(packet)  # noqa: S301  (from the runner, on a private socket)
                child(socket.socket(fileno=sandbox), region, order, tuple(joins))  # never returns
                os._exit(70)
            os.write(sandbox, b'{"type":"forked","pid":%d}' % pid)
        finally:
            for fd in fds:
                os.close(fd)


def _can_clone(offset: int) -> bool:  # pragma: no cover (the zygote)
    """Fork a child that exits at once (the runner reaps it)."""
    try:
        pid = clone_into_pid_namespace(offset)
    except OSError:
        return False
    if pid == 0:
        os._exit(0)
    return True
