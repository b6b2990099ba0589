"""`deepdive lab`: the API with demo data, announced with the URLs of its docs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from tests.conftest import free_port
from typer.testing import CliRunner

from deepdive.cli import app as cli


def _read_banner(process: subprocess.Popen) -> list[str]:
    lines = []
    while not any(line.startswith("Ctrl+C") for line in lines):
        line = process.stdout.readline()
        assert line, f"the lab exited: {lines}"
        lines.append(line.strip())
    return lines


def test_lab_serves_demo_data_and_prints_the_docs_urls():
    port = free_port()
    lab = subprocess.Popen(
        [sys.executable, "-m", "deepdive", "lab", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = "\n".join(_read_banner(lab))
        base = f"http://127.0.0.1:{port}"
        assert f"{base}/docs" in banner
        assert f"{base}/redoc" in banner

        books = _get(f"{base}/books").json()
        docs = _get(f"{base}/docs")
        token = httpx.post(
            f"{base}/token", data={"username": "reader", "password": "reader-password"}
        ).json()["access_token"]
        wallet = _get(f"{base}/wallet", headers={"Authorization": f"Bearer {token}"}).json()
    finally:
        lab.terminate()
        lab.wait(timeout=30)

    assert books["total"] >= 5
    assert docs.status_code == 200
    assert wallet["balance_cents"] > 0


def _get(url: str, **kwargs) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        try:
            return httpx.get(url, timeout=10, **kwargs)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_lab_explains_a_busy_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = CliRunner().invoke(cli, ["lab", "--port", str(port)])

    assert result.exit_code == 1
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr
