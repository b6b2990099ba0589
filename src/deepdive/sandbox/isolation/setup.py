"""The isolation sequence, split at the fork that makes the sandbox's PID 1.

`before_fork` runs in the runner's direct child: it joins the sandbox's cgroup (so every process
the sandbox will ever have is counted there), leaves the runner's session and enters the
namespaces. Creating a PID namespace only affects *future* children, so that process forks once
more; the grandchild is PID 1 of the new namespace (when it dies, the kernel kills everything
else inside) and runs `after_fork`. As root the runner creates the PID namespace itself, for the
one child it forks next, so that child is PID 1 from the start and runs both halves.
`after_fork` sets up the private root filesystem, the drop to an unprivileged user,
capabilities, a parent-death signal that ties it to the runner, `no_new_privs` and the seccomp
filter. Resource limits come last, right before the learner's code, once warming up is done
(see `rlimits`).

Two routes lead to the same place:

* As root (a server, CI): namespaces are created with root's privileges, the root filesystem is
  built, then the process becomes an unprivileged user ID of its own (one per live sandbox, since
  the kernel counts processes per user) and finally enters a user namespace of its own.
* As a normal user (a laptop): the user namespace comes first and provides the privileges needed
  for the rest. The learner's processes are counted within that user namespace only.
"""

from __future__ import annotations

import os
import select
import signal
from collections.abc import Callable
from dataclasses import dataclass

from deepdive.sandbox.isolation import filesystem, libc, namespaces, seccomp
from deepdive.sandbox.isolation.cgroups import SandboxCgroup
from deepdive.sandbox.isolation.state import IsolationState

_HOSTNAME = "sandbox"


@dataclass(frozen=True)
class IsolationPlan:
    """Decided once by the runner; every sandbox follows it."""

    filesystem: filesystem.FilesystemPlan
    as_root: bool
    seccomp_filter: object | None
    # Why sandboxes get no cgroup on this machine (None: each gets one).
    cgroup_problem: str | None = None


def make_plan(
    fs_plan: filesystem.FilesystemPlan, *, cgroup_problem: str | None = None
) -> IsolationPlan:
    as_root = os.geteuid() == 0
    program = seccomp.build_filter() if seccomp.supported() else None
    return IsolationPlan(
        filesystem=fs_plan, as_root=as_root, seccomp_filter=program, cgroup_problem=cgroup_problem
    )


def before_fork(
    plan: IsolationPlan,
    state: IsolationState,
    outer_uid: int,
    cgroup: SandboxCgroup | None,
    *,
    in_pid_namespace: bool = False,
    cgroup_procs: tuple[int, ...] = (),
) -> None:
    """Join the cgroup, enter namespaces. Runs in the runner's direct child, which forks PID 1
    afterwards; or, as root, in PID 1 itself when the runner forked it into a PID namespace of
    its own already (`in_pid_namespace`: then nothing is forked in between). A sandbox that
    cannot see the cgroup's directories joins through `cgroup_procs` (see `SandboxCgroup.join`).
    """
    _join_cgroup(plan, state, cgroup, cgroup_procs)
    os.setsid()
    if not plan.as_root:
        _enter_user_namespace(state)
    entered = namespaces.enter_other_namespaces(in_pid_namespace=in_pid_namespace)
    for name, problem in entered.items():
        state.record(name, problem)
    del outer_uid  # the root route switches user later, after building the filesystem


def after_fork(
    plan: IsolationPlan,
    state: IsolationState,
    outer_uid: int,
    *,
    runner: int,
    wait_until_adopted: Callable[[], None],
    in_template: bool = False,
) -> None:
    """Finish isolating PID 1 of the sandbox: filesystem, user, capabilities, its life tied to
    the runner's (`runner` is a descriptor the runner holds the other end of), seccomp.
    `in_template`: the process was forked from one living in the template root (see
    `enter_template`), whose mount namespace it has copied: only its own mounts are missing."""
    if state.active("mount_namespace"):
        owner = outer_uid if plan.as_root else filesystem.LEARNER_UID
        build = filesystem.finish_root if in_template else filesystem.build_root
        try:
            has_proc = build(plan.filesystem, owner, owner)
        except OSError as error:
            state.record("private_filesystem", _reason(error))
        else:
            state.record("private_filesystem", None)
            state.record("proc", None if has_proc else "the kernel refused to mount /proc")
    else:
        state.record("private_filesystem", "no mount namespace")
    if state.active("uts_namespace"):
        try:
            libc.sethostname(_HOSTNAME)
        except OSError as error:
            state.record("uts_namespace", _reason(error))
    if plan.as_root:
        _leave_root(state, outer_uid)
    else:
        state.record("process_limit", None)
    _drop_capabilities(state)
    _die_with_runner(state, runner, wait_until_adopted)
    _install_seccomp(plan, state)


def enter_template(plan: IsolationPlan) -> None:
    """Move the calling process (root, with no other thread) into a mount namespace of its own
    whose root is the part of a sandbox's root filesystem that every sandbox shares. The
    processes it forks copy that namespace and add only their own mounts: a few mounts each
    instead of building the whole root."""
    libc.unshare(libc.CLONE_NEWNS)
    filesystem.build_template(plan.filesystem)


def _join_cgroup(
    plan: IsolationPlan,
    state: IsolationState,
    cgroup: SandboxCgroup | None,
    through: tuple[int, ...],
) -> None:
    if cgroup is None:
        for fd in through:
            os.close(fd)
        state.record("cgroup", plan.cgroup_problem or "the sandbox's cgroup could not be created")
        return
    try:
        cgroup.join(through)
    except OSError as error:
        state.record("cgroup", f"cannot join {cgroup.memory}: {_reason(error)}")
    else:
        state.record("cgroup", None)


def _leave_root(state: IsolationState, outer_uid: int) -> None:
    try:
        namespaces.become(outer_uid, outer_uid)
    except OSError as error:
        state.record("process_limit", f"could not leave root: {_reason(error)}")
        return
    state.record("process_limit", None)
    _enter_user_namespace(state)


def _enter_user_namespace(state: IsolationState) -> None:
    try:
        namespaces.enter_user_namespace(filesystem.LEARNER_UID, filesystem.LEARNER_UID)
    except OSError as error:
        state.record("user_namespace", _reason(error))
    else:
        state.record("user_namespace", None)


def _drop_capabilities(state: IsolationState) -> None:
    try:
        libc.drop_all_capabilities()
    except OSError as error:
        # Without a user namespace an unprivileged process has no capabilities to drop.
        has_namespace = state.active("user_namespace")
        state.record("capabilities_dropped", _reason(error) if has_namespace else None)
    else:
        state.record("capabilities_dropped", None)


def _die_with_runner(
    state: IsolationState, runner: int, wait_until_adopted: Callable[[], None]
) -> None:
    """Make the kernel kill PID 1 (and with it the whole PID namespace) when the runner dies,
    however it dies: even a run that blocks every signal it can does not outlive it.

    The parent-death signal fires whenever the parent changes, so it is set only once the
    runner's child has exited and the runner (a child subreaper) has adopted PID 1 (at once
    when the runner forked PID 1 itself); and after
    the last change of credentials, which clears it. The filter installed next forbids changing
    it. Should the runner have died just before, its end of `runner` is closed: PID 1 exits.
    """
    wait_until_adopted()
    try:
        libc.prctl(libc.PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError as error:
        state.record("dies_with_runner", _reason(error))
        return
    poller = select.poll()
    poller.register(runner, select.POLLIN)
    if any(events & select.POLLHUP for _, events in poller.poll(0)):
        os._exit(0)
    state.record("dies_with_runner", None)


def _install_seccomp(plan: IsolationPlan, state: IsolationState) -> None:
    if plan.seccomp_filter is None:
        state.record("seccomp", "unsupported processor architecture")
        return
    try:
        seccomp.install(plan.seccomp_filter)  # type: ignore[arg-type]
    except OSError as error:
        state.record("seccomp", _reason(error))
    else:
        state.record("seccomp", None)


def reset_inherited_state(keep: tuple[int, ...]) -> None:
    """Forget what the runner's process left behind: signal handlers and descriptors.

    Standard input and output become /dev/null; every other descriptor but `keep` is closed.
    """
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    _close_all_except(keep)


def _close_all_except(keep: tuple[int, ...]) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        if null != fd:
            os.dup2(null, fd)
    keep = (0, 1, 2, *keep)
    start = 0
    for fd in sorted(keep):
        if fd > start:
            os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, 1 << 20)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
