"""The sandbox's PID 1: warm up, wait for a run, execute it, report, exit.

Everything here happens after isolation (see `deepdive.sandbox.isolation.setup`). The process is
used for exactly one run; the runner forks a fresh one for the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import resource
import select
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NoReturn

import pytest

from deepdive.sandbox import channel, messages, preload, watched_db
from deepdive.sandbox.hot_pages import HotPages
from deepdive.sandbox.instruments import Instruments, RunContext
from deepdive.sandbox.isolation import rlimits
from deepdive.sandbox.isolation.rlimits import MEMORY_MARGIN, MIB
from deepdive.sandbox.isolation.state import IsolationState, isolation_report
from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.run_result import (
    CaseResult,
    ErrorInfo,
    HttpResponse,
    Limits,
    RunResult,
    Usage,
)
from deepdive.sandbox.worker import (
    app_run,
    grading,
    loader,
    serve_run,
    session_run,
    test_run,
    warmup,
)
from deepdive.sandbox.worker.asgi import LIFESPAN_PENDING, Lifespan, Recorder
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.guard import Guard, LimitExceeded, find_limit
from deepdive.sandbox.worker.output import CappedStream, RawOutput
from deepdive.sandbox.worker.paths import SandboxPaths
from deepdive.sandbox.worker.verdict import Verdict, decide

Flavor = Literal["app", "test"]

# Tests beyond this many are reported in the result only, not one by one as they finish.
MAX_STREAMED_CASES = 500
# The most connections a graded run hands a sandbox.
_MAX_CONNECTIONS = 16
_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "USER": "learner",
    "LOGNAME": "learner",
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
}


@dataclass(frozen=True)
class WorkerConfig:
    """What the runner tells a sandbox before it forks it."""

    flavor: Flavor
    limits: Limits
    session_seconds: float
    session_idle_seconds: float
    scratch_dir: str
    # The runner's pages an app run writes, copied ahead instead of running the warm-up app
    # (None where the kernel cannot tell or copy them).
    hot_pages: HotPages | None = None


def sandbox_main(
    ctl: socket.socket, region_fd: int, config: WorkerConfig, state: IsolationState
) -> NoReturn:
    """Serve one run, then exit. Never returns, whatever the learner's code does."""
    pid = os.getpid()
    try:
        Sandbox(ctl, channel.MappedRegion(region_fd), config, state).serve()
    except BaseException:
        if os.getpid() == pid:
            # An engine problem: tell the runner, which logs it and answers the run itself.
            with contextlib.suppress(BaseException):
                error = traceback.format_exc()[-4000:]
                ctl.send(channel.encode({"type": "failed", "error": error}))
        os._exit(70)
    finally:
        os._exit(0)


