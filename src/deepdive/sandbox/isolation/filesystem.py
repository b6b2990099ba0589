"""A minimal root filesystem for a sandboxed process, built from read-only bind mounts.

A mount namespace on its own hides nothing, so the sandbox builds a fresh root: a small tmpfs
holding the operating system's libraries and the Python installation (bound read-only), a
synthetic `/etc`, a few device nodes, a new `/proc`, and two small writable tmpfs mounts (`/work`
for the learner's files, `/tmp`). Then it pivots into that root and detaches the old one. Whatever
was not bound in (the platform's data directory, its database and secret key, the source tree,
every home directory) simply does not exist any more; if one of those lies inside a bound
directory, an empty read-only mount is laid over it.

Where a zygote forks the sandboxes, the read-only part is built once, in the zygote
(`build_template`), and each sandbox only mounts its writable directories and /proc
(`finish_root`) in its copy of the zygote's mount namespace; unless the Python installation lies
below /tmp (see `FilesystemPlan.shareable`), where each sandbox builds its root whole.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from deepdive.sandbox.isolation import libc

WORK_DIR = "/sandbox"
# Each sandbox's own tmpfs mounts: nothing else in its root can be written to.
WRITABLE_DIRS = (WORK_DIR, "/tmp")  # noqa: S108
LEARNER_UID = 1000
LEARNER_NAME = "learner"

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# mime.types: what Python's mimetypes (so Starlette's FileResponse and StaticFiles) reads to
# name content types beyond its short built-in table (fonts, modern JavaScript, ...).
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/mime.types")
_DEVICES = ("null", "zero", "full", "random", "urandom")
_PRESERVED_FLAGS = tuple(
    (getattr(os, name, 0), flag)  # os.ST_* exist on Linux only
    for name, flag in (
        ("ST_NOEXEC", libc.MS_NOEXEC),
        ("ST_NOATIME", libc.MS_NOATIME),
        ("ST_NODIRATIME", libc.MS_NODIRATIME),
        ("ST_RELATIME", libc.MS_RELATIME),
    )
)


@dataclass(frozen=True)
class FilesystemPlan:
    """What the sandbox's root contains. Computed once in the runner, used by every child."""

    mount_point: str
    read_only: tuple[str, ...]
    symlinks: tuple[tuple[str, str], ...]
    hidden: tuple[str, ...]
    work_mib: int
    tmp_mib: int
    extra_files: dict[str, str] = field(default_factory=dict)

    @property
    def shareable(self) -> bool:
        """Whether the read-only part of the root can be built once for every sandbox
        (`build_template`): not where something bound read-only lies below a writable mount
        (an installation below /tmp), which each sandbox's own tmpfs would then cover."""
        return not any(
            p == w or p.startswith(w + "/") for p in self.read_only for w in WRITABLE_DIRS
        )


def python_paths() -> list[str]:
    """Directories the interpreter imports from: the standard library and installed packages
    (not the source tree an editable install points into)."""
    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    candidates = [sysconfig.get_paths()[key] for key in keys] + list(sys.path)
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    found: list[str] = []
    for entry in candidates:
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        installed = os.path.basename(real) in ("site-packages", "dist-packages")
        if installed or any(real == p or real.startswith(p + os.sep) for p in prefixes):
            found.append(real)
    return found


def interpreter_paths() -> list[str]:
    """What starting `sys.executable` again needs besides `python_paths`, so that a learner's
    code can run Python in a subprocess (`subprocess.run([sys.executable, "-m", "pytest"])`):
    the directory of the executable and of each link on the way to it, the shared library it
    loads, and a virtual environment's `pyvenv.cfg` (without which it would not find the
    environment's packages). Read-only like the rest: a subprocess is as isolated as its
    parent, and runs under its limits."""
    found: list[str] = []
    path = sys.executable
    for _ in range(8):  # python -> python3 -> python3.11
        if not path or not os.path.exists(path):
            break
        found.append(os.path.dirname(os.path.abspath(path)))
        if not os.path.islink(path):
            break
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        library = os.path.join(
            sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("INSTSONAME") or ""
        )
        if os.path.isfile(library):
            found.append(os.path.realpath(library))
    settings = os.path.join(sys.prefix, "pyvenv.cfg")
    if sys.prefix != sys.base_prefix and os.path.isfile(settings):
        found.append(settings)
    return found


