"""The sandbox engine: warm sandboxes ready before runs arrive, a bounded pool, a queue.

`Engine` runs inside the runner process (or the command line's own process). It keeps a few
sandboxes per flavour ("app" for app and session runs, "test" for pytest runs) isolated and
warmed up, so a run only pays for the learner's own code. Each run uses a sandbox once; a new
one is forked in the background right away.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import resource
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from deepdive.sandbox import (
    control,
    hot_pages,
    huge_pages,
    instruments,
    messages,
    preload,
    workspace,
    zygote,
)
from deepdive.sandbox.config import RunnerConfig
from deepdive.sandbox.events import (
    CaseFinished,
    CpuSpent,
    Finished,
    Queued,
    RunEvent,
    RunnerInfo,
    SessionEvent,
    Started,
)
from deepdive.sandbox.isolation import cgroups, filesystem, libc, namespaces, setup
from deepdive.sandbox.isolation.state import isolation_report
from deepdive.sandbox.process import SandboxProcess, zygote_child
from deepdive.sandbox.run_request import RunRequest, SessionCommand
from deepdive.sandbox.run_result import CaseResult, IsolationReport, RunResult
from deepdive.sandbox.waiting import WaitingLine
from deepdive.sandbox.worker import warmup
from deepdive.sandbox.worker.main import WorkerConfig

log = logging.getLogger("deepdive.sandbox")

EventHandler = Callable[[RunEvent], Awaitable[None] | None]
_UID_SLOTS = 512
# HTTP connections between a graded run's check and the app it judges (requests at once).
GRADE_CONNECTIONS = 8
_MAX_START_FAILURES = 3
# How long the events a sandbox sent before its result may take to reach a slow client.
_DELIVERY_SECONDS = 10.0


class IsolationUnavailableError(RuntimeError):
    """Full isolation is required here, but this machine cannot provide it."""


class EngineError(RuntimeError):
    """The engine itself failed (not the learner's code)."""


class Engine:
    """Runs `RunRequest`s in sandboxes. Use `async with Engine(config) as engine:`."""

    def __init__(self, config: RunnerConfig) -> None:
        self.config = config
        self._line = WaitingLine(
            config.workers,
            per_owner_running=config.per_owner_running,
            per_owner_waiting=config.per_owner_waiting,
        )
        self._ready: dict[str, list[SandboxProcess]] = {f: [] for f in config.spares}
        self._starting: dict[str, int] = dict.fromkeys(config.spares, 0)
        self._live: list[SandboxProcess] = []
        self._unclaimed: dict[int, tuple[int, float, float]] = {}
        # The sandboxes' share of `info().cpu`, added to as each one that ran a run goes.
        self._spent = CpuSpent()
        self._free_uids: list[int] = []
        self._uids: workspace.UidRange | None = None
        self._arrived: dict[str, asyncio.Event] = {f: asyncio.Event() for f in config.spares}
        self._failures = 0
        self._last_failure = ""
        self._plan: setup.IsolationPlan | None = None
        self._cgroups: cgroups.CgroupTree | None = None
        self._cgroup_problem: str | None = None
        self._mount_point = ""
        self._base = ""
        self._workspace: workspace.Workspace | None = None
        self._serial = 0
        self._hot_pages: hot_pages.HotPages | None = None
        self._pid_namespace: namespaces.PidNamespaceForNextChild | None = None
        self._zygote: zygote.Zygote | None = None
        self._closed = False
        self.isolation: IsolationReport | None = None

    async def __aenter__(self) -> Engine:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- start and stop ---------------------------------------------------------------------

    async def start(self) -> IsolationReport:
        """Prepare isolation, start the first sandboxes, and check what isolation they got."""
        if not sys.platform.startswith("linux"):
            raise EngineError(
                "The sandbox runs on Linux only: it relies on Linux namespaces and seccomp. On "
                "macOS or Windows, run the course in a Linux container or virtual machine, or "
                "point DEEPDIVE_RUNNER_URL at a runner on a Linux machine."
            )
        preload.preload()
        instruments.load_all()
        loop = asyncio.get_running_loop()
        with contextlib.suppress(OSError):
            libc.prctl(libc.PR_SET_CHILD_SUBREAPER, 1)
        loop.add_signal_handler(signal.SIGCHLD, self._reap)
        # One private directory: the mount point of every sandbox's root, and (for degraded
        # mode only) a scratch directory per sandbox, deleted with it (or, should this runner
        # be killed, by the next one to start).
        self._workspace = workspace.claim()
        self._base = self._workspace.path
        if os.geteuid() == 0:  # sandboxes become user IDs of this runner's own range
            self._uids = workspace.claim_uids(self.config.uid_base, _UID_SLOTS)
            self._free_uids = list(self._uids.ids)
        else:  # sandboxes stay the user's own ID, mapped to 1000 in their user namespace
            self._free_uids = list(range(self.config.uid_base, self.config.uid_base + _UID_SLOTS))
        os.chmod(self._base, 0o711)  # noqa: S103  (sandboxes must reach their own scratch dir)
        self._mount_point = os.path.join(self._base, "root")
        os.mkdir(self._mount_point)
        fs_plan = filesystem.plan_filesystem(
            self._mount_point,
            hidden=self.config.hidden_paths,
            work_mib=self.config.work_mib,
            tmp_mib=self.config.tmp_mib,
        )
        try:
            self._cgroups = cgroups.setup()
        except cgroups.CgroupUnavailableError as problem:
            self._cgroup_problem = str(problem)
        self._plan = setup.make_plan(fs_plan, cgroup_problem=self._cgroup_problem)
        if self._plan.as_root:
            self._pid_namespace = namespaces.PidNamespaceForNextChild()
        await self._preheat()
        self._hot_pages = self._probe_hot_pages()
        # Last before the zygote's fork: a huge page this process writes while it shares it with
        # a fork (the probe, then the zygote) is split into small pages for good, in this
        # process, and a fork from then on copies its 512 entries again.
        if self.config.huge_pages:
            huge_pages.collapse_heap()
        if self._pid_namespace is not None:
            self._zygote = zygote.Zygote.start(
                zygote_child(self._plan, self._hot_pages),
                setup.reset_inherited_state,
                prepare=functools.partial(_prepare_zygote, self._plan),
            )
        self._fill()
        flavor = next(iter(self.config.spares))
        first = await self._take(flavor)
        self.isolation = isolation_report(first.features)
        self._ready[flavor].insert(0, first)
        if self.config.require_isolation and not self.isolation.full:
            await self.close()
            missing = ", ".join(f"{k} ({v})" for k, v in self.isolation.missing.items())
            raise IsolationUnavailableError(
                "Full isolation is required (DEEPDIVE_REQUIRE_ISOLATION), but this machine "
                f"cannot provide: {missing}. {_remedy(self.isolation.missing)}"
            )
        if not self.isolation.full:
            log.warning("Sandbox runs without full isolation: %s", self.isolation.warning)
        return self.isolation

    async def _preheat(self) -> None:
        """Warm this process up once (see `warmup.preheat_runner`).

        It happens on a helper thread with its own event loop: the app's thread pool then
        shuts down with that loop, and no thread is left when sandboxes are forked.
        """
        directory = tempfile.mkdtemp(prefix="warm-", dir=self._base)
        tests = "test" in self.config.spares
        loop = asyncio.get_running_loop()
        finished = asyncio.Event()

        def preheat() -> None:
            try:
                asyncio.run(warmup.preheat_runner(directory, tests=tests))
            finally:
                loop.call_soon_threadsafe(finished.set)

        helper = threading.Thread(target=preheat, name="deepdive-preheat")
        try:
            helper.start()
            await finished.wait()
            helper.join()
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        for _ in range(500):  # worker threads of the app's thread pool wind down
            if threading.active_count() == 1:
                break
            await asyncio.sleep(0.01)
        if threading.active_count() > 1:
            log.warning("%d threads still run in the runner", threading.active_count())
        gc.collect()

    def _probe_hot_pages(self) -> hot_pages.HotPages | None:
        """Which pages of this process an app run writes (see `hot_pages`).

        Every app sandbox copies them ahead, whether its run needs them or not: the probe's
        run is a common one (requests that succeed and fail), without the rarer paths the
        warm-up also takes (an OpenAPI document, a syntax error), whose pages a run that takes
        them copies as it goes."""
        directory = tempfile.mkdtemp(prefix="probe-", dir=self._base)
        try:
            found = hot_pages.probe(
                lambda: warmup.app(asyncio.new_event_loop(), directory, rarer_paths=False)
            )
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        if found is None:
            log.info("Pages cannot be copied ahead here: each sandbox runs the warm-up app")
        else:
            log.info("Each app sandbox copies %d pages ahead of its run", found.pages)
        return found

    async def close(self) -> None:
        """Kill every sandbox, wait until they are reaped, and clean up."""
        if self._closed:
            return
        self._closed = True
        for process in list(self._live):
            process.kill()
        deadline = time.monotonic() + 5
        while self._live and time.monotonic() < deadline:
            self._reap()
            await asyncio.sleep(0.01)
        if self._zygote is not None:
            self._zygote.close()
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGCHLD)
        if self._cgroups is not None:
            self._cgroups.close()
        if self._pid_namespace is not None:
            self._pid_namespace.close()
        if self._workspace is not None:
            self._workspace.release()
        if self._uids is not None:
            self._uids.release()

    # -- runs -------------------------------------------------------------------------------

    async def run(
        self,
        request: RunRequest,
        on_event: EventHandler | None = None,
        commands: asyncio.Queue[SessionCommand | None] | None = None,
        owner: str | None = None,
    ) -> RunResult:
        """Run `request` and return its result; `on_event` hears queue position and start.

        Session runs take `commands` from the queue (None ends the session) and report what
        the app does through `on_event` as `SessionEvent`s. `owner` names the learner the run
        is for: learners share the workers fairly (see `WaitingLine`), and one who already has
        all the runs a learner may have gets `OwnerLimitError`.
        """
        if self._closed:
            raise EngineError("the sandbox engine has been stopped")
        unknown = instruments.unknown(request.instruments)
        if unknown:
            raise ValueError(
                f"unknown instrument(s) {', '.join(unknown)}; "
                f"available: {', '.join(instruments.available())}"
            )
        queued_at = time.perf_counter()
        # A session holds its sandbox while the learner interacts with it (two tabs of a chat
        # are two sessions): its own idle and time limits bound it, not the per-learner cap.
        slot = await self._line.enter(
            _announcer(on_event), owner if request.kind != "session" else None
        )
        try:
            queue_ms = (time.perf_counter() - queued_at) * 1000
            await _emit(on_event, Started())
            if request.kind == "grade":
                result, process = await self._grade(request, on_event)
            else:
                flavor = "test" if request.kind == "test" else "app"
                process = await self._take(flavor)
                result = await self._execute(process, request, on_event, commands)
            # What an instrument reports was made beside the learner's code: check it here.
            result.instrumentation = instruments.checked(
                request.instruments, result.instrumentation
            )
        except BaseException:
            self._line.leave(slot)
            raise
        process.exited.add_done_callback(lambda _: self._line.leave(slot))
        result.run_id = secrets.token_hex(8)
        result.usage.queue_ms = round(queue_ms, 3)
        await _emit(on_event, Finished(result=result))
        return result

    async def _grade(
        self, request: RunRequest, on_event: EventHandler | None
    ) -> tuple[RunResult, SandboxProcess]:
        """A graded run: the app served in one sandbox, its check run in another, the two
        joined only by HTTP connections (socket pairs made here, one end for each)."""
        server = await self._take("app")
        try:
            grader = await self._take("test")
        except BaseException:
            server.kill()
            raise
        # The watched database's connection, when there is one, comes last on both sides.
        count = GRADE_CONNECTIONS + (1 if request.watched_database else 0)
        pairs = [socket.socketpair() for _ in range(count)]
        served = request.model_copy(update={"kind": "serve", "tests": None})
        check = request.model_copy(update={"kind": "test", "grading": True, "instruments": []})
        to_app = [app for app, _ in pairs]
        to_check = [ends for _, ends in pairs]
        # The grader closes its ends when it exits: the server's connections end with it.
        try:
            async with asyncio.TaskGroup() as group:
                serving = group.create_task(self._execute(server, served, None, None, to_app))
                judging = group.create_task(self._execute(grader, check, on_event, None, to_check))
        finally:
            for connection in (*to_app, *to_check):
                connection.close()  # sent already, or never to be
        app, judged = serving.result(), judging.result()
        return _graded(app, judged), server

    async def _execute(
        self,
        process: SandboxProcess,
        request: RunRequest,
        on_event: EventHandler | None,
        commands: asyncio.Queue[SessionCommand | None] | None,
        connections: list[socket.socket] | None = None,
    ) -> RunResult:
        limits = self.config.limits.tightened_by(request.limits)
        session = request.kind == "session"
        deadline = self.config.session_seconds if session else limits.wall_seconds
        relays: list[asyncio.Future[Any]] = []
        if request.kind == "session":
            relays.append(asyncio.ensure_future(_relay_events(process, on_event)))
            if commands is not None:
                relays.append(asyncio.ensure_future(_relay_commands(process, commands)))
        finished: list[CaseResult] = []
        if request.kind == "test":
            relays.append(asyncio.ensure_future(_relay_cases(process, on_event, finished)))
        try:
            result = await process.execute(request, limits, deadline, connections or ())
            # Every event the sandbox sent came before its result: pass the rest on, in order.
            process.events.finish()
            delivering = relays[:1]
            relays = relays[1:]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*delivering), _DELIVERY_SECONDS)
            if finished and not result.tests and result.outcome != "ok":
                # The sandbox ended before it could report (a test called os._exit, say): the
                # tests it had reported as they finished are what is known of the run.
                result.tests = finished
                result.message += messages.after_the_last_test(finished[-1].name)
            return result
        except BaseException:
            process.kill()
            raise
        finally:
            for relay in relays:
                relay.cancel()
            if relays:
                await asyncio.gather(*relays, return_exceptions=True)
            # The replacement is forked once the result is on its way, not while it is awaited:
            # a fork of the runner costs a few milliseconds of its own time.
            asyncio.get_running_loop().call_soon(self._fill)

    # -- warm sandboxes ---------------------------------------------------------------------

    async def _take(self, flavor: str) -> SandboxProcess:
        while True:
            while self._ready[flavor]:
                process = self._ready[flavor].pop(0)
                if not process.exited.done():
                    return process
            if self._failures >= _MAX_START_FAILURES:
                raise EngineError(f"sandboxes fail to start: {self._last_failure}")
            self._fill()
            self._arrived[flavor].clear()
            await self._arrived[flavor].wait()

    def _fill(self) -> None:
        if self._closed or self._plan is None:
            return
        for flavor, wanted in self.config.spares.items():
            while len(self._ready[flavor]) + self._starting[flavor] < wanted:
                if not self._free_uids:
                    return
                self._spawn(flavor)

    def _spawn(self, flavor: str) -> None:
        assert self._plan is not None
        uid = self._free_uids.pop(0)
        self._serial += 1
        scratch = os.path.join(self._base, f"sandbox-{self._serial}")
        os.mkdir(scratch, 0o700)
        if self._plan.as_root:
            os.chown(scratch, uid, uid)
        process = SandboxProcess(flavor, uid, on_pid=self._claim)
        process.scratch_dir = scratch
        if self._cgroups is not None:
            try:
                process.cgroup = self._cgroups.create(f"sandbox-{self._serial}")
            except OSError as error:
                log.warning("No cgroup for a sandbox: %s", error)
        config = WorkerConfig(
            flavor=flavor,  # type: ignore[arg-type]
            limits=self.config.limits,
            session_seconds=self.config.session_seconds,
            session_idle_seconds=self.config.session_idle_seconds,
            scratch_dir=scratch,
            hot_pages=self._hot_pages if flavor == "app" else None,
        )
        if self._zygote is not None:
            try:
                process.spawn(self._plan, config, zygote=self._zygote)
            except OSError as error:
                log.warning("The zygote is gone (%s): the runner forks sandboxes itself", error)
                self._zygote.close()
                self._zygote = None
        if self._zygote is None:
            process.spawn(self._plan, config, self._pid_namespace)
        self._live.append(process)
        self._starting[flavor] += 1
        process.ready.add_done_callback(lambda fut: self._on_ready(process, fut))
        process.exited.add_done_callback(lambda _: self._forget(process))

    def _on_ready(self, process: SandboxProcess, fut: asyncio.Future[None]) -> None:
        self._starting[process.flavor] -= 1
        problem = None if fut.cancelled() else fut.exception()
        if self._closed:
            return
        if fut.cancelled() or problem is not None:
            self._failures += 1
            self._last_failure = str(fut.exception()) if not fut.cancelled() else "cancelled"
            log.error("A sandbox failed to start: %s", self._last_failure)
            process.kill()
            if self._failures >= _MAX_START_FAILURES:
                self._arrived[process.flavor].set()
            else:
                self._fill()
            return
        self._failures = 0
        self._ready[process.flavor].append(process)
        self._arrived[process.flavor].set()

    def _forget(self, process: SandboxProcess) -> None:
        spent = process.cpu_spent()
        if spent is not None:
            self._spent.runs += 1
            self._spent.until_ready_ms += spent[0] * 1000
            self._spent.sandboxes_ms += spent[1] * 1000
        if not process.running:
            process.release()
        shutil.rmtree(process.scratch_dir, ignore_errors=True)
        if process.running and process.features.get("pid_namespace", "missing") is not None:
            process.kill()  # its process group, whatever is left of it
            self._sweep_orphans()
        if process in self._live:
            self._live.remove(process)
        if process in self._ready[process.flavor]:
            self._ready[process.flavor].remove(process)
            self._fill()
        self._free_uids.append(process.uid)
        if process.cgroup is not None:
            self._remove_cgroup(process.cgroup, attempts=100)

    def _remove_cgroup(self, cgroup: cgroups.SandboxCgroup, attempts: int) -> None:
        """Delete a finished sandbox's cgroup; its last processes may take a moment to go."""
        try:
            if cgroup.remove():
                return
        except OSError as error:
            log.warning("Cannot remove the cgroup %s: %s", cgroup.memory, error)
            return
        cgroup.kill()
        if attempts > 1 and not self._closed:
            loop = asyncio.get_running_loop()
            loop.call_later(0.02, self._remove_cgroup, cgroup, attempts - 1)

    # -- reaping ----------------------------------------------------------------------------

    def _sweep_orphans(self) -> None:
        """Without PID namespaces, a learner's process can leave its group and outlive its
        sandbox. As a child subreaper the runner inherits it; anything that is our child but
        no sandbox's is such an orphan, and is killed."""
        known = {pid for process in self._live for pid in process.pids()}
        if self._zygote is not None:
            known.add(self._zygote.pid)
        me = str(os.getpid())
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) in known:
                continue
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    parent = f.read().rsplit(")", 1)[1].split()[1]
            except (OSError, IndexError):
                continue
            if parent == me:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(int(entry.name), signal.SIGKILL)

    def _claim(self, process: SandboxProcess, pid: int) -> None:
        """PID 1 of a sandbox is known now; it may even have exited already."""
        if pid in self._unclaimed:
            status, cpu, rss = self._unclaimed.pop(pid)
            process.on_exit(pid, status, cpu, rss)

    def _reap(self) -> None:
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            cpu = usage.ru_utime + usage.ru_stime
            rss = usage.ru_maxrss / 1024
            owner = next((p for p in self._live if p.owns(pid)), None)
            if owner is not None:
                owner.on_exit(pid, status, cpu, rss)
            elif len(self._unclaimed) < 1024:
                self._unclaimed[pid] = (status, cpu, rss)

    # -- status -----------------------------------------------------------------------------

    def info(self) -> RunnerInfo:
        assert self.isolation is not None
        return RunnerInfo(
            pid=os.getpid(),
            workers=self.config.workers,
            running=self._line.busy,
            queued=self._line.waiting,
            ready={flavor: len(items) for flavor, items in self._ready.items()},
            isolation=self.isolation,
            limits=self.config.limits,
            instruments=instruments.available(),
            cgroup=self._cgroups.describe() if self._cgroups else f"none: {self._cgroup_problem}",
            user_ids=(self._uids.ids[0], self._uids.ids[-1]) if self._uids else None,
            cpu=self._cpu_spent(),
        )

    def _cpu_spent(self) -> CpuSpent:
        own = resource.getrusage(resource.RUSAGE_SELF)
        return CpuSpent(
            runs=self._spent.runs,
            runner_ms=round((own.ru_utime + own.ru_stime) * 1000, 3),
            zygote_ms=round(self._zygote.cpu_seconds() * 1000, 3) if self._zygote else 0.0,
            until_ready_ms=round(self._spent.until_ready_ms, 3),
            sandboxes_ms=round(self._spent.sandboxes_ms, 3),
        )