class Sandbox:
    def __init__(
        self,
        ctl: socket.socket,
        region: channel.MappedRegion,
        config: WorkerConfig,
        state: IsolationState,
    ) -> None:
        self.ctl = ctl
        self.region = region
        self.config = config
        self.state = state
        self.limits = config.limits
        self.pid = os.getpid()
        self.paths = SandboxPaths.choose(state.active("private_filesystem"), config.scratch_dir)
        self.files = LearnerFiles(self.paths.code)
        self.guard = Guard(self.files, self._notify_tripped)
        cap = self.limits.output_kib * 1024
        self.stdout = CappedStream(1, cap, self.guard)
        self.stderr = CappedStream(2, cap, self.guard)
        self.raw = RawOutput()
        self.request: RunRequest | None = None
        self.instruments: Instruments | None = None
        self._started = 0.0
        self._cpu_start = 0.0
        self._cpu_of_others = 0.0
        self._recorder: test_run.Recorder | None = None
        self._cases_sent = 0
        self.connections: list[socket.socket] = []
        self._load_failure: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def serve(self) -> None:
        _prepare_process(self.paths)
        preload.uvicorn_loggers(for_app=self.config.flavor != "test")
        if self.config.flavor == "test":
            result = self._serve_tests()
        else:
            if self.config.hot_pages is not None:
                self.config.hot_pages.populate()
            else:
                loop = asyncio.new_event_loop()
                warmup.app(loop, os.path.join(self.paths.tmp, "warm-app"))
                loop.close()
            request = self.wait_for_request()
            result = self._execute(request)
        self._finish(result)

    def wait_for_request(self) -> RunRequest:
        """Apply the limits, say "ready", and block until the runner sends a run."""
        sys.stdout, sys.stderr = self.stdout, self.stderr
        gc.collect()
        gc.freeze()
        try:
            rlimits.apply(
                rlimits.ResourceLimits(
                    cpu_seconds=self.limits.cpu_seconds,
                    memory_mib=self.limits.memory_mib,
                    processes=self.limits.processes,
                    file_mib=self.limits.file_mib,
                    open_files=self.limits.open_files,
                ),
                baseline_bytes=rlimits.current_address_space(),
                cpu_used=rlimits.cpu_seconds_used(),
                margin_bytes=MEMORY_MARGIN,
            )
        except (OSError, ValueError) as error:
            self.state.record("resource_limits", str(error))
        else:
            self.state.record("resource_limits", None)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        self._send(
            {
                "type": "ready",
                "features": self.state.features,
                "cpu": usage.ru_utime + usage.ru_stime,
                "rss_mib": usage.ru_maxrss / 1024,
            }
        )
        while True:
            packet, fds, _, _ = socket.recv_fds(self.ctl, channel.MAX_MESSAGE, _MAX_CONNECTIONS)
            if not packet:
                os._exit(0)  # the runner went away
            message = channel.decode(packet)
            if message is not None and message["type"] == "run":
                # A graded run's HTTP connections come with it (descriptors of the message).
                self.connections = [socket.socket(fileno=fd) for fd in fds]
                break
            for fd in fds:
                os.close(fd)
        request = RunRequest.model_validate_json(self.region.read())
        self._begin(request)
        return request

    def _begin(self, request: RunRequest) -> None:
        self.request = request
        self.limits = self.limits.tightened_by(request.limits)
        cap = self.limits.output_kib * 1024
        self.stdout.cap = self.stderr.cap = cap
        with contextlib.suppress(ValueError, OSError):
            rlimits.lower_memory((self.config.limits.memory_mib - self.limits.memory_mib) * MIB)
            rlimits.lower_cpu(self.limits.cpu_seconds)
        os.register_at_fork(after_in_child=self._forked)
        os.makedirs(self.paths.code, exist_ok=True)
        os.chdir(self.paths.code)
        seconds = (
            self.config.session_seconds if request.kind == "session" else self.limits.wall_seconds
        )
        self._started = time.perf_counter()
        self._cpu_start = _cpu_total()
        self.instruments = Instruments(request.instruments, RunContext(request, self.files))
        self.guard.arm(seconds, self.limits.cpu_seconds)

    def _finish(self, result: RunResult) -> NoReturn:
        if os.getpid() != self.pid:
            os._exit(0)  # a process the learner forked got here: only the original reports
        self.guard.disarm()
        _release_memory_margin()
        # The runner puts its own measure of the peak memory in place of any figure given here.
        result.usage = Usage(
            wall_ms=round((time.perf_counter() - self._started) * 1000, 3) if self._started else 0,
            cpu_ms=round(self._cpu_used() * 1000, 3),
        )
        self.region.write(_payload_that_fits(result))
        with contextlib.suppress(OSError):
            self._send({"type": "done"})
        os._exit(0)

    def _cpu_used(self) -> float:
        """The run's processor time so far: this process, the children it reaped and, once a
        limit tripped, the processes still running (`_cpu_of_other_processes`)."""
        return _cpu_total() - self._cpu_start + self._cpu_of_others

    def _forked(self) -> None:
        # In a process the learner forked: it must never report or read the channel.
        self.ctl = None  # type: ignore[assignment]

    def _save_files(self, request: RunRequest) -> None:
        """Save the learner's files; the instruments then prepare for their code to run."""
        assert self.instruments is not None
        loader.check_module_names(request)
        self.files.write_request(request)
        self.instruments.before_import()

    def _load_app(self, request: RunRequest) -> Any:
        """Import the learner's main module (saved already) and hand its app to the instruments."""
        assert self.instruments is not None
        module = loader.import_module(request, self.files)
        app = loader.find_app(module, request)
        self.instruments.after_import(app)
        return app

    # -- app and session runs -----------------------------------------------------------------

    def _execute(self, request: RunRequest) -> RunResult:
        responses: list[HttpResponse] = []
        failure: BaseException | None = None
        assert self.instruments is not None
        try:
            self._save_files(request)
            if request.kind == "serve" and request.watched_database and self.connections:
                watched_db.install(self.connections.pop())
            # Imported while the run's loop runs, as Uvicorn imports an app: code at the top
            # of a module may ask for the running loop, or start a task on it.
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            app = _in_loop(loop, lambda: self._load_app(request))
            wrapped = Recorder(self.instruments.wrap_app(app))
            if not _still_usable(loop):  # the module closed the loop's descriptors
                loop = asyncio.new_event_loop()
                asyncio.set_event_loop(loop)
            if request.kind == "serve":
                served = loop.run_until_complete(
                    serve_run.serve(wrapped, self.connections, self.files)
                )
                responses = served.failures
            elif request.kind == "session":
                runner = session_run.SessionRun(
                    wrapped,
                    control=self.ctl,
                    files=self.files,
                    emit=self.send_event,
                    idle_seconds=self.config.session_idle_seconds,
                )
                loop.run_until_complete(runner.serve())
                responses = runner.responses
            else:
                loop.run_until_complete(self._send_requests(wrapped, responses))
        except BaseException as exc:
            failure = exc
        return self._result(request, failure, responses=responses)

    async def _send_requests(self, app: Any, responses: list[HttpResponse]) -> None:
        assert self.request is not None
        assert self.instruments is not None
        lifespan = Lifespan(app)
        await lifespan.startup()
        async with app_run.client_for(app) as client:
            await app_run.send_all(
                client,
                self.request.requests,
                concurrent=self.request.concurrent,
                instruments=self.instruments,
                files=self.files,
                responses=responses,
            )
        await lifespan.shutdown()

    # -- test runs --------------------------------------------------------------------------

    def _new_recorder(self, on_session_start: Callable[[], None]) -> test_run.Recorder:
        recorder = test_run.Recorder(
            self.files,
            (self.stdout, self.stderr),
            on_session_start,
            on_collected=self._tests_collected,
            on_case=self._case_finished,
        )
        recorder.guard = self.guard
        self._recorder = recorder
        return recorder

    def _serve_tests(self) -> RunResult:
        recorder = self._new_recorder(self._tests_arrive)
        warm = os.path.join(self.paths.tmp, "warm-tests")
        test_run.warm_up((self.stdout, self.stderr), self.files, warm)
        try:
            test_run.run(recorder, self.paths)
        except BaseException as exc:
            self._load_failure = self._load_failure or exc
        if self.request is None:
            said = self.raw.read(4000).decode(errors="replace")
            raise RuntimeError(f"pytest stopped before the run arrived: {said}")
        config = test_run.config_file(self.request.all_files())
        if config is not None and self._load_failure is None:
            recorder = self._tests_with_config(config)
        failure = self._load_failure
        if failure is None and recorder.collection_error is not None:
            error = recorder.collection_error
            failure = loader.LoadError(error.outcome, error.error)  # type: ignore[arg-type]
        if failure is None and recorder.interruption is not None:
            failure = loader.LoadError("runtime_error", recorder.interruption)
        return self._result(self.request, failure, tests=recorder.cases)

    def _case_finished(self, case: CaseResult) -> None:
        """Test runs: pass each finished test on at once, so results appear as tests run."""
        self._cases_sent += 1
        if self._cases_sent <= MAX_STREAMED_CASES:
            self.send_event({"kind": "case", "case": case.model_dump(mode="json")})

    def _tests_with_config(self, config: str) -> test_run.Recorder:
        """Run pytest once more, now that the learner's configuration file is in place."""
        recorder = self._new_recorder(lambda: None)
        said = self.stderr.position()
        os.chdir(self.paths.code)  # pytest went back to where it was started
        try:
            status = test_run.run(recorder, self.paths, configured=True)
        except BaseException as exc:
            self._load_failure = exc
            return recorder
        if status == pytest.ExitCode.USAGE_ERROR:
            complaint = self.stderr.text()[said:].strip() or "pytest refused its configuration"
            message = complaint.removeprefix("ERROR: ")
            error = ErrorInfo(type="UsageError", message=message, file=config)
            self._load_failure = loader.LoadError("runtime_error", error)
        return recorder

    def _tests_arrive(self) -> None:
        """Called by pytest at session start: get the request and save the learner's files.

        pytest's collection then imports them, exactly as a plain `pytest` would: a test may
        expect the import of the learner's module to fail or to warn.
        """
        request = self.wait_for_request()
        if request.grading:
            self._prepare_grading(request)
            return
        try:
            self._save_files(request)
        except BaseException as exc:
            self._load_failure = exc
            if self._recorder is not None:
                self._recorder.skip_everything = True
            return
        if test_run.config_file(request.all_files()) is not None and self._recorder is not None:
            self._recorder.skip_everything = True  # pytest starts again with that configuration

    def _prepare_grading(self, request: RunRequest) -> None:
        """A graded run: only the check is written; the app is reached over the connections."""
        assert request.tests is not None
        assert self._recorder is not None
        self.files.write(request.tests_filename, request.tests)
        if self.paths.code not in sys.path:
            sys.path.insert(0, self.paths.code)
        learners = {**request.files, request.filename: request.code}
        database = None
        if request.watched_database and self.connections:
            database = watched_db.WatchedDatabase(self.connections.pop())
        plugin = grading.GradingPlugin(
            self.connections, learners, self.limits.wall_seconds, database=database
        )
        self._recorder.session.config.pluginmanager.register(plugin, "deepdive-grading")

    def _tests_collected(self) -> None:
        """Called by pytest once the tests are collected: show the app to instruments that
        look at it (the module the tests imported, or imported now if they did not)."""
        assert self.request is not None
        assert self.instruments is not None
        if (
            self._load_failure is not None
            or not self.instruments.wants_app()
            or self.request.grading
        ):
            return
        if self._recorder is not None and self._recorder.collection_error is not None:
            self.instruments.app_unavailable("the tests could not be collected")
            return
        try:
            self._load_app(self.request)
        except loader.LoadError as failure:
            self.instruments.app_unavailable(failure.error.message)

    # -- results ----------------------------------------------------------------------------

    def _result(
        self,
        request: RunRequest,
        failure: BaseException | None,
        *,
        responses: list[HttpResponse] | None = None,
        tests: list[CaseResult] | None = None,
    ) -> RunResult:
        self.guard.disarm()
        _release_memory_margin()
        tripped = self.guard.tripped or find_limit(failure)
        raw_size = self.raw.size()
        self.stdout.add_raw(self.raw.read(self.stdout.cap))
        raw_overflow = raw_size > self.stdout.cap
        if tripped is not None and self.state.active("pid_namespace") and self.state.active("proc"):
            # A run stopped for time may have left processes running (a fork bomb's), which
            # RUSAGE_CHILDREN does not count until they are reaped: the verdict counts them,
            # from a /proc that shows the sandbox's processes only.
            self._cpu_of_others = _cpu_of_other_processes()
        verdict: Verdict = decide(
            kind=request.kind,
            limits=self.limits,
            files=self.files,
            tripped=tripped,
            failure=None if isinstance(failure, LimitExceeded) else failure,
            responses=responses or [],
            tests=_outcome_counts(tests or []),
            raw_overflow=raw_overflow,
            cpu_seconds=self._cpu_used(),
            others_seconds=self._cpu_of_others,
            unfinished=messages.Unfinished(
                requests=app_run.unanswered(),
                lifespan=LIFESPAN_PENDING[-1] if LIFESPAN_PENDING else None,
            ),
        )
        stdout, stdout_cut = self.stdout.value()
        stderr, stderr_cut = self.stderr.value()
        instrumentation = self.instruments.results() if self.instruments else {}
        return RunResult(
            run_id="",
            kind=request.kind,
            outcome=verdict.outcome,
            message=verdict.message,
            error=verdict.error,
            responses=responses or [],
            tests=tests or [],
            stdout=stdout,
            stderr=stderr,
            stdout_truncated=stdout_cut or raw_overflow,
            stderr_truncated=stderr_cut,
            instrumentation=instrumentation,
            isolation=isolation_report(self.state.features),
            limits=self.limits,
        )

    # -- channel ----------------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        if self.ctl is None:
            return
        packet = channel.encode(message)
        while True:
            try:
                self.ctl.send(packet)
                return
            except BlockingIOError:
                # A session reads its commands without blocking on this same socket: when the
                # runner has not yet read what came before, wait for room rather than lose it.
                select.select([], [self.ctl], [], 1.0)

    def send_event(self, event: dict[str, Any]) -> None:
        """Session and test runs: pass an event on to the client."""
        with contextlib.suppress(OSError, ValueError):
            self._send({"type": "event", "event": event})

    def _notify_tripped(self, exc: LimitExceeded) -> None:
        with contextlib.suppress(OSError, ValueError):
            frames = [f.model_dump() for f in exc.frames[-5:]]
            self._send({"type": "tripped", "reason": exc.reason, "frames": frames})


