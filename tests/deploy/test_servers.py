"""The generated server configuration, really started: Gunicorn managing Uvicorn workers (with
the generated gunicorn.conf.py), and Uvicorn with --workers as the Dockerfile's CMD runs it, each
on a loopback port against the lesson's app; the health check is answered, SIGTERM stops it
cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from tests.conftest import CONTENT_DIR, free_port

from deepdive.deployment.generator import DeployChoice, render

APP = CONTENT_DIR / "lessons" / "13-deployment" / "examples" / "deploy_app_health.py"


def _project(tmp_path: Path, choice: DeployChoice) -> Path:
    for name, text in render(choice).items():
        (tmp_path / name).write_text(text)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text(APP.read_text())
    return tmp_path


def _health(port: int, deadline: float) -> dict:
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as answer:
                return json.loads(answer.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _serve(folder: Path, command: list[str], port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": "2"}
    bin_dir = Path(sys.executable).parent
    return subprocess.Popen(
        [str(bin_dir / command[0]), *command[1:]],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(server: subprocess.Popen[str]) -> str:
    server.send_signal(signal.SIGTERM)
    try:
        output, _ = server.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        server.kill()
        output, _ = server.communicate()
        pytest.fail(f"the server did not stop on SIGTERM:\n{output}")
    assert server.returncode == 0, output
    return output


def test_gunicorn_with_the_generated_config_serves_and_stops_cleanly(tmp_path):
    folder = _project(tmp_path, DeployChoice(server="gunicorn", workers=2))
    port = free_port()
    # The command of the image's CMD, bound to loopback instead of every interface.
    command = ["gunicorn", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    server = _serve(folder, [*command, "app.main:app"], port)
    try:
        assert _health(port, time.monotonic() + 30) == {"status": "ok"}
    finally:
        output = _stop(server)
    assert "uvicorn_worker.UvicornWorker" in output  # the worker class the config names
    assert output.count("Booting worker") == 2  # WEB_CONCURRENCY=2
    assert "Shutting down: Master" in output
    assert '"GET /health HTTP/1.1" 200' in output  # the access log, on stdout


def test_uvicorn_with_workers_serves_and_stops_cleanly(tmp_path):
    folder = _project(tmp_path, DeployChoice(server="uvicorn", workers=2))
    dockerfile = render(DeployChoice(server="uvicorn", workers=2))["Dockerfile"]
    cmd = json.loads(dockerfile.rsplit("CMD ", 1)[1])
    assert cmd[:2] == ["uvicorn", "app.main:app"]
    port = free_port()
    args = [a if a != "0.0.0.0" else "127.0.0.1" for a in cmd]
    args[args.index("--port") + 1] = str(port)
    server = _serve(folder, args, port)
    try:
        assert _health(port, time.monotonic() + 30) == {"status": "ok"}
    finally:
        output = _stop(server)
    assert output.count("Started server process") == 2  # workers from WEB_CONCURRENCY
    assert "Finished server process" in output
