"""Entering Linux namespaces and mapping the sandbox's user ID inside a user namespace."""

from __future__ import annotations

import os

from deepdive.sandbox.isolation import libc

# Namespaces other than the user namespace, with the names used in isolation reports.
OTHER_NAMESPACES = {
    "mount_namespace": libc.CLONE_NEWNS,
    "network_namespace": libc.CLONE_NEWNET,
    "ipc_namespace": libc.CLONE_NEWIPC,
    "uts_namespace": libc.CLONE_NEWUTS,
    "pid_namespace": libc.CLONE_NEWPID,
}


def enter_other_namespaces(*, in_pid_namespace: bool = False) -> dict[str, str | None]:
    """Unshare every namespace but the user namespace; map each name to None or why it failed.

    `in_pid_namespace`: the caller was forked as PID 1 of a PID namespace of its own already
    (see `PidNamespaceForNextChild`), so that one is not unshared again.
    One system call in the common case; one per namespace only when some are refused, so the
    report can say exactly which one is missing.
    """
    wanted = dict(OTHER_NAMESPACES)
    outcome: dict[str, str | None] = {}
    if in_pid_namespace:
        del wanted["pid_namespace"]
        outcome["pid_namespace"] = None if os.getpid() == 1 else "not PID 1 of its namespace"
    try:
        libc.unshare(sum(wanted.values()))
    except OSError:
        pass
    else:
        return {**dict.fromkeys(wanted), **outcome}
    for name, flag in wanted.items():
        try:
            libc.unshare(flag)
        except OSError as error:
            outcome[name] = error.strerror or str(error)
        else:
            outcome[name] = None
    return outcome


def enter_user_namespace(inner_uid: int, inner_gid: int) -> None:
    """Unshare the user namespace and map `inner_uid`/`inner_gid` to the caller's own IDs.

    Only the caller's own IDs can be mapped without privileges, which is all the sandbox needs.
    The caller must be dumpable: after a change of user ID the kernel makes /proc/self owned by
    root, and the maps could not be written.
    """
    outer_uid, outer_gid = os.geteuid(), os.getegid()
    libc.prctl(libc.PR_SET_DUMPABLE, 1)
    libc.unshare(libc.CLONE_NEWUSER)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{inner_uid} {outer_uid} 1\n")
    _write("/proc/self/gid_map", f"{inner_gid} {outer_gid} 1\n")


def become(uid: int, gid: int) -> None:
    """Switch every user and group ID to `uid`/`gid` (from root: this also drops capabilities)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    libc.prctl(libc.PR_SET_DUMPABLE, 1)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


class PidNamespaceForNextChild:
    """Fork a sandbox's PID 1 straight from the runner (root only): `with` it around the fork.

    `unshare(CLONE_NEWPID)` moves only the caller's *future* children into a new PID namespace;
    the first child forked is its PID 1. Right after the fork the runner goes back to its own
    namespace for children (`setns`), so nothing else it forks is affected. This spares a
    process in between (one fork, its copied page tables and its exit per sandbox); the
    namespace is the same one that process would have created, owned by the same user.
    """

    def __init__(self) -> None:
        self._own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)

    def enter(self) -> bool:
        """Make the next child PID 1 of a new namespace; False where the kernel refuses."""
        try:
            libc.unshare(libc.CLONE_NEWPID)
        except OSError:
            return False
        return True

    def leave(self) -> None:
        """Fork into the runner's own PID namespace again (in the runner, after the fork)."""
        libc.setns(self._own, libc.CLONE_NEWPID)

    def close(self) -> None:
        os.close(self._own)