def _prepare_zygote(plan: setup.IsolationPlan) -> None:
    """In the zygote, once: the template root its sandboxes copy (where the plan's root can be
    shared) and Uvicorn's loggers as an app's runs have them (see `preload.uvicorn_loggers`)."""
    if plan.filesystem.shareable:
        setup.enter_template(plan)
    preload.uvicorn_loggers(for_app=True)


def _remedy(missing: dict[str, str]) -> str:
    """What to change on the machine, for the features that are missing."""
    hints = []
    if set(missing) - {"cgroup"}:
        hints.append(
            "Enable unprivileged user namespaces (for example "
            "`sysctl kernel.unprivileged_userns_clone=1`, or on Ubuntu "
            "`sysctl kernel.apparmor_restrict_unprivileged_userns=0`), or run the runner as root."
        )
    if "cgroup" in missing:
        hints.append(
            "Give the runner a cgroup of its own with the memory and pids controllers: run it as "
            "root, or on cgroup v2 start it with `systemd-run --scope -p Delegate=yes ...`."
        )
    return " ".join(hints)


_PENDING: set[asyncio.Future[None]] = set()


def _announcer(on_event: EventHandler | None) -> Callable[[int], None]:
    def announce(position: int) -> None:
        if on_event is None:
            return
        result = on_event(Queued(position=position))
        if asyncio.iscoroutine(result):
            task = asyncio.ensure_future(result)
            _PENDING.add(task)
            task.add_done_callback(_PENDING.discard)

    return announce


