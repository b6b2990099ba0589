"""Typed settings for the course platform, read from `DEEPDIVE_*` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_SECRET_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)
_REPO_CONTENT = Path(__file__).resolve().parents[2] / "content"


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("deepdive", appauthor=False))


class Settings(BaseSettings):
    """Everything the platform can be configured with.

    Construct it, then call `prepare()` once at start-up: that creates the data directory and
    fills in the derived values (database URL, secret key).
    """

    model_config = SettingsConfigDict(env_prefix="DEEPDIVE_", extra="ignore")

    mode: Literal["local", "hosted"] = "local"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    # PostgreSQL: connections each web worker keeps open, and how many more it may open at a
    # peak (closed again once idle). A worker never uses more at once than its thread pool runs
    # requests (40), so size + overflow past 40 buys nothing; every worker's size + overflow
    # together must stay below the server's `max_connections` (100 by default).
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=20, ge=0)
    # How long a request waits for a free connection before it is answered 503.
    db_pool_timeout: float = Field(default=10.0, gt=0)
    secret_key: SecretStr | None = None
    content_dir: Path = _REPO_CONTENT
    # Extra host names the server answers to (besides `host` and localhost), e.g. a public name.
    allowed_hosts: list[str] = Field(default_factory=list)

    # Sandbox: where learner code runs, and what a single run may use.
    require_isolation: bool | None = None
    sandbox_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    sandbox_cpu_seconds: float = Field(default=5.0, gt=0)
    sandbox_wall_seconds: float = Field(default=10.0, gt=0)
    sandbox_memory_mib: int = Field(default=512, ge=64)
    sandbox_max_processes: int = Field(default=64, ge=1)
    sandbox_max_file_mib: int = Field(default=8, ge=1)
    sandbox_output_kib: int = Field(default=64, ge=1)
    sandbox_runs_per_minute: int = Field(default=60, ge=1)
    # Runs of one learner at the same time, in a worker and waiting for one (more are refused).
    sandbox_learner_running: int = Field(default=1, ge=1)
    sandbox_learner_waiting: int = Field(default=1, ge=0)
    # Session runs (WebSocket-style interaction) live longer, and end when left idle.
    sandbox_session_seconds: float = Field(default=600.0, gt=0)
    sandbox_session_idle_seconds: float = Field(default=60.0, gt=0)
    # What the page may send to a session: message size and messages per second.
    session_message_kib: int = Field(default=64, ge=1, le=1024)
    session_messages_per_second: float = Field(default=20.0, gt=0)
    # Where the web server finds a runner: unset means "start one beside the server" (local mode).
    runner_url: str | None = None
    runner_token: SecretStr | None = None
    # Hosted mode: the Redis server shared by every web worker and runner (rate limits, run
    # dispatch, WebSocket fan-out), e.g. redis://redis:6379/0.
    redis_url: str | None = None
    # Run dispatch through Redis (hosted mode without `runner_url`): runs waiting for a runner
    # beyond which `/api/runs` answers 503, how long a run may wait for one, and how long a
    # runner may stay silent about a run it took before another runner takes the run over.
    run_queue_limit: int = Field(default=100, ge=1)
    run_queue_seconds: float = Field(default=30.0, gt=0)
    run_claim_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _hosted_mode_needs_explicit_secrets(self) -> Settings:
        if self.mode == "hosted" and self.secret_key is None:
            raise ValueError(
                "hosted mode needs DEEPDIVE_SECRET_KEY: every worker must share the same key"
            )
        return self

    @property
    def isolation_required(self) -> bool:
        if self.require_isolation is None:
            return self.mode == "hosted"
        return self.require_isolation

    @property
    def database_path(self) -> Path | None:
        """The SQLite file behind `database_url`, if it is one."""
        url = self.database_url or ""
        prefix = "sqlite:///"
        if url.startswith(prefix) and url != "sqlite:///:memory:":
            return Path(url.removeprefix(prefix))
        return None

    def prepare(self) -> Settings:
        """Create the data directory and return settings with every derived value filled in."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        update: dict[str, object] = {}
        if self.database_url is None:
            update["database_url"] = f"sqlite:///{self.data_dir / 'deepdive.sqlite3'}"
        if self.secret_key is None:
            update["secret_key"] = SecretStr(_load_or_create_secret(self.data_dir / _SECRET_FILE))
        return self.model_copy(update=update) if update else self

    @property
    def secret(self) -> str:
        if self.secret_key is None:
            raise RuntimeError("Settings.prepare() must run before the secret key is used")
        return self.secret_key.get_secret_value()


def _load_or_create_secret(path: Path) -> str:
    """Read the secret from `path`, creating it (mode 0600) on first use."""
    try:
        value = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        value = ""
    if value:
        return value
    value = secrets.token_urlsafe(48)
    # Written aside, then linked into place: link() fails if the file appeared meanwhile, so two
    # processes starting at once agree on one key and nobody ever reads a half-written file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink()
    return value
