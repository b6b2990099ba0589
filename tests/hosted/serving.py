"""A real `deepdive serve --hosted --workers N` in a subprocess, and ways to reach its workers."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.conftest import free_port


class HostedServer:
    """Gunicorn (the `deepdive serve` process itself) and the Uvicorn workers it forks."""

    def __init__(self, data_dir: Path, database_url: str, redis_url: str, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {
            **os.environ,
            "DEEPDIVE_DATA_DIR": str(data_dir),
            "DEEPDIVE_DATABASE_URL": database_url,
            "DEEPDIVE_REDIS_URL": redis_url,
            "DEEPDIVE_SECRET_KEY": secrets.token_urlsafe(32),
        }
        self.env.pop("DEEPDIVE_RUNNER_URL", None)
        self.process: subprocess.Popen[str] | None = None
        self.log = data_dir.parent / "serve.log"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "deepdive",
            "serve",
            "--hosted",
            "--workers",
            str(self.workers),
            "--port",
            str(self.port),
        ]

    def __enter__(self) -> HostedServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                self.command(), env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True
            )
        try:
            self.wait_for_workers(self.workers)
        except BaseException:
            self.__exit__()  # a server that did not come up is not left running
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text()

    def worker_pids(self) -> set[int]:
        """The worker processes the Gunicorn master has forked (read from /proc)."""
        assert self.process is not None
        pids = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == self.process.pid:
                pids.add(int(entry.name))
        return pids

    def wait_for_workers(self, count: int, timeout: float = 180) -> set[str]:
        """Wait until `count` different workers have answered /health; their names."""
        assert self.process is not None
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited early:\n{self.output()}")
            try:
                seen.add(self.health()["worker"])
            except httpx.TransportError:
                time.sleep(0.1)
            if len(seen) >= count:
                return seen
        raise AssertionError(f"{len(seen)} of {count} workers answered:\n{self.output()}")

    def health(self) -> dict[str, str]:
        """/health on a new connection (each may land on another worker)."""
        with httpx.Client(base_url=self.url, timeout=5) as fresh:
            return fresh.get("/health").json()

    def client_on_worker(self, avoid: set[str] = frozenset(), tries: int = 200) -> Client:
        """A browser-like client whose kept-alive connection is served by a worker whose name
        is not in `avoid`."""
        for _ in range(tries):
            client = Client(self.url)
            if client.worker not in avoid:
                return client
            client.close()
        raise AssertionError(f"no connection landed on a worker other than {avoid}")


class Client(httpx.Client):
    """One kept-alive connection (so one worker), with the course's CSRF cookie and headers.

    Hosted mode marks its cookies Secure (TLS ends at the proxy in front of it), which a client
    speaking plain HTTP to the worker keeps but does not send back: this one sends it itself.
    """

    def __init__(self, url: str) -> None:
        super().__init__(base_url=url, timeout=30, limits=httpx.Limits(max_connections=1))
        self.origin = url
        health = self.get("/health")
        self.worker = health.json()["worker"]
        self.csrf = health.cookies["deepdive_csrf"]
        self.headers["Cookie"] = f"deepdive_csrf={self.csrf}"

    def log_in(self, username: str, password: str) -> None:
        """Log in through the login form; the session cookie (Secure) is sent back by hand too."""
        response = self.post(
            "/login",
            data={"username": username, "password": password, "next": "/"},
            headers={"X-CSRF-Token": self.csrf, "Origin": self.origin, "HX-Request": "true"},
        )
        assert response.status_code == 200, response.text[:500]
        self.csrf = response.cookies.get("deepdive_csrf") or self.csrf
        session = response.cookies["deepdive_session"]
        self.headers["Cookie"] = f"deepdive_csrf={self.csrf}; deepdive_session={session}"

    def send_json(self, method: str, path: str, body: object) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf, "Origin": self.origin}
        response = self.request(method, path, json=body, headers=headers)
        assert self.get("/health").json()["worker"] == self.worker  # still the same worker
        return response
