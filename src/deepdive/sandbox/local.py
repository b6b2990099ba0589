"""Starting a runner beside the web server (local mode): `local_runner(settings)`.

    with local_runner(settings) as runner:
        app = create_app(settings.model_copy(update={"runner_url": runner.url}))

The runner is a separate process (`deepdive runner`) listening on a private Unix socket in the
data directory. It receives no secrets (only the sandbox settings and the paths it must hide)
and stops when the web server stops, even if the web server is killed. Start it from the main
thread: the kernel ties "stop with the parent" to the thread that started it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from deepdive.sandbox.client import RunnerError, RunnerUnavailableError, ping_sync
from deepdive.settings import Settings

_MAX_SOCKET_PATH = 100
# Beside the runner's log: its URL, so that `deepdive sandbox run` can use the course's runner.
URL_FILE = "runner.url"
_PASSED_ON = ("PATH", "PYTHONPATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "HOME", "USER", "LOGNAME")


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

    @property
    def url_file(self) -> Path:
        return self.log_path.parent / URL_FILE

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the runner (it kills and reaps its sandboxes first)."""
        with contextlib.suppress(OSError):
            if self.url_file.read_text() == self.url:
                self.url_file.unlink()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            self.socket_path.unlink()
        if self._private_dir is not None:
            with contextlib.suppress(OSError):
                self._private_dir.rmdir()


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
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env=runner_environment(settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    runner = LocalRunner(f"unix://{socket_path}", process, socket_path, log_path, private_dir)
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            said = log_path.read_text(errors="replace").strip()[-3000:]
            runner.stop()
            raise RunnerStartError(f"The code runner stopped while starting:\n{said}")
        if socket_path.exists():
            try:
                ping_sync(runner.url)
                runner.url_file.write_text(runner.url)
                return runner
            except (RunnerUnavailableError, RunnerError):
                pass
        if time.monotonic() > deadline:
            runner.stop()
            raise RunnerStartError(
                f"The code runner did not answer within {timeout:g} s; see {log_path}."
            )
        time.sleep(0.05)


@contextlib.contextmanager
def local_runner(settings: Settings, *, timeout: float = 60.0) -> Iterator[LocalRunner]:
    """`start_local_runner` as a context manager that always stops the runner."""
    runner = start_local_runner(settings, timeout=timeout)
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
