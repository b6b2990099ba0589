"""One memory and pids cgroup per sandbox: limits that hold for the whole run, not per process.

`RLIMIT_AS` bounds one process's address space. Memory a run can hold by other means escapes it:
memfds and files on its tmpfs mounts (page cache, not address space), System V shared memory
detached again, or many forked processes each under its own limit. A cgroup counts all of it
(anonymous memory, shmem, page cache, kernel memory) for every process of the sandbox together,
and counts its processes and threads too.

Each runner makes one directory of its own below the cgroup it was started in,
`deepdive-runner-<pid>`, moves itself into its `runner` leaf (which also shows that the runner
is alive), and gives every sandbox a sibling leaf `sandbox-<n>`, created while the spare sandbox
is forked, so a run never waits for it. The sandbox's first process joins its leaf before it
forks anything; the runner sets the limits once the sandbox is warm, reads the peak after the run
and kills the whole group when it stops a run.

* cgroup v2 (one unified hierarchy): `memory.max`, `memory.swap.max` 0, `memory.oom.group`,
  `pids.max`, `memory.peak`, `cgroup.kill`. The memory and pids controllers must be delegated to
  the runner's cgroup, and the runner must be the only process in it (the kernel lets a cgroup
  with processes of its own hand no controller down).
* cgroup v1 (a hierarchy per controller): `memory.limit_in_bytes` and
  `memory.memsw.limit_in_bytes` (memory plus swap), `memory.max_usage_in_bytes`, the `oom_kill`
  count, and `pids.max` in the pids hierarchy; the group is killed process by process.

Where neither is usable, `discover` says why; full isolation requires a cgroup.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

_PREFIX = "deepdive-runner-"
_RUNNER_LEAF = "runner"
_CONTROLLERS = ("memory", "pids")


class CgroupUnavailableError(Exception):
    """No cgroup can hold this runner's sandboxes; the message says why."""


@dataclass(frozen=True)
class _Mount:
    root: str
    point: str


# Files of cgroupfs are read and written with the bare system calls: a run reads a dozen of
# them, and `open`'s buffered text layer costs more than the calls themselves.


def _read(path: str) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode("ascii")


def _write(path: str, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode("ascii"))
    finally:
        os.close(fd)


def _own_cgroups(text: str) -> dict[str, str]:
    """/proc/self/cgroup as {controller: path}; the unified hierarchy is "" (v2)."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def _cgroup_mounts(text: str) -> dict[str, _Mount]:
    """Cgroup mounts in /proc/self/mountinfo as {controller: mount}; "" for cgroup2."""
    mounts: dict[str, _Mount] = {}
    for line in text.splitlines():
        before, _, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        mount = _Mount(root=fields[3], point=fields[4].replace("\\040", " "))
        if tail[0] == "cgroup2":
            mounts.setdefault("", mount)
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                if option in _CONTROLLERS:
                    mounts.setdefault(option, mount)
    return mounts


def _directory(mount: _Mount, path: str) -> str | None:
    """Where cgroup `path` appears below `mount`, or None when it lies outside what is mounted."""
    root = mount.root.rstrip("/")
    if path != root and not path.startswith(root + "/"):
        return None
    return (mount.point.rstrip("/") + path[len(root) :]).rstrip("/") or "/"


@dataclass(frozen=True)
class CgroupTree:
    """This runner's cgroup directories: one per hierarchy (v2: one for both controllers)."""

    version: Literal[1, 2]
    # hierarchy name ("" for v2, else "memory"/"pids") -> this runner's group directory
    groups: dict[str, str]
    swap_accounted: bool

    @property
    def memory_group(self) -> str:
        return self.groups["" if self.version == 2 else "memory"]

    @property
    def pids_group(self) -> str:
        return self.groups["" if self.version == 2 else "pids"]

    def describe(self) -> str:
        if self.version == 2:
            return f"cgroup v2 (memory, pids) at {self.memory_group}"
        swap = "with swap accounting" if self.swap_accounted else "no swap on this machine"
        return f"cgroup v1: memory ({swap}) at {self.memory_group}, pids at {self.pids_group}"

    def create(self, name: str) -> SandboxCgroup:
        """A fresh leaf for one sandbox (cheap: a directory in each hierarchy)."""
        made: list[str] = []
        try:
            for group in dict.fromkeys(self.groups.values()):
                path = os.path.join(group, name)
                with contextlib.suppress(FileExistsError):
                    _remove_leaf(path)
                os.mkdir(path)
                made.append(path)
        except OSError:
            for path in made:
                with contextlib.suppress(OSError):
                    os.rmdir(path)
            raise
        return SandboxCgroup(
            self.version,
            memory=os.path.join(self.memory_group, name),
            pids=os.path.join(self.pids_group, name),
            swap_accounted=self.swap_accounted,
        )

    def close(self) -> None:
        """Leave the runner's group (moving back to where the runner started) and remove it.

        On cgroup v2 the runner's first cgroup now hands controllers down, so no process may
        live in it again: the runner stays in its leaf, and the next runner to start removes
        the group once this one has exited."""
        for group in self.groups.values():
            with contextlib.suppress(OSError):
                _write(os.path.join(os.path.dirname(group), "cgroup.procs"), str(os.getpid()))
            _remove_group(group)


