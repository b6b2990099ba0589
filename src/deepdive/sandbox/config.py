"""The runner's configuration, derived once from `Settings` (no secrets are kept)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import deepdive
from deepdive.sandbox.run_result import Limits
from deepdive.settings import Settings

_OPEN_FILES = 256


@dataclass(frozen=True)
class RunnerConfig:
    """What a runner needs to know. Built from `Settings` with `from_settings`."""

    limits: Limits
    workers: int
    spares: dict[str, int]
    # Runs one learner may have in a worker, and waiting in line, at the same time.
    per_owner_running: int = 1
    per_owner_waiting: int = 1
    session_seconds: float = 600.0
    session_idle_seconds: float = 60.0
    require_isolation: bool = False
    hidden_paths: tuple[Path, ...] = ()
    work_mib: int = 32
    tmp_mib: int = 16
    # Sandboxes started as root each run as their own user ID, from a range of 512 IDs that each
    # runner on the machine claims for itself from here on (never a real user's IDs).
    uid_base: int = 1_800_000_000
    # Gather the heap into huge pages before forking (see `huge_pages`): it takes a runner that
    # forks many sandboxes a fraction of a second, and saves each of them milliseconds.
    huge_pages: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> RunnerConfig:
        limits = Limits(
            cpu_seconds=settings.sandbox_cpu_seconds,
            wall_seconds=settings.sandbox_wall_seconds,
            memory_mib=settings.sandbox_memory_mib,
            processes=settings.sandbox_max_processes,
            file_mib=settings.sandbox_max_file_mib,
            output_kib=settings.sandbox_output_kib,
            open_files=_OPEN_FILES,
        )
        workers = settings.sandbox_workers
        return cls(
            limits=limits,
            workers=workers,
            spares={"app": workers, "test": workers},
            per_owner_running=settings.sandbox_learner_running,
            per_owner_waiting=settings.sandbox_learner_waiting,
            session_seconds=settings.sandbox_session_seconds,
            session_idle_seconds=settings.sandbox_session_idle_seconds,
            require_isolation=settings.isolation_required,
            hidden_paths=tuple(_secret_paths(settings)),
            work_mib=max(4 * settings.sandbox_max_file_mib, 16),
            tmp_mib=max(2 * settings.sandbox_max_file_mib, 16),
        )


def _secret_paths(settings: Settings) -> list[Path]:
    """Paths the sandbox must never show: the platform's data, its code, the user's home."""
    package = Path(deepdive.__file__).resolve().parent
    paths = [settings.data_dir, package, Path.home()]
    if package.parent.name == "src":
        paths.append(package.parent.parent)
    if settings.database_path is not None:
        paths.append(settings.database_path)
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        if os.environ.get(name):
            paths.append(Path(os.environ[name]))
    return paths
