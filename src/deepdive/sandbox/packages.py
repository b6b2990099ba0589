"""The third-party packages a learner's code can import in the sandbox, and their versions.

The sandbox runs the same Python installation as the runner, so whatever is installed there can
be imported; this is the list worth telling learners about: what FastAPI's documentation and
this course use. `deepdive sandbox check` imports each of them inside a real sandbox, and the
course's packages page shows them with their versions.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from typing import Literal

from deepdive.sandbox.run_request import HttpRequest, RunRequest
from deepdive.sandbox.run_result import RunResult

Group = Literal["framework", "data", "security", "responses", "testing"]


@dataclass(frozen=True)
class LearnerPackage:
    distribution: str  # the name to install it by
    module: str  # what a learner imports
    group: Group
    purpose: str


PACKAGES = (
    LearnerPackage("fastapi", "fastapi", "framework", "the framework itself"),
    LearnerPackage("starlette", "starlette", "framework", "the toolkit under FastAPI"),
    LearnerPackage("pydantic", "pydantic", "framework", "models, validation, serialization"),
    LearnerPackage("pydantic-settings", "pydantic_settings", "framework", "typed settings"),
    LearnerPackage("anyio", "anyio", "framework", "async I/O under Starlette"),
    LearnerPackage(
        "uvicorn",
        "uvicorn",
        "framework",
        "the ASGI server (the sandbox serves your app: uvicorn.run() is refused)",
    ),
    LearnerPackage("sqlalchemy", "sqlalchemy", "data", "SQL databases and the ORM"),
    LearnerPackage("sqlmodel", "sqlmodel", "data", "SQLAlchemy tables as Pydantic models"),
    LearnerPackage("aiosqlite", "aiosqlite", "data", "SQLite for async SQLAlchemy"),
    LearnerPackage("alembic", "alembic", "data", "database migrations"),
    LearnerPackage("email-validator", "email_validator", "data", "Pydantic's EmailStr"),
    LearnerPackage("python-multipart", "multipart", "data", "forms and file uploads"),
    LearnerPackage("pyyaml", "yaml", "data", "YAML"),
    LearnerPackage("pyjwt", "jwt", "security", "JSON Web Tokens"),
    LearnerPackage("pwdlib", "pwdlib", "security", "password hashing (Argon2)"),
    LearnerPackage("itsdangerous", "itsdangerous", "security", "Starlette's SessionMiddleware"),
    LearnerPackage("jinja2", "jinja2", "responses", "HTML templates (Jinja2Templates)"),
    LearnerPackage("orjson", "orjson", "responses", "fast JSON (ORJSONResponse)"),
    LearnerPackage("ujson", "ujson", "responses", "UJSONResponse"),
    LearnerPackage("httpx", "httpx", "testing", "TestClient and async HTTP clients"),
    LearnerPackage("pytest", "pytest", "testing", "the test runner"),
    LearnerPackage("dirty-equals", "dirty_equals", "testing", "loose comparisons in tests"),
    LearnerPackage("inline-snapshot", "inline_snapshot", "testing", "snapshot() in tests"),
)


@dataclass(frozen=True)
class InstalledPackage:
    package: LearnerPackage
    version: str | None  # None: not installed here


def installed() -> list[InstalledPackage]:
    """Every package of `PACKAGES` with the version installed in this environment."""
    found = []
    for package in PACKAGES:
        try:
            version: str | None = importlib.metadata.version(package.distribution)
        except importlib.metadata.PackageNotFoundError:
            version = None
        found.append(InstalledPackage(package, version))
    return found


_PROBE = """
import importlib
import importlib.metadata

from fastapi import FastAPI

MODULES: dict[str, str] = {}
app = FastAPI()


@app.get("/")
def probe() -> dict[str, dict[str, str]]:
    found = {}
    for distribution, module in MODULES.items():
        try:
            importlib.import_module(module)
            found[distribution] = {"version": importlib.metadata.version(distribution)}
        except Exception as exc:
            found[distribution] = {"error": f"{type(exc).__name__}: {exc}"}
    return found
"""


def probe_request() -> RunRequest:
    """A sandbox run whose app imports every package of `PACKAGES` and reports its version."""
    modules = {package.distribution: package.module for package in PACKAGES}
    code = _PROBE.replace("MODULES: dict[str, str] = {}", f"MODULES = {modules!r}")
    return RunRequest(code=code, filename="probe.py", requests=[HttpRequest(path="/")])


def probe_report(result: RunResult) -> list[dict[str, str | None]]:
    """What the probe run found: each package's version inside the sandbox, or the error."""
    body = result.responses[0].json_body if result.responses else None
    if not isinstance(body, dict):
        problem = result.message or "the probe returned no answer"
        return [
            {"name": p.distribution, "module": p.module, "version": None, "error": problem}
            for p in PACKAGES
        ]
    report = []
    for package in PACKAGES:
        found = body.get(package.distribution) or {}
        report.append(
            {
                "name": package.distribution,
                "module": package.module,
                "version": found.get("version"),
                "error": found.get("error"),
            }
        )
    return report