@dataclass(frozen=True)
class SandboxCgroup:
    """One sandbox's cgroup. `join` runs in the sandbox's first process, everything else in the
    runner."""

    version: Literal[1, 2]
    memory: str
    pids: str
    swap_accounted: bool

    @property
    def _leaves(self) -> list[str]:
        return list(dict.fromkeys((self.memory, self.pids)))

    def open_procs(self) -> list[int]:
        """Descriptors of this cgroup's `cgroup.procs` files (one per hierarchy), opened in the
        runner for a sandbox that cannot see the cgroup's directories to `join` through."""
        opened: list[int] = []
        try:
            for leaf in self._leaves:
                path = os.path.join(leaf, "cgroup.procs")
                opened.append(os.open(path, os.O_WRONLY | os.O_CLOEXEC))
        except OSError:
            for fd in opened:
                os.close(fd)
            raise
        return opened

    def join(self, through: Sequence[int] = ()) -> None:
        """Move the calling process (and so everything it will fork) into this cgroup, by its
        directories or `through` descriptors from `open_procs` (which it closes)."""
        if not through:
            for leaf in self._leaves:
                _write(os.path.join(leaf, "cgroup.procs"), str(os.getpid()))
            return
        try:
            for fd in through:
                os.write(fd, str(os.getpid()).encode("ascii"))
        finally:
            for fd in through:
                os.close(fd)

    def limit(self, memory_bytes: int, processes: int) -> None:
        """Cap memory (swap included: none may be used) and the number of tasks."""
        memory_bytes = max(memory_bytes, 1 << 20)
        if self.version == 2:
            _write(os.path.join(self.memory, "memory.max"), str(memory_bytes))
            with contextlib.suppress(FileNotFoundError):  # no swap controller: no swap
                _write(os.path.join(self.memory, "memory.swap.max"), "0")
            with contextlib.suppress(FileNotFoundError):  # an OOM kill takes the whole sandbox
                _write(os.path.join(self.memory, "memory.oom.group"), "1")
        else:
            # memsw (memory + swap) may never be below the memory limit: when lowering, the
            # memory limit goes first; when raising, memsw does.
            names = ["memory.limit_in_bytes"]
            if self.swap_accounted:
                names.append("memory.memsw.limit_in_bytes")
            current = int(_read(os.path.join(self.memory, "memory.limit_in_bytes")))
            for name in names if memory_bytes <= current else reversed(names):
                _write(os.path.join(self.memory, name), str(memory_bytes))
        _write(os.path.join(self.pids, "pids.max"), str(processes))

    def usage(self) -> int:
        """Bytes charged to the sandbox now."""
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        return int(_read(os.path.join(self.memory, name)))

    def reset_peak(self) -> None:
        """Start measuring the peak afresh (v1 only; v2 reports the peak since creation)."""
        if self.version == 1:
            _write(os.path.join(self.memory, "memory.max_usage_in_bytes"), "0")

    def peak(self) -> int:
        """The most bytes ever charged to the sandbox (since `reset_peak` on v1)."""
        if self.version == 2:
            try:
                return int(_read(os.path.join(self.memory, "memory.peak")))
            except FileNotFoundError:  # kernels before 5.19
                return self.usage()
        peak = int(_read(os.path.join(self.memory, "memory.max_usage_in_bytes")))
        if self.swap_accounted:
            peak = max(
                peak, int(_read(os.path.join(self.memory, "memory.memsw.max_usage_in_bytes")))
            )
        return peak

    def oom_kills(self) -> int:
        """How many processes the kernel killed for exceeding the memory limit."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        for line in _read(os.path.join(self.memory, name)).splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def members(self) -> list[int]:
        """The processes in the sandbox now."""
        return _members(self.pids)

    def kill(self, *, until_empty: bool = True) -> None:
        """SIGKILL every process in the sandbox, however it got there.

        Without cgroup.kill, the members are listed and killed again while any remain (one may
        fork while its siblings are killed): at most 16 times, as the processes killed stay
        listed until they have exited. `until_empty=False` makes it one pass, for a sandbox
        whose PID 1 was killed in a PID namespace of its own: the kernel kills everything else
        there."""
        if self.version == 2:
            try:
                _write(os.path.join(self.pids, "cgroup.kill"), "1")
                return
            except FileNotFoundError:  # kernels before 5.14
                pass
        _kill_members(self.pids, passes=16 if until_empty else 1)

    def remove(self) -> bool:
        """Delete the cgroup once it is empty; False while processes are still leaving it."""
        done = True
        for leaf in self._leaves:
            try:
                _remove_leaf(leaf)
            except OSError as error:
                if error.errno != errno.EBUSY:
                    raise
                done = False
        return done


def _members(leaf: str) -> list[int]:
    try:
        return [int(pid) for pid in _read(os.path.join(leaf, "cgroup.procs")).split()]
    except FileNotFoundError:
        return []


def _kill_members(leaf: str, passes: int = 16) -> None:
    for _ in range(passes):  # a process may fork while its siblings are killed
        members = _members(leaf)
        if not members:
            return
        for pid in members:
            if pid == os.getpid():
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


def _remove_leaf(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(path)


def _remove_group(group: str) -> None:
    """Kill whatever is left in a runner's group and remove it with its leaves."""
    if not os.path.isdir(group):
        return
    for entry in os.scandir(group):
        if entry.is_dir(follow_symlinks=False):
            _kill_members(entry.path)
            with contextlib.suppress(OSError):
                os.rmdir(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(group)


def _remove_stale_groups(parent: str) -> None:
    """Groups of runners that have died: their `runner` leaf is empty."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not entry.name.startswith(_PREFIX) or not entry.is_dir(follow_symlinks=False):
                continue
            leaf = os.path.join(entry.path, _RUNNER_LEAF)
            if os.path.isdir(leaf) and not _members(leaf):
                _remove_group(entry.path)


def _enable_controllers(directory: str) -> None:
    wanted = [
        c
        for c in _CONTROLLERS
        if c not in _read(os.path.join(directory, "cgroup.subtree_control")).split()
    ]
    if wanted:
        _write(os.path.join(directory, "cgroup.subtree_control"), " ".join(f"+{c}" for c in wanted))


def _make_group(parent: str) -> str:
    """This runner's group below `parent`, with the runner moved into its `runner` leaf."""
    _remove_stale_groups(parent)
    group = os.path.join(parent, f"{_PREFIX}{os.getpid()}")
    _remove_group(group)  # left by an earlier process with this PID
    os.mkdir(group)
    leaf = os.path.join(group, _RUNNER_LEAF)
    os.mkdir(leaf)
    _write(os.path.join(leaf, "cgroup.procs"), str(os.getpid()))
    return group


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _setup_v2(directory: str) -> CgroupTree:
    available = _read(os.path.join(directory, "cgroup.controllers")).split()
    missing = [c for c in _CONTROLLERS if c not in available]
    if missing:
        raise CgroupUnavailableError(
            f"cgroup v2 does not delegate the {' and '.join(missing)} controller to {directory}"
        )
    try:
        group = _make_group(directory)
    except OSError as error:
        raise CgroupUnavailableError(
            f"cannot create a cgroup below {directory} ({_reason(error)})"
        ) from error
    tree = CgroupTree(2, {"": group}, swap_accounted=True)
    try:
        _enable_controllers(directory)
        _enable_controllers(group)
    except OSError as error:
        tree.close()
        hint = (
            "other processes share the runner's cgroup; start the runner in a cgroup of its "
            "own, for example with `systemd-run --scope -p Delegate=yes deepdive runner ...`"
            if error.errno == errno.EBUSY
            else _reason(error)
        )
        raise CgroupUnavailableError(
            f"cannot hand the memory and pids controllers down from {directory}: {hint}"
        ) from error
    return tree


def _setup_v1(own: dict[str, str], mounts: dict[str, _Mount]) -> CgroupTree:
    groups: dict[str, str] = {}
    directories: dict[str, str] = {}
    for controller in _CONTROLLERS:
        if controller not in mounts or controller not in own:
            raise CgroupUnavailableError(f"the cgroup v1 {controller} controller is not mounted")
        directory = _directory(mounts[controller], own[controller])
        if directory is None or not os.path.isdir(directory):
            raise CgroupUnavailableError(
                f"the runner's {controller} cgroup {own[controller]} is not visible here"
            )
        directories[controller] = directory
    memory = directories["memory"]
    with contextlib.suppress(FileNotFoundError):
        if _read(os.path.join(memory, "memory.use_hierarchy")).strip() == "0":
            raise CgroupUnavailableError(
                f"memory.use_hierarchy is 0 in {memory}: child cgroups would escape its limit"
            )
    swap_accounted = os.path.exists(os.path.join(memory, "memory.memsw.limit_in_bytes"))
    if not swap_accounted and _swap_in_use():
        raise CgroupUnavailableError(
            "this machine swaps but its cgroup v1 memory controller does not account swap "
            "(boot with swapaccount=1), so a sandbox could swap its way past the limit"
        )
    try:
        for controller, directory in directories.items():
            groups[controller] = _make_group(directory)
    except OSError as error:
        CgroupTree(1, groups, swap_accounted).close()
        raise CgroupUnavailableError(
            f"cannot create a cgroup below {directory} ({_reason(error)})"
        ) from error
    return CgroupTree(1, groups, swap_accounted)


def _swap_in_use() -> bool:
    try:
        return len(_read("/proc/swaps").splitlines()) > 1
    except OSError:
        return False


def setup() -> CgroupTree:
    """Create this runner's cgroup directories, or raise `CgroupUnavailableError`.

    cgroup v2 is used where it holds the memory and pids controllers, else cgroup v1.
    """
    try:
        own = _own_cgroups(_read("/proc/self/cgroup"))
        mounts = _cgroup_mounts(_read("/proc/self/mountinfo"))
    except OSError as error:
        raise CgroupUnavailableError(
            f"cannot read this process's cgroups ({_reason(error)})"
        ) from error
    problems: list[str] = []
    if "" in own and "" in mounts:
        directory = _directory(mounts[""], own[""])
        if directory is not None and os.path.isdir(directory):
            try:
                return _setup_v2(directory)
            except CgroupUnavailableError as problem:
                problems.append(str(problem))
    if any(c in mounts for c in _CONTROLLERS):
        try:
            return _setup_v1(own, mounts)
        except CgroupUnavailableError as problem:
            problems.append(str(problem))
    elif not problems:
        problems.append("no cgroup v2 and no cgroup v1 memory and pids controllers are mounted")
    raise CgroupUnavailableError("; ".join(problems))
