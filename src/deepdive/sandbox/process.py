"""One sandboxed process, seen from the runner: fork, warm-up, run, result, reaping.

As root, the runner's zygote (see `zygote`) forks the sandbox's PID 1 into a PID namespace of
its own, as the runner's child; without a zygote the runner forks it so itself (see
`namespaces.PidNamespaceForNextChild`). Otherwise the runner forks a child that enters the
namespaces (the user namespace first, which grants the right to create the others) and forks
PID 1, reports that process's ID and exits; the runner is a child subreaper, so PID 1 becomes
the runner's own child. Either way PID 1 is the runner's child: it can be killed (taking every
process inside its PID namespace with it) and reaped without any race. Nothing is left behind:
the sandbox's files live on tmpfs mounts that vanish with its mount namespace.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import logging
import os
import signal
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from deepdive.sandbox import channel, control, messages
from deepdive.sandbox.hot_pages import HotPages
from deepdive.sandbox.isolation import namespaces, rlimits, setup
from deepdive.sandbox.isolation.cgroups import SandboxCgroup
from deepdive.sandbox.isolation.rlimits import MEMORY_MARGIN, MIB
from deepdive.sandbox.isolation.state import IsolationState, isolation_report
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.run_result import ErrorInfo, Limits, RunResult, Usage
from deepdive.sandbox.worker.main import WorkerConfig, sandbox_main
from deepdive.sandbox.zygote import Zygote

KILL_GRACE_SECONDS = 1.0
# How long a killed sandbox's PID 1 may take to be reaped before its figures are given up.
_REAP_SECONDS = 5.0
# Runs whose events the runner passes on to the client as they happen.
_EVENT_KINDS = ("session", "test")
log = logging.getLogger("deepdive.sandbox")


class SandboxStartError(Exception):
    """The sandbox could not be started (an engine problem, not the learner's)."""


@dataclass
class Exit:
    status: int
    cpu_seconds: float
    max_rss_mib: float


class SandboxProcess:
    """A pre-forked sandbox. Create it with `spawn`; await `ready`, then `execute` once."""

    def __init__(
        self, flavor: str, uid: int, on_pid: Callable[[SandboxProcess, int], None] | None = None
    ) -> None:
        self.flavor = flavor
        self._on_pid = on_pid
        self.uid = uid
        self.pid: int | None = None
        self.features: dict[str, str | None] = {}
        self.loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = self.loop.create_future()
        self.exited: asyncio.Future[Exit] = self.loop.create_future()
        self.events = control.EventQueue()
        self._done: asyncio.Future[None] = self.loop.create_future()
        self._tripped: control.Tripped | None = None
        self._kind = ""
        self._messages = 0
        self._logged = 0
        # Set when the runner ends the run itself: (outcome, message) for the learner.
        self._stopped: tuple[str, str] | None = None
        self._killed_for_time = False
        self._cpu_at_kill: tuple[float, float] | None = None
        self._warm_cpu = 0.0
        self._ready_rss = 0.0
        self._sock: socket.socket | None = None
        self._region = -1
        self._intermediate: int | None = None
        self._intermediate_cpu = 0.0
        self._group: int | None = None
        self._kill_wanted = False
        self.running = False
        self.scratch_dir = ""
        # Set by the engine before `spawn`: the sandbox's cgroup (None where there is none).
        self.cgroup: SandboxCgroup | None = None
        self._limits: Limits | None = None
        self._ready_usage = 0
        self._peak: int | None = None
        self._oom_kills = 0

    # -- start -----------------------------------------------------------------------------

    def spawn(
        self,
        plan: setup.IsolationPlan,
        config: WorkerConfig,
        pid_namespace: namespaces.PidNamespaceForNextChild | None = None,
        zygote: Zygote | None = None,
    ) -> int | None:
        """Fork the sandbox; returns the child's PID: PID 1 itself when `pid_namespace` lets
        the runner fork it directly, otherwise the intermediate child's (PID 1 follows later).
        With a `zygote`, the zygote forks PID 1 (the runner's child all the same) and reports
        its PID: None is returned."""
        runner_end, sandbox_end = channel.socket_pair()
        region = channel.create_region()
        self._limits = config.limits
        if zygote is not None:
            try:
                order = (dataclasses.replace(config, hot_pages=None), self.uid, self.cgroup)
                joins = self.cgroup.open_procs() if self.cgroup is not None else []
                try:
                    zygote.spawn(sandbox_end, region, order, joins)
                finally:
                    for fd in joins:
                        os.close(fd)
            except BaseException:
                runner_end.close()
                os.close(region)
                raise
            finally:
                sandbox_end.close()
            self._attach(runner_end, region)
            return None
        os.set_inheritable(region, True)
        # Objects the runner holds must not be finalised in the child (a finaliser could close a
        # descriptor number the child has reused), so the garbage collector ignores them there.
        direct = pid_namespace is not None and pid_namespace.enter()
        gc.freeze()
        try:
            pid = os.fork()
            if pid == 0:
                _child(sandbox_end, region, plan, config, self.uid, self.cgroup, direct=direct)
        finally:
            gc.unfreeze()
            if direct:
                assert pid_namespace is not None
                pid_namespace.leave()
        sandbox_end.close()
        self._attach(runner_end, region)
        self._group = pid  # the child starts a session of its own: its PID names the group
        if direct:
            self._found(pid)
        else:
            self._intermediate = pid
        return pid

    def _attach(self, runner_end: socket.socket, region: int) -> None:
        runner_end.setblocking(False)
        self._sock = runner_end
        self._region = region
        self.loop.add_reader(runner_end.fileno(), self._on_readable)

    def _found(self, pid: int) -> None:
        """PID 1 of the sandbox is `pid`."""
        self.pid = pid
        if self._group is None:
            self._group = pid  # PID 1 starts a session of its own
        if self._on_pid is not None:
            self._on_pid(self, pid)
        if self._kill_wanted:
            self.kill()

    def _on_readable(self) -> None:
        assert self._sock is not None
        while self._stopped is None:
            try:
                packet = self._sock.recv(channel.MAX_MESSAGE)
            except BlockingIOError:
                return
            except OSError:
                packet = b""
            if not packet:
                self._stop_reading()
                if self.pid is None and self._intermediate is None and not self.ready.done():
                    # Forked by the zygote, which went away before it could say the PID.
                    self.ready.set_exception(SandboxStartError("the zygote went away"))
                return
            self._on_packet(packet)

    def _on_packet(self, packet: bytes) -> None:
        """Validate one packet and act on it. Nothing a sandbox sends is taken on trust."""
        try:
            message = control.MESSAGE.validate_json(packet)
        except ValidationError:
            if channel.decode(packet) is None:  # not a message at all: noise, only counted
                self._count()
            else:
                self._stop("crashed", messages.channel_misuse())
            return
        if isinstance(message, control.Event) and self.running and self._kind in _EVENT_KINDS:
            if not self.events.offer(message.event, len(packet)):
                self._stop("output_limit", messages.event_flood())
            return
        if self._count():
            self._on_message(message)

    def _count(self) -> bool:
        self._messages += 1
        if self._messages > control.MAX_MESSAGES:
            self._stop("crashed", messages.channel_misuse())
            return False
        return True

    def _on_message(self, message: control.Message) -> None:
        if isinstance(message, control.Forked):
            if self.pid is None:
                self._found(message.pid)
        elif isinstance(message, control.Failed):
            if not self.ready.done():
                self.ready.set_exception(SandboxStartError(message.error[-4000:]))
            else:
                self._log_failure(message.error)
        elif isinstance(message, control.Ready):
            if not self.ready.done():
                self.features = dict(message.features)
                self._warm_cpu = message.cpu
                self._ready_rss = message.rss_mib
                self._arm_cgroup()
                self.ready.set_result(None)
        elif isinstance(message, control.Done):
            if not self._done.done():
                self._done.set_result(None)
        elif isinstance(message, control.Tripped):
            self._tripped = message
        # an event outside a session or test run is only counted

    def _log_failure(self, error: str) -> None:
        self._logged += 1
        if self._logged <= control.LOG_LINES:
            log.error("The sandbox failed while running a request: %s", control.loggable(error))
        elif self._logged == control.LOG_LINES + 1:
            log.error("The sandbox keeps reporting failures; the rest are not logged")

    def _stop(self, outcome: str, message: str) -> None:
        """End the run now, because of what the sandbox sent."""
        if self._stopped is None:
            self._stopped = (outcome, message)
            self.kill()
            self._stop_reading()

    # -- the sandbox's cgroup ------------------------------------------------------------------

    @property
    def _in_pid_namespace(self) -> bool:
        return self.features.get("pid_namespace", "missing") is None

    @property
    def _has_cgroup(self) -> bool:
        return self.cgroup is not None and self.features.get("cgroup", "missing") is None

    def _arm_cgroup(self) -> None:
        """The sandbox is warm: what it holds now is its baseline; limits count from there."""
        if not self._has_cgroup:
            return
        assert self.cgroup is not None
        assert self._limits is not None
        try:
            self._ready_usage = self.cgroup.usage()
            self.cgroup.reset_peak()
            self._limit_cgroup(self._limits)
        except OSError as error:
            self.features["cgroup"] = f"cannot set the cgroup's limits: {error.strerror or error}"

    def _limit_cgroup(self, limits: Limits) -> None:
        assert self.cgroup is not None
        memory = self._ready_usage + limits.memory_mib * MIB + MEMORY_MARGIN
        self.cgroup.limit(memory, limits.processes)

    def _read_cgroup(self) -> None:
        """Keep the figures of the run: the cgroup goes soon after the sandbox's PID 1."""
        if not self._has_cgroup:
            return
        assert self.cgroup is not None
        with contextlib.suppress(OSError, ValueError):
            self._peak, self._oom_kills = self.cgroup.peak(), self.cgroup.oom_kills()

    def _measure(self, result: RunResult, limits: Limits, exit_info: Exit | None) -> None:
        """The run's peak memory, as the runner measured it: the cgroup's peak (every process,
        shared memory and tmpfs files together) where there is one, else the peak resident
        memory of the sandbox's PID 1 (and the processes it reaped) that `wait4` reported; and a
        memory-limit outcome when the kernel had to kill one of its processes for memory.

        The figure the sandbox put in its report is never kept: the learner's code runs in that
        process and can write any report it likes (0.0 here means "not measured"). The cgroup
        has been read by then: by `execute` once the sandbox was killed, or as it was reaped."""
        if self._peak is None:
            result.usage.max_memory_mib = round(exit_info.max_rss_mib, 1) if exit_info else 0.0
            return
        result.usage.max_memory_mib = round(max(self._peak - self._ready_usage, 0) / MIB, 1)
        if self._oom_kills and result.outcome in ("ok", "runtime_error", "crashed"):
            result.outcome = "memory_limit"
            result.message = messages.memory_of_all_processes(limits)

    def _stop_reading(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(ValueError, OSError):
                self.loop.remove_reader(self._sock.fileno())

    # -- the runner's child reaper calls these ---------------------------------------------

    def pids(self) -> list[int]:
        return [pid for pid in (self._intermediate, self.pid) if pid is not None]

    def owns(self, pid: int) -> bool:
        return pid in (self._intermediate, self.pid)

    def on_exit(self, pid: int, status: int, cpu: float, rss_mib: float) -> None:
        if pid == self._intermediate:
            self._intermediate = None
            self._intermediate_cpu = cpu
            if self._sock is not None:
                self._on_readable()  # its "forked" message may still be unread
            with contextlib.suppress(OSError):
                self.send({"type": "adopted"})  # PID 1 is the runner's own child now
            failed = not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0)
            if failed and self.pid is None and not self.ready.done():
                self.ready.set_exception(SandboxStartError(_status_text(status)))
            return
        if self._sock is not None:
            self._on_readable()  # what it said just before it died counts
        if not self.ready.done():
            self.ready.set_exception(SandboxStartError(_status_text(status)))
        if self.running:
            self._read_cgroup()
        if not self.exited.done():
            self.exited.set_result(Exit(status, cpu, rss_mib))
        self._stop_reading()
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def cpu_spent(self) -> tuple[float, float] | None:
        """(until ready, in all), in seconds, once PID 1 has exited after a run: the CPU of the
        sandbox's processes as the kernel counted them (the process that forked PID 1, where
        there was one, is part of getting ready). None for a sandbox that never ran a run."""
        if not (self.running and self.exited.done()):
            return None
        total = self.exited.result().cpu_seconds + self._intermediate_cpu
        return min(self._warm_cpu + self._intermediate_cpu, total), total

    def kill(self) -> None:
        """Kill the sandbox. PID 1 of a PID namespace takes everything inside with it; without
        one (degraded mode) the process group goes too, and the engine sweeps up the rest."""
        self._kill_wanted = True  # PID 1 is killed as soon as it is known, should it be later
        for pid in (self.pid, self._intermediate):
            if pid is not None and not self.exited.done():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        if self._group is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._group, signal.SIGKILL)
        if self.cgroup is not None:
            # Whatever left the process group or the PID namespace. Where PID 1 was killed in a
            # PID namespace of its own, the kernel takes everything else in it: one pass over
            # the cgroup is a second line only (and the engine kills what is left once more
            # should the cgroup not be empty when it removes it).
            contained = self.pid is not None and self._in_pid_namespace
            with contextlib.suppress(OSError, ValueError):
                self.cgroup.kill(until_empty=not contained)

    def release(self) -> None:
        """Free the result region, once its result has been read (or will never be)."""
        if self._region >= 0:
            os.close(self._region)
            self._region = -1

    # -- a run ------------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        if self._sock is None:
            raise OSError("the sandbox has gone")
        self._sock.send(channel.encode(message))

    def _send_with(self, connections: Sequence[socket.socket], message: dict[str, Any]) -> None:
        if self._sock is None:
            raise OSError("the sandbox has gone")
        try:
            socket.send_fds(
                self._sock, [channel.encode(message)], [c.fileno() for c in connections]
            )
        finally:
            for connection in connections:
                connection.close()

    async def execute(
        self,
        request: RunRequest,
        limits: Limits,
        deadline: float,
        connections: Sequence[socket.socket] = (),
    ) -> RunResult:
        """Hand `request` to the sandbox and wait for its result (at most `deadline` seconds).

        `connections` are handed over with the request (a graded run's HTTP connections); the
        runner's copies are closed once they are sent."""
        started = time.perf_counter()
        self.running = True
        self._kind = request.kind
        try:
            if self._has_cgroup and self._limits and limits.memory_mib < self._limits.memory_mib:
                with contextlib.suppress(OSError):
                    self._limit_cgroup(limits)
            channel.write_payload_fd(self._region, request.model_dump_json().encode())
            if connections:
                self._send_with(connections, {"type": "run"})
            else:
                self.send({"type": "run"})
            timer = self.loop.call_later(deadline + KILL_GRACE_SECONDS, self._time_is_up)
            try:
                result = await self._wait_for_result()
            finally:
                timer.cancel()
            self.kill()
            exit_info = None
            if result is not None and self._has_cgroup:
                # Every process of the sandbox has been sent SIGKILL, so the cgroup's figures
                # are final: the result goes back now, while the kernel tears the sandbox down
                # (its worker stays taken until the runner has reaped it).
                self._read_cgroup()
            if result is None or self._peak is None:
                # Without a cgroup, the peak memory is what wait4 reports once PID 1 is reaped.
                exit_info = await self._reaped(None if result is None else _REAP_SECONDS)
            if result is None:
                assert exit_info is not None
                if self._stopped is None:
                    result = self._read_result()
                result = result or self._without_result(request, limits, exit_info)
        finally:
            self.release()
        self._measure(result, limits, exit_info)
        result.usage.wall_ms = result.usage.wall_ms or round(
            (time.perf_counter() - started) * 1000, 3
        )
        return result

    async def _wait_for_result(self) -> RunResult | None:
        """The result, once "done" says it is there or the process has exited.

        A "done" the learner's code forged arrives before a result exists: it is ignored.
        """
        while True:
            await asyncio.wait({self._done, self.exited}, return_when=asyncio.FIRST_COMPLETED)
            if self._stopped is not None:
                return None
            result = self._read_result()
            if result is not None or self.exited.done():
                return result
            self._done = self.loop.create_future()

    async def _reaped(self, seconds: float | None) -> Exit | None:
        """How PID 1 ended once the runner has reaped it (None if that took over `seconds`)."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.exited), seconds)
        except TimeoutError:
            return None

    def _time_is_up(self) -> None:
        self._killed_for_time = True
        self._cpu_at_kill = self._cpu_now()
        self.kill()

    def _cpu_now(self) -> tuple[float, float] | None:
        """(every process of the sandbox, those other than PID 1): their processor time now,
        with the children each has reaped; None without a cgroup to list them."""
        if not self._has_cgroup:
            return None
        assert self.cgroup is not None
        try:
            members = self.cgroup.members()
        except OSError:
            return None
        others = [pid for pid in members if not self.owns(pid)]
        return rlimits.cpu_seconds_of(members), rlimits.cpu_seconds_of(others)

    def _read_result(self) -> RunResult | None:
        if self._region < 0:
            return None
        try:
            return RunResult.model_validate_json(channel.read_payload_fd(self._region))
        except (channel.PayloadError, ValueError, OSError):
            return None

    def _without_result(self, request: RunRequest, limits: Limits, info: Exit) -> RunResult:
        """The process died without reporting: say why, as precisely as the evidence allows."""
        frames = self._tripped.frames if self._tripped else []
        reason = self._tripped.reason if self._tripped else None
        cpu_used, others = max(info.cpu_seconds - self._warm_cpu, 0.0), 0.0
        if self._cpu_at_kill is not None:
            # wait4 leaves out the processes PID 1 had not reaped (and may or may not count
            # those the kernel reaps as a PID namespace goes): the figures taken as the run was
            # stopped count each process once.
            everything, others = self._cpu_at_kill
            cpu_used = max(cpu_used, everything - self._warm_cpu)
        signum = os.WTERMSIG(info.status) if os.WIFSIGNALED(info.status) else None
        error: ErrorInfo | None = None
        grew_mib = info.max_rss_mib - self._ready_rss
        if self._stopped is not None:
            outcome, message = self._stopped
        elif self._killed_for_time or reason == "wall":
            outcome, message = (
                "timeout",
                messages.wall_timeout(limits, frames, cpu_used, others),
            )
        elif reason == "cpu" or (
            signum in (signal.SIGXCPU, signal.SIGKILL) and cpu_used >= limits.cpu_seconds * 0.9
        ):
            outcome, message = "timeout", messages.cpu_timeout(limits, frames)
        elif signum is not None and grew_mib >= limits.memory_mib * 0.75:
            outcome, message = "memory_limit", messages.memory(limits, frames)
        elif signum is not None:
            outcome, message = "crashed", messages.crash_signal(signum)
        else:
            outcome, message = (
                "crashed",
                messages.crash_exit(os.waitstatus_to_exitcode(info.status)),
            )
        if outcome == "timeout":
            last = frames[-1] if frames else None
            error = ErrorInfo(
                type="TimeLimitExceeded",
                message=message,
                file=last.file if last else None,
                line=last.line if last else None,
                frames=frames,
            )
        return RunResult(
            run_id="",
            kind=request.kind,
            outcome=outcome,  # type: ignore[arg-type]
            message=message,
            error=error,
            isolation=isolation_report(self.features),
            limits=limits,
            usage=Usage(cpu_ms=round(cpu_used * 1000, 3), max_memory_mib=info.max_rss_mib),
        )


def _status_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"the sandbox was killed by signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"the sandbox exited with status {os.waitstatus_to_exitcode(status)} before it was ready"


def _wait_until_adopted(sock: socket.socket) -> None:
    """PID 1 of a sandbox: block until the runner has reaped its child (PID 1's first parent)
    and so become PID 1's parent itself."""
    while True:
        packet = sock.recv(channel.MAX_MESSAGE)
        if not packet:
            os._exit(0)  # the runner is gone
        message = channel.decode(packet)
        if message is not None and message["type"] == "adopted":
            return


def zygote_child(
    plan: setup.IsolationPlan, hot_pages: HotPages | None
) -> Callable[[socket.socket, int, tuple[Any, ...], tuple[int, ...]], None]:
    """What a sandbox the zygote forks runs: `_child`, as PID 1 already. The zygote keeps the
    hot pages itself, so the runner's orders leave them out. It lives in the template root
    wherever the plan's root can be shared (`FilesystemPlan.shareable`)."""
    in_template = plan.filesystem.shareable

    def child(
        sock: socket.socket, region: int, order: tuple[Any, ...], cgroup_procs: tuple[int, ...]
    ) -> None:
        config, uid, cgroup = order
        if config.flavor == "app":
            config = dataclasses.replace(config, hot_pages=hot_pages)
        _child(
            sock,
            region,
            plan,
            config,
            uid,
            cgroup,
            direct=True,
            in_template=in_template,
            cgroup_procs=cgroup_procs,
        )

    return child


def _child(
    sock: socket.socket,
    region: int,
    plan: setup.IsolationPlan,
    config: WorkerConfig,
    uid: int,
    cgroup: SandboxCgroup | None,
    *,
    direct: bool,
    in_template: bool = False,
    cgroup_procs: tuple[int, ...] = (),
) -> None:
    """The runner's direct child: PID 1 of the sandbox when `direct`, otherwise the process
    that forks it. Never returns. `in_template`: the zygote forked it, in the template root
    (see `setup.enter_template`), where it joins its cgroup through `cgroup_procs`."""
    try:
        asyncio.events._set_running_loop(None)
        setup.reset_inherited_state(keep=(sock.fileno(), region, *cgroup_procs))
        state = IsolationState()
        setup.before_fork(
            plan, state, uid, cgroup, in_pid_namespace=direct, cgroup_procs=cgroup_procs
        )
        if not direct:
            pid = os.fork()
            if pid != 0:
                sock.send(channel.encode({"type": "forked", "pid": pid}))
                os._exit(0)
        setup.after_fork(
            plan,
            state,
            uid,
            runner=sock.fileno(),
            wait_until_adopted=(lambda: None) if direct else lambda: _wait_until_adopted(sock),
            in_template=in_template,
        )
        sandbox_main(sock, region, config, state)
    except BaseException:
        with contextlib.suppress(BaseException):
            text = traceback.format_exc()[-4000:]
            sock.send(json.dumps({"type": "failed", "error": text}).encode())
    finally:
        os._exit(70)
