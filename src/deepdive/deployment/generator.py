"""The choices of the config generator and the files they produce."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel, ConfigDict, Field, field_validator

PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
MAX_WORKERS = 33
# The Redis client is not a dependency of the course itself: pinned here, for the image.
REDIS_CLIENT = "redis==8.1.0"
_ENV = Environment(
    loader=PackageLoader("deepdive.deployment", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # noqa: S701 (the output is Dockerfiles and YAML, never HTML)
)


class DeployChoice(BaseModel):
    """What the learner picks in the form."""

    model_config = ConfigDict(extra="forbid")

    python: str = "3.12"
    server: Literal["gunicorn", "uvicorn"] = "gunicorn"
    cores: int = Field(default=2, ge=1, le=16)
    workers: int = Field(default=5)
    database: Literal["none", "postgres"] = "none"
    cache: Literal["none", "redis"] = "none"
    healthcheck: bool = True
    non_root: bool = True
    multi_stage: bool = True
    dockerignore: bool = True

    @field_validator("python")
    @classmethod
    def _known_python(cls, value: str) -> str:
        if value not in PYTHON_VERSIONS:
            offered = ", ".join(PYTHON_VERSIONS)
            raise ValueError(f"Python {value!r} is not offered: choose one of {offered}")
        return value

    @field_validator("workers")
    @classmethod
    def _workers_in_range(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"{value} workers cannot answer a single request: choose at least 1")
        if value > MAX_WORKERS:
            raise ValueError(
                f"{value} workers is more than this generator offers ({MAX_WORKERS}): each "
                "worker is a whole copy of your app in memory"
            )
        return value


def suggested_workers(cores: int) -> int:
    """Gunicorn's starting point: two workers per core, plus one."""
    return 2 * cores + 1


def worker_advice(choice: DeployChoice) -> str:
    """Why the suggested count, and when fewer is right (shown beside the field)."""
    suggested = suggested_workers(choice.cores)
    return (
        f"2 × {choice.cores} cores + 1 = {suggested}: while one worker waits on the network or "
        "the database, another can use the core. Use fewer when each worker needs a lot of "
        "memory (workers × the app's memory must fit the container's limit), when the app is "
        "async and mostly waits (one event loop per core already overlaps the waiting), or "
        "when something else on the machine needs the cores."
    )


def _pin(package: str) -> str:
    try:
        return f"{package}=={version(package)}"
    except PackageNotFoundError:  # pragma: no cover - every package below is a dependency
        return package


def requirements(choice: DeployChoice) -> list[str]:
    lines = [_pin("fastapi"), _pin("uvicorn")]
    if choice.server == "gunicorn":
        lines += [_pin("gunicorn"), _pin("uvicorn-worker")]
    if choice.database == "postgres":
        lines += [_pin("sqlalchemy"), f"psycopg[binary]=={version('psycopg')}"]
    if choice.cache == "redis":
        lines.append(REDIS_CLIENT)
    return lines


def render(choice: DeployChoice) -> dict[str, str]:
    """Every generated file, by name (the .dockerignore only when chosen)."""
    values = {"c": choice, "requirements": requirements(choice)}
    names = ["Dockerfile", "compose.yaml", "gunicorn.conf.py", "requirements.txt", "README.md"]
    if choice.server != "gunicorn":
        names.remove("gunicorn.conf.py")
    if choice.dockerignore:
        names.insert(2, ".dockerignore")
    return {name: _ENV.get_template(f"{name.lstrip('.')}.j2").render(values) for name in names}