def plan_filesystem(
    mount_point: str,
    *,
    hidden: Iterable[Path],
    work_mib: int,
    tmp_mib: int,
) -> FilesystemPlan:
    """Decide what to bind into the sandbox's root on this machine."""
    read_only: list[str] = []
    symlinks: list[tuple[str, str]] = []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            symlinks.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            read_only.append(path)
    read_only.extend(p for p in _SYSTEM_FILES if os.path.isfile(p))
    read_only.extend(python_paths())
    read_only.extend(interpreter_paths())
    if os.path.islink("/etc/localtime"):
        symlinks.append(("/etc/localtime", os.readlink("/etc/localtime")))
    return FilesystemPlan(
        mount_point=mount_point,
        read_only=tuple(_outermost(read_only)),
        symlinks=tuple(symlinks),
        hidden=tuple(sorted({str(Path(p).resolve()) for p in hidden})),
        work_mib=work_mib,
        tmp_mib=tmp_mib,
    )


def _outermost(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the list (binding the outer one covers them)."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path == kept or path.startswith(kept.rstrip("/") + "/") for kept in result):
            result.append(path)
    return result


def build_root(plan: FilesystemPlan, owner_uid: int, owner_gid: int) -> bool:
    """Build the new root at `plan.mount_point` and pivot into it (needs CAP_SYS_ADMIN).

    `owner_uid`/`owner_gid` own the writable directories, as seen by the calling process.
    Returns whether a /proc for the current PID namespace could be mounted.
    """
    root = plan.mount_point
    libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
    libc.mount("tmpfs", root, "tmpfs", libc.MS_NOSUID | libc.MS_NODEV, "size=2m,mode=0755")
    # The writable mounts come first, so that an installation living below /tmp stays visible.
    _mount_writable(plan, root, owner_uid, owner_gid)
    _populate(plan, root)
    # Mounted before the old root goes: the kernel lets a user namespace mount proc only while
    # a fully visible proc is still in sight.
    has_proc = _mount_proc(root + "/proc")
    _pivot(root)
    return has_proc


def build_template(plan: FilesystemPlan) -> None:
    """Pivot the calling process (root, in a mount namespace of its own) into a root like the
    one `build_root` makes, without its writable mounts and /proc: the parts every sandbox has
    in common. A sandbox forked from it copies that root with its mount namespace and only
    adds what is its own (`finish_root`)."""
    root = plan.mount_point
    libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
    libc.mount("tmpfs", root, "tmpfs", libc.MS_NOSUID | libc.MS_NODEV, "size=2m,mode=0755")
    for path in (*WRITABLE_DIRS, "/proc"):
        os.makedirs(root + path, exist_ok=True)
    _populate(plan, root)
    _pivot(root)


def finish_root(plan: FilesystemPlan, owner_uid: int, owner_gid: int) -> bool:
    """In a copy of the template's mount namespace: the sandbox's own writable mounts and a
    /proc for its PID namespace (see `build_root`)."""
    libc.mount(None, "/", None, libc.MS_REC | libc.MS_PRIVATE)
    _mount_writable(plan, "", owner_uid, owner_gid)
    return _mount_proc("/proc")


def _mount_writable(plan: FilesystemPlan, root: str, owner_uid: int, owner_gid: int) -> None:
    for path, size in zip(WRITABLE_DIRS, (plan.work_mib, plan.tmp_mib), strict=True):
        os.makedirs(root + path, exist_ok=True)
        libc.mount(
            "tmpfs",
            root + path,
            "tmpfs",
            libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC,
            f"size={size}m,nr_inodes=4096,mode=0700,uid={owner_uid},gid={owner_gid}",
        )


def _populate(plan: FilesystemPlan, root: str) -> None:
    for source in plan.read_only:
        _bind_read_only(source, root + source)
    for hidden in plan.hidden:
        _cover(root, hidden, plan.read_only)
    for link, target in plan.symlinks:
        _make_parent(root + link)
        os.symlink(target, root + link)
    _populate_dev(root)
    _populate_etc(root, plan)


def _pivot(root: str) -> None:
    libc.mount(None, root, None, libc.MS_REMOUNT | libc.MS_BIND | libc.MS_RDONLY | _locked(root))
    os.chdir(root)
    libc.pivot_root(".", ".")
    libc.umount(".", libc.MNT_DETACH)
    os.chdir("/")


def _mount_proc(target: str) -> bool:
    os.makedirs(target, exist_ok=True)
    try:
        libc.mount("proc", target, "proc", libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC)
    except OSError:
        return False
    return True


def _locked(path: str) -> int:
    """Flags a remount must keep: the kernel refuses to clear them inside a user namespace."""
    flags = libc.MS_NOSUID | libc.MS_NODEV
    current = os.statvfs(path).f_flag
    for st_flag, ms_flag in _PRESERVED_FLAGS:
        if current & st_flag:
            flags |= ms_flag
    return flags


def _make_parent(path: str) -> None:
    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)