def _payload_that_fits(result: RunResult) -> bytes:
    """The result as JSON, trimmed until it fits the channel's region with room to spare:
    instrumentation and bodies go first, then headers and test details, then the lists."""
    room = channel.REGION_BYTES // 2
    payload = result.model_dump_json().encode()
    if len(payload) <= room:
        return payload
    too_large = {"error": "the run recorded too much to return: send fewer requests"}
    result.instrumentation = dict.fromkeys(result.instrumentation, too_large)
    for response in result.responses:
        response.body, response.json_body, response.truncated = "", None, True
    payload = result.model_dump_json().encode()
    if len(payload) <= room:
        return payload
    for response in result.responses:
        response.headers, response.headers_truncated = [], True
    for case in result.tests:
        case.details, case.output = case.details[:1000], ""
    payload = result.model_dump_json().encode()
    if len(payload) <= room:
        return payload
    result.responses, result.tests, result.error = [], [], None
    result.message += " (The full result was too large to return, so its details were left out.)"
    return result.model_dump_json().encode()


def _in_loop(loop: asyncio.AbstractEventLoop, call: Callable[[], Any]) -> Any:
    """What `call()` returns (or raises), called while `loop` runs; even when it closed the
    loop's own descriptors, so that the loop fails right after it."""
    outcome: list[tuple[bool, Any]] = []

    async def step() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # raised again below, outside the loop
            outcome.append((False, exc))

    try:
        loop.run_until_complete(step())
    except OSError:
        if not outcome:
            raise
    returned, value = outcome[0]
    if not returned:
        raise value
    return value


