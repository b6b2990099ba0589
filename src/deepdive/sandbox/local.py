"""Starting a runner beside the web server (local mode): `local_runner(settings)`.

    with local_runner(settings) as runner:
        app = create_app(settings.model_copy(update={"runner_url": runner.url}))

The runner is a separate process (`deepdive runner`) listening on a private Unix socket in the
data directory. It receives no secrets (only the sandbox settings and the paths it must hide)
and stops when the web server stops, even if the web server is killed. Start it from the main
thread: the kernel ties "stop with the parent" to the thread that started it.

With `supervise=True` (the course's own runner), a runner that stops without being asked to (it
crashed, or something killed it) is started again on the same socket, so the web server's runs
resume after a few seconds instead of failing until the course is restarted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from deepdive.sandbox.client import RunnerError, RunnerUnavailableError, ping_sync
from deepdive.settings import Settings

_MAX_SOCKET_PATH = 100
# Beside the runner's log: its URL, so that `deepdive sandbox run` can use the course's runner.
URL_FILE = "runner.url"
_PASSED_ON = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "HOME", "USER", "LOGNAME")
# A supervised runner that stops more often than this is left stopped (something is wrong that
# starting it again will not mend): at most 3 restarts within 60 seconds.
_RESTARTS, _RESTART_WINDOW_SECONDS = 3, 60.0

log = logging.getLogger("deepdive.sandbox")


class RunnerStartError(RuntimeError):
    """The runner process did not come up; the message says why."""


@dataclass
class LocalRunner:
    """A running local runner: give `url` to the web app (Settings.runner_url)."""

    url: str
    process: subprocess.Popen[bytes]
    socket_path: Path
    log_path: Path
    _private_dir: Path | None = None
    # How many times the supervisor has started the runner again (see `supervise`).
    restarts: int = 0
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url_file(self) -> Path:
        return self.log_path.parent / URL_FILE

    def supervise(self, settings: Settings, *, timeout: float = 60.0) -> threading.Thread:
        """Watch the runner from a thread of its own, which starts it again whenever it stops
        without being asked to (see `_RESTARTS`). The thread lives as long as this process, so
        a runner it starts still stops with the process."""
        thread = threading.Thread(
            target=self._watch, args=(settings, timeout), name="deepdive-runner", daemon=True
        )
        thread.start()
        return thread

    def _watch(self, settings: Settings, timeout: float) -> None:
        stops: list[float] = []
        while True:
            status = self.process.wait()
            if self._stopping.is_set():
                return
            now = time.monotonic()
            stops = [t for t in stops if now - t < _RESTART_WINDOW_SECONDS] + [now]
            if len(stops) > _RESTARTS:
                log.error(
                    "The code runner stopped again (%s); it is left stopped. See %s, then "
                    "restart the course.",
                    _exit_text(status),
                    self.log_path,
                )
                return
            log.warning("The code runner stopped (%s); starting it again.", _exit_text(status))
            with self._lock:
                if self._stopping.is_set():
                    return
                self.process = _spawn(settings, self.socket_path, self.log_path, append=True)
            try:
                _wait_until_ready(self, timeout)
            except RunnerStartError as failure:
                if not self._stopping.is_set():  # else the course stopped it while it started
                    log.error("%s", failure)
            else:
                self.restarts += 1
                log.warning("The code runner is running again.")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the runner (it kills and reaps its sandboxes first), and its supervision."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            if self.url_file.read_text() == self.url:
                self.url_file.unlink()
        with self._lock:
            process = self.process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(OSError):
            self.socket_path.unlink()
        if self._private_dir is not None:
            with contextlib.suppress(OSError):
                self._private_dir.rmdir()


def _exit_text(status: int) -> str:
    return f"killed by signal {-status}" if status < 0 else f"exit status {status}"


def runner_environment(settings: Settings) -> dict[str, str]:
    """The runner's environment: sandbox settings and the paths to hide, nothing secret."""
    env = {name: os.environ[name] for name in _PASSED_ON if name in os.environ}
    values = settings.model_dump()
    for name, value in values.items():
        if name.startswith("sandbox_"):
            env[f"DEEPDIVE_{name.upper()}"] = str(value)
    env["DEEPDIVE_MODE"] = settings.mode
    env["DEEPDIVE_DATA_DIR"] = str(settings.data_dir)
    if settings.require_isolation is not None:
        env["DEEPDIVE_REQUIRE_ISOLATION"] = str(settings.require_isolation).lower()
    if settings.database_path is not None:
        env["DEEPDIVE_DATABASE_URL"] = f"sqlite:///{settings.database_path}"
    if settings.mode == "hosted":
        # Hosted settings insist on a secret key; the runner never uses it, so it gets a dummy.
        env["DEEPDIVE_SECRET_KEY"] = "unused-by-the-runner"  # noqa: S105
    return env


