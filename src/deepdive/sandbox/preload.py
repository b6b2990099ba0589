"""Modules the runner imports before forking any sandbox.

Besides the frameworks, the packages FastAPI's documentation has learners import (see
`deepdive.sandbox.packages`) and the standard library modules learners reach for most:
imported once, they cost a sandbox nothing (Jinja2 alone takes a third of a second to import
cold), and they work even where the sandbox cannot read the Python installation (degraded
mode, with Python installed below a private home directory). A few MiB each, shared by every
sandbox. inline_snapshot is not here: pytest loads it as a plugin in test sandboxes.
"""

from __future__ import annotations

import importlib
import logging
import sys
import warnings
from typing import Any

FRAMEWORKS = (
    "fastapi",
    "fastapi.testclient",
    "fastapi.security",
    "fastapi.middleware.cors",
    "fastapi.staticfiles",
    "fastapi.responses",
    "pydantic",
    "pydantic_settings",
    "starlette",
    "starlette.testclient",
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "httpx",
    "pytest",
    "anyio.pytest_plugin",
    "jwt",
    "multipart",
    "pwdlib",
    "pwdlib.hashers.argon2",
    "email_validator",
    "orjson",
    "ujson",
    "itsdangerous",
    "starlette.middleware.sessions",
    "jinja2",
    "fastapi.templating",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "sqlmodel",
    "yaml",
    "dirty_equals",
    "uvicorn",
)
_STANDARD_LIBRARY = """
    abc array asyncio base64 bisect calendar collections contextlib copy csv dataclasses
    datetime decimal email.utils encodings.idna enum fractions functools hashlib heapq hmac
    html http io itertools json logging math operator pathlib pprint queue random re secrets
    shutil sqlite3 statistics string struct tempfile textwrap threading time traceback typing
    unicodedata urllib.parse uuid weakref zoneinfo
"""
STANDARD_LIBRARY = tuple(_STANDARD_LIBRARY.split())


def preload() -> list[str]:
    """Import everything above; return the names that are not installed (never an error)."""
    missing = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. a deprecation notice on import
        for name in (*FRAMEWORKS, *STANDARD_LIBRARY):
            try:
                importlib.import_module(name)
            except ImportError:
                missing.append(name)
    return missing


class NestedServerError(RuntimeError):
    """`uvicorn.run()` called in a sandbox."""


def refuse_nested_servers() -> None:
    """Make `uvicorn.run()` raise, in a sandbox: FastAPI's documentation ends examples with it,
    and called at a module's top level (not under `if __name__ == "__main__":`) it would start
    a server of its own and wait for connections until the wall-clock limit, when the sandbox
    serves the app itself. (Outside a sandbox it does the same, under `uvicorn main:app`: the
    server it starts on import is not the one that was asked for.)"""
    try:
        import uvicorn
        import uvicorn.main
    except ImportError:
        return

    def run(*args: object, **kwargs: object) -> None:
        raise NestedServerError(
            "uvicorn.run() starts a server of its own, which would wait for connections "
            "forever; here the sandbox serves your app itself. Put the call under "
            '`if __name__ == "__main__":`, so that it runs only when the file is run as a '
            "script (python main.py), not when the file is imported."
        )

    uvicorn.run = uvicorn.main.run = run  # type: ignore[assignment]


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler writing to whatever `sys.stderr` is when a record arrives (the sandbox's
    capture, set after this is made), as `logging.lastResort` does."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


# "uvicorn", "uvicorn.error" and "uvicorn.access" as they were before an app's setup, while it is
# in place (None: it is not).
_UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access")
_before_app_setup: list[tuple[list[logging.Handler], int, bool]] | None = None


def uvicorn_loggers(*, for_app: bool) -> None:
    """Uvicorn's loggers for an app's runs (`for_app`) as `uvicorn main:app` sets them up: what
    an app logs to "uvicorn" or "uvicorn.error" at INFO and above reaches stderr as Uvicorn
    prints it ("INFO:     ..."); its access log is left out (each request's answer is shown
    anyway). For a test run, as they were before (under plain pytest nothing sets them up).

    Nothing is done when they are so already: the zygote sets them up once for all the
    sandboxes it forks. Setting a logger's level empties the cache of every logger, and in a
    fresh sandbox each logger it touches is a page the kernel must copy."""
    global _before_app_setup
    if for_app == (_before_app_setup is not None):
        return
    loggers = [logging.getLogger(name) for name in _UVICORN]
    if not for_app:
        assert _before_app_setup is not None
        for logger, (handlers, level, propagate) in zip(loggers, _before_app_setup, strict=True):
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate
        _before_app_setup = None
        return
    try:
        from uvicorn.logging import DefaultFormatter
    except ImportError:
        return
    _before_app_setup = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    handler = _CurrentStderr()
    handler.setFormatter(DefaultFormatter("%(levelprefix)s %(message)s", use_colors=False))
    server, error, access = loggers
    server.handlers[:] = [handler]
    server.setLevel(logging.INFO)
    server.propagate = False
    error.setLevel(logging.INFO)
    access.setLevel(logging.INFO)
    access.propagate = False