def _bind_read_only(source: str, target: str) -> None:
    _make_parent(target)
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        with open(target, "a"):
            pass
    libc.mount(source, target, None, libc.MS_BIND | libc.MS_REC)
    libc.mount(
        None, target, None, libc.MS_BIND | libc.MS_REMOUNT | libc.MS_RDONLY | _locked(target)
    )


def _cover(root: str, hidden: str, bound: Iterable[str]) -> None:
    """Lay an empty read-only mount over a secret path that a bound directory would expose."""
    if not any(hidden.startswith(b.rstrip("/") + "/") for b in bound):
        return
    target = root + hidden
    if os.path.isdir(target):
        libc.mount("tmpfs", target, "tmpfs", libc.MS_RDONLY | libc.MS_NOSUID, "size=4k")
    elif os.path.exists(target):
        libc.mount("/dev/null", target, None, libc.MS_BIND)


def _populate_dev(root: str) -> None:
    os.makedirs(root + "/dev", mode=0o755, exist_ok=True)
    for name in _DEVICES:
        if os.path.exists(f"/dev/{name}"):
            target = f"{root}/dev/{name}"
            with open(target, "a"):
                pass
            libc.mount(f"/dev/{name}", target, None, libc.MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
        # POSIX shared memory and semaphores (multiprocessing's locks, queues and pools) are
        # files in /dev/shm: here in the sandbox's own /tmp, whose size is limited.
        ("shm", "/tmp"),  # noqa: S108  (the sandbox's own tmpfs)
    ):
        os.symlink(target, f"{root}/dev/{name}")


def _populate_etc(root: str, plan: FilesystemPlan) -> None:
    files = {
        "passwd": (
            "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
            f"{LEARNER_NAME}:x:{LEARNER_UID}:{LEARNER_UID}:learner:{WORK_DIR}:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
        ),
        "group": f"root:x:0:\n{LEARNER_NAME}:x:{LEARNER_UID}:\nnogroup:x:65534:\n",
        "hosts": "127.0.0.1 localhost sandbox\n::1 localhost\n",
        "hostname": "sandbox\n",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
        "resolv.conf": "",
        **plan.extra_files,
    }
    os.makedirs(root + "/etc", mode=0o755, exist_ok=True)
    for name, text in files.items():
        with open(f"{root}/etc/{name}", "w", encoding="utf-8") as handle:
            handle.write(text)