def start_local_runner(settings: Settings, *, timeout: float = 60.0) -> LocalRunner:
    """Spawn `deepdive runner` on a private Unix socket and wait until it answers."""
    run_dir = settings.data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    socket_path = run_dir / "runner.sock"
    private_dir: Path | None = None
    if len(str(socket_path)) > _MAX_SOCKET_PATH:  # the kernel limits socket paths to 108 bytes
        private_dir = Path(tempfile.mkdtemp(prefix="deepdive-runner-"))
        socket_path = private_dir / "runner.sock"
    log_path = run_dir / "runner.log"
    process = _spawn(settings, socket_path, log_path, append=False)
    runner = LocalRunner(f"unix://{socket_path}", process, socket_path, log_path, private_dir)
    try:
        _wait_until_ready(runner, timeout)
    except RunnerStartError:
        runner.stop()
        raise
    return runner


def _spawn(
    settings: Settings, socket_path: Path, log_path: Path, *, append: bool
) -> subprocess.Popen[bytes]:
    """Start `deepdive runner`; its output goes to `log_path` (after what is there already,
    with `append`: the log of a runner that stopped is kept)."""
    command = [
        sys.executable,
        "-m",
        "deepdive.sandbox.cli",
        "runner",
        "--socket",
        str(socket_path),
        "--parent-pid",
        str(os.getpid()),
    ]
    with open(log_path, "ab" if append else "wb") as log_file:
        return subprocess.Popen(
            command,
            env=runner_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_ready(runner: LocalRunner, timeout: float) -> None:
    """Wait until the runner answers on its socket (then write its URL for `deepdive sandbox`
    to find); RunnerStartError when it stops first or does not answer within `timeout`."""
    process, deadline = runner.process, time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            said = runner.log_path.read_text(errors="replace").strip()[-3000:]
            raise RunnerStartError(f"The code runner stopped while starting:\n{said}")
        if runner.socket_path.exists():
            try:
                ping_sync(runner.url)
                runner.url_file.write_text(runner.url)
                return
            except (RunnerUnavailableError, RunnerError):
                pass
        if time.monotonic() > deadline:
            raise RunnerStartError(
                f"The code runner did not answer within {timeout:g} s; see {runner.log_path}."
            )
        time.sleep(0.05)


@contextlib.contextmanager
def local_runner(
    settings: Settings, *, timeout: float = 60.0, supervise: bool = False
) -> Iterator[LocalRunner]:
    """`start_local_runner` as a context manager that always stops the runner; with
    `supervise`, a runner that stops on its own is started again (`LocalRunner.supervise`)."""
    runner = start_local_runner(settings, timeout=timeout)
    if supervise:
        runner.supervise(settings, timeout=timeout)
    try:
        yield runner
    finally:
        runner.stop()


def find_local_runner(settings: Settings) -> str | None:
    """The URL of the course's own runner when `deepdive serve` is running with this data
    directory and its runner answers; None otherwise."""
    try:
        url = (settings.data_dir / "run" / URL_FILE).read_text().strip()
    except OSError:
        return None
    try:
        ping_sync(url, timeout=1.0)
    except (RunnerUnavailableError, RunnerError, ValueError):
        return None
    return url
