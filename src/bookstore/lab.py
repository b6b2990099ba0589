"""`deepdive lab`: the Bookstore API with demo data, in a throwaway data directory."""

from __future__ import annotations

import errno
import secrets
import socket
import tempfile
from pathlib import Path

import uvicorn

from bookstore.core.config import Settings
from bookstore.core.security import PasswordHasher
from bookstore.db.engine import make_engine, make_session_factory
from bookstore.demo import READER_PASSWORD, READER_USERNAME, seed
from bookstore.main import create_app
from bookstore.prestart import prepare_database

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password"  # noqa: S105 (demo account)


class LabError(Exception):
    """The lab cannot start; the message says why and what to try."""


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise LabError(
                    f"Port {port} on {host} is in use (is the lab already running?). "
                    f"Try another one: deepdive lab --port {port + 1}"
                ) from error
            raise LabError(f"Cannot listen on {host}:{port}: {error.strerror}") from error


def lab_settings(data_dir: Path) -> Settings:
    return Settings(
        environment="development",
        data_dir=data_dir,
        # A fresh key per run: tokens from an earlier lab stop working, as its data is gone.
        secret_key=secrets.token_urlsafe(48),
        first_admin_username=ADMIN_USERNAME,
        first_admin_password=ADMIN_PASSWORD,
    )


def _prepare_demo(settings: Settings) -> None:
    prepare_database(settings)
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            seed(session, PasswordHasher(settings))
    finally:
        engine.dispose()


def _banner(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    base = f"http://{shown}:{port}"
    return "\n".join(
        [
            f"Bookstore API (demo data) is at {base}/",
            f"  Swagger UI:  {base}/docs",
            f"  ReDoc:       {base}/redoc",
            f"  OpenAPI:     {base}/openapi.json",
            f"Sign in as {ADMIN_USERNAME} / {ADMIN_PASSWORD} (admin) or "
            f"{READER_USERNAME} / {READER_PASSWORD} (reader, with 50.00 store credit).",
            "Ctrl+C stops it; the demo data is thrown away.",
        ]
    )


def run_lab(host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the API with demo data until interrupted. Raises LabError if it cannot start."""
    _check_port(host, port)
    with tempfile.TemporaryDirectory(prefix="bookstore-lab-") as data_dir:
        settings = lab_settings(Path(data_dir))
        _prepare_demo(settings)
        print(_banner(host, port), flush=True)
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