async def _emit(on_event: EventHandler | None, event: RunEvent) -> None:
    if on_event is None:
        return
    result = on_event(event)
    if asyncio.iscoroutine(result):
        await result


async def _relay_events(process: SandboxProcess, on_event: EventHandler | None) -> None:
    while (event := await process.events.get()) is not control.END:
        await _emit(on_event, SessionEvent(event=event))


async def _relay_cases(
    process: SandboxProcess, on_event: EventHandler | None, finished: list[CaseResult]
) -> None:
    """Test runs: each finished test, as the sandbox reports it (kept in `finished`)."""
    while (event := await process.events.get()) is not control.END:
        await _relay_case(event, on_event, finished)


async def _relay_case(
    event: dict[str, Any], on_event: EventHandler | None, finished: list[CaseResult]
) -> None:
    # Checked here: whatever the sandbox sends is untrusted.
    if event.get("kind") != "case":
        return
    try:
        case = CaseResult.model_validate(event.get("case"))
    except ValidationError:
        return
    finished.append(case)
    await _emit(on_event, CaseFinished(case=case))


async def _relay_commands(
    process: SandboxProcess, commands: asyncio.Queue[SessionCommand | None]
) -> None:
    while True:
        command = await commands.get()
        if command is None:
            command = SessionCommand(op="end")
        with contextlib.suppress(OSError):
            process.send({"type": "session", "command": command.model_dump(mode="json")})
        if command.op == "end":
            return


# What a served app's run may end with and still have been judged by its check.
_SERVED = frozenset({"ok", "runtime_error"})


def _graded(app: RunResult, judged: RunResult) -> RunResult:
    """One result for a graded run: the check's tests and verdict, and what the app did
    (its output, the exceptions it raised, its instruments); when the app could not be served
    at all, that is the verdict."""
    result = judged.model_copy(
        update={
            "kind": "grade",
            "stdout": app.stdout,
            "stderr": app.stderr,
            "stdout_truncated": app.stdout_truncated,
            "stderr_truncated": app.stderr_truncated,
            "responses": app.responses,
            "instrumentation": app.instrumentation,
            "usage": app.usage,
            "isolation": app.isolation,
        }
    )
    unserved = app.outcome not in _SERVED or (app.outcome == "runtime_error" and not app.responses)
    if unserved:
        result.outcome, result.message, result.error = app.outcome, app.message, app.error
    elif judged.outcome == "ok":
        passed = sum(case.outcome == "passed" for case in judged.tests)
        result.message = messages.graded(passed, len(judged.tests))
    return result
