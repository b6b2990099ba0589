"""The course's own runner (`local_runner(..., supervise=True)`, as `deepdive serve` starts it):
started again on the same socket when something kills it, and gone once the course stops."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from deepdive.sandbox.client import RunnerClient, RunnerError, RunnerUnavailableError, ping_sync
from deepdive.sandbox.local import local_runner
from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.testing import run_sync
from deepdive.settings import Settings

APP = "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get('/')\ndef root():\n    return 1\n"


@pytest.fixture(autouse=True)
def _private_temporary_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The runners killed here leave their directories behind, for the next runner to start to
    # clean up: in a directory of this test's own, not where other tests' runners live.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", sandbox_workers=1).prepare()


def _answers(url: str) -> bool:
    try:
        ping_sync(url, timeout=1.0)
    except (RunnerUnavailableError, RunnerError, OSError):
        return False
    return True


def _wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def _run(url: str) -> str:
    request = RunRequest(code=APP, requests=[HttpRequest(path="/")])
    return run_sync(lambda: RunnerClient(url).run(request)).outcome


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie that its parent has not reaped yet counts as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_killed_runner_is_started_again_on_the_same_socket(tmp_path: Path):
    with local_runner(_settings(tmp_path), supervise=True) as runner:
        assert _run(runner.url) == "ok"
        first = runner.process.pid
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: runner.restarts == 1)
        assert runner.process.pid != first
        assert _answers(runner.url)
        assert _run(runner.url) == "ok"
        assert runner.url_file.read_text() == runner.url
        # The log of the runner that was killed is kept, before the new one's.
        assert runner.log_path.read_text().count("Runner listening") >= 2
        second = runner.process.pid
    assert not _alive(second)
    assert not runner.socket_path.exists()


def test_an_unsupervised_runner_stays_stopped(tmp_path: Path):
    with local_runner(_settings(tmp_path)) as runner:
        os.kill(runner.process.pid, signal.SIGKILL)
        runner.process.wait()
        time.sleep(1.0)
        assert runner.restarts == 0
        assert not _answers(runner.url)


def test_a_runner_that_keeps_stopping_is_left_stopped(tmp_path: Path, caplog):
    with local_runner(_settings(tmp_path), supervise=True) as runner:
        for restarts in range(1, 4):
            os.kill(runner.process.pid, signal.SIGKILL)
            _wait_for(lambda restarts=restarts: runner.restarts == restarts)
        os.kill(runner.process.pid, signal.SIGKILL)
        _wait_for(lambda: "it is left stopped" in caplog.text)
        assert runner.restarts == 3
        assert not _answers(runner.url)
