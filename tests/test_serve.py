"""`deepdive serve` end to end: database, runner and web server come up together and go away."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from tests.conftest import free_port

CODE = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
def root() -> dict[str, bool]:
    return {"answered_from_the_sandbox": True}
"""


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.stdout.read()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve did not come up")


def test_serve_runs_learner_code_in_its_own_runner_and_stops_cleanly(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DEEPDIVE_DATA_DIR": str(tmp_path / "data")}
    process = subprocess.Popen(
        [sys.executable, "-m", "deepdive", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_up(url, process)
        with httpx.Client(base_url=url, timeout=30) as browser:
            browser.get("/")
            headers = {"X-CSRF-Token": browser.cookies["deepdive_csrf"], "Origin": url}
            run = browser.post(
                "/api/runs",
                headers=headers,
                json={"widget": "basics/first-endpoint", "code": CODE, "requests": [{"path": "/"}]},
            )
        assert run.status_code == 200, run.text
        assert run.json()["result"]["responses"][0]["json_body"] == {
            "answered_from_the_sandbox": True
        }
        assert (tmp_path / "data" / "deepdive.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode in (0, 130), output  # 130: the conventional exit after Ctrl+C
    assert "FastAPI Deep Dive is at" in output
    leftovers = subprocess.run(
        ["pgrep", "-f", f"deepdive.sandbox.cli runner .*{tmp_path}"], capture_output=True, text=True
    )
    assert leftovers.stdout == "", "the runner outlived the server"