def _still_usable(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether `loop` still runs: the learner's code may have closed every descriptor."""
    try:
        loop.run_until_complete(asyncio.sleep(0))
    except OSError:
        with contextlib.suppress(OSError):
            loop.close()
        return False
    return True


def _prepare_process(paths: SandboxPaths) -> None:
    os.environ.clear()
    os.environ.update(_ENVIRONMENT, HOME=paths.work, TMPDIR=paths.tmp)
    sys.dont_write_bytecode = True
    sys.argv = ["app"]
    paths.prepare()
    os.chdir(paths.work)
    # Thread stacks count against the address-space limit; 1 MiB is plenty for Python code.
    threading.stack_size(1024 * 1024)
    preload.refuse_nested_servers()


def _outcome_counts(tests: list[CaseResult]) -> dict[str, int]:
    """How many tests had each outcome. (`collections.Counter` asks whether what it counts is a
    mapping: an abstract class's check whose cache is cold in a fresh sandbox, which walks
    every registered mapping class, 0.6 ms of CPU.)"""
    counts: dict[str, int] = {}
    for case in tests:
        counts[case.outcome] = counts.get(case.outcome, 0) + 1
    return counts


def _release_memory_margin() -> None:
    with contextlib.suppress(ValueError, OSError):
        rlimits.release_margin()


def _cpu_total() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _cpu_of_other_processes() -> float:
    """The processor time of every other process in this PID namespace (with the children
    each has reaped), from its /proc."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0.0
    me = str(os.getpid())
    return rlimits.cpu_seconds_of(e for e in entries if e.isdigit() and e != me)
