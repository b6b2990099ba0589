"""The few Linux system calls the standard library does not wrap (as of Python 3.11), via ctypes.

Every function raises `OSError` with the real errno, so callers can report *why* a feature is
unavailable ("Operation not permitted" reads differently from "Function not implemented").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWTIME = 0x00000080
NAMESPACE_FLAGS = (
    CLONE_NEWNS
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWCGROUP
    | CLONE_NEWTIME
)

MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REMOUNT = 0x20
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MS_RELATIME = 0x200000
MNT_DETACH = 0x2

PROT_READ = 0x1
PROT_WRITE = 0x2
MAP_SHARED = 0x01
MADV_DONTFORK = 10
MADV_POPULATE_WRITE = 23  # Linux 5.14
MADV_COLLAPSE = 25  # Linux 6.1

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

_LINUX_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
if sys.platform.startswith("linux"):  # elsewhere the module imports, and the engine says why not
    _libc.mount.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_char_p,
    ]
    _libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    _libc.unshare.argtypes = [ctypes.c_int]
    _libc.setns.argtypes = [ctypes.c_int, ctypes.c_int]
    _libc.sethostname.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
    _libc.prctl.argtypes = [
        ctypes.c_int,
        ctypes.c_ulong,
        ctypes.c_ulong,
        ctypes.c_ulong,
        ctypes.c_ulong,
    ]
    _libc.syscall.restype = ctypes.c_long
    _libc.mmap.restype = ctypes.c_void_p
    _libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    _libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    _prctl_with_pointer = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, use_errno=True
    )(("prctl", _libc))


def _last_capability() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return 40


# Read while /proc is still the host's: the sandbox drops capabilities after it has moved away.
_CAP_LAST = _last_capability()

# pivot_root has no glibc wrapper; its number differs between architectures.
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _path(value: str | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def unshare(flags: int) -> None:
    _check(_libc.unshare(flags), "unshare")


def setns(fd: int, nstype: int) -> None:
    _check(_libc.setns(fd, nstype), "setns")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    _check(
        _libc.mount(_path(source), _path(target), _path(fstype), flags, _path(data)),
        f"mount {target}",
    )


def umount(target: str, flags: int = 0) -> None:
    _check(_libc.umount2(_path(target), flags), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    number = _PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(38, f"pivot_root: unsupported architecture {platform.machine()}")
    _check(
        _libc.syscall(
            ctypes.c_long(number), ctypes.c_char_p(_path(new_root)), ctypes.c_char_p(_path(put_old))
        ),
        "pivot_root",
    )


def map_shared(fd: int, length: int) -> memoryview:
    """Map `length` bytes of `fd` shared, read-write, and not inherited by forked children.

    Unlike `mmap.mmap`, which keeps a duplicate of the descriptor for as long as the map lives,
    this keeps none: once the caller closes `fd`, the mapping is the only way in.
    """
    address = _libc.mmap(None, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        err = ctypes.get_errno()
        raise OSError(err, f"mmap: {os.strerror(err)}")
    _check(_libc.madvise(address, length, MADV_DONTFORK), "madvise")
    return memoryview((ctypes.c_char * length).from_address(address)).cast("B")


def madvise(address: int, length: int, advice: int) -> None:
    _check(_libc.madvise(address, length, advice), "madvise")


# madvise() itself, for loops of thousands of calls whose failures do not matter: it returns
# -1 on failure instead of raising (a Python wrapper would nearly double the cost of each call).
madvise_unchecked = _libc.madvise

# Newer system calls have one number on every architecture.
_SYS_PIDFD_OPEN = 434
_SYS_PROCESS_MADVISE = 440
# The most ranges one process_madvise() call takes (UIO_MAXIOV).
IOV_MAX = 1024


def pidfd_open(pid: int) -> int:
    """A descriptor that names process `pid` (Linux 5.3)."""
    return _check(_libc.syscall(_SYS_PIDFD_OPEN, ctypes.c_int(pid), ctypes.c_uint(0)), "pidfd_open")


def process_madvise(pidfd: int, iovecs: int, count: int, advice: int) -> int:
    """Advise the kernel on `count` ranges at once: `iovecs` is the address of an array of
    `struct iovec` (start, length). Returns how many bytes were advised: on an error past the
    first range, the bytes before the range that failed. Advice that changes memory (such as
    MADV_POPULATE_WRITE) is accepted for the calling process itself from Linux 6.13."""
    result = _libc.syscall(
        _SYS_PROCESS_MADVISE,
        ctypes.c_int(pidfd),
        ctypes.c_void_p(iovecs),
        ctypes.c_size_t(count),
        ctypes.c_int(advice),
        ctypes.c_uint(0),
    )
    return _check(result, "process_madvise")


def sethostname(name: str) -> None:
    raw = name.encode()
    _check(_libc.sethostname(raw, len(raw)), "sethostname")


def prctl(option: int, arg2: int = 0, arg3: int = 0, arg4: int = 0, arg5: int = 0) -> int:
    return _check(_libc.prctl(option, arg2, arg3, arg4, arg5), f"prctl({option})")


def prctl_pointer(option: int, arg2: int, pointer: object) -> None:
    """prctl() whose third argument is a pointer (used to install a seccomp filter)."""
    _check(_prctl_with_pointer(option, arg2, pointer), f"prctl({option})")


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def drop_all_capabilities() -> None:
    """Empty the effective, permitted, inheritable, ambient and bounding capability sets."""
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    for cap in range(_CAP_LAST + 1):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError:
            break
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
