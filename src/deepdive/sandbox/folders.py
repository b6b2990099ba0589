"""A project folder on disk as the files of a `RunRequest`, and the module that holds its app.

`deepdive sandbox run DIR` and `deepdive sandbox test DIR` send a whole folder: a package such
as FastAPI's "bigger applications" layout (`app/__init__.py`, `app/main.py`, `app/routers/...`),
its tests, templates, static files and data.
"""

from __future__ import annotations

import base64
from pathlib import Path

from deepdive.sandbox.run_request import (
    MAX_FILES,
    MAX_TOTAL,
    RunRequest,
    is_test_file,
    module_name,
)

# Where `fastapi dev` looks for an app when it is given no path, in this order.
APP_MODULE_CANDIDATES = ("main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py")
_SKIPPED_FOLDERS = {"__pycache__", "node_modules", "venv", "env", "site-packages"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo", ".so", ".db", ".sqlite", ".sqlite3"}


class FolderError(ValueError):
    """The folder cannot be sent as it is; the message says why and what to do."""


def read_folder(folder: Path) -> tuple[dict[str, str], dict[str, bytes]]:
    """The text files below `folder` by relative path, and the other files (images, fonts...).

    Hidden folders, caches, virtual environments, compiled files and databases are skipped
    silently, and so are hidden files but `.env` files (`.env`, `.env.test`: pydantic-settings
    and python-dotenv read them) and `.pytest.ini` (pytest reads it).
    """
    files: dict[str, str] = {}
    binary: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or _skipped(relative):
            continue
        name = relative.as_posix()
        try:
            data = path.read_bytes()
        except OSError as error:
            raise FolderError(f"Cannot read {path}: {error.strerror}") from error
        try:
            files[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            binary[name] = data
        total += len(data)
        if len(files) + len(binary) > MAX_FILES or total > MAX_TOTAL:
            raise FolderError(
                f"{folder} holds more than a run can carry ({MAX_FILES} files, "
                f"{MAX_TOTAL // 1024} KiB in all). Point at the folder of the app itself."
            )
    if not files:
        raise FolderError(f"{folder} holds no text files to run.")
    return files, binary


def _skipped(relative: Path) -> bool:
    *folders, name = relative.parts
    hidden = any(part.startswith(".") for part in folders) or (
        name.startswith(".") and not _carried_hidden_file(name)
    )
    return (
        hidden
        or bool(_SKIPPED_FOLDERS.intersection(folders))
        or (relative.suffix in _SKIPPED_SUFFIXES)
    )


def _carried_hidden_file(name: str) -> bool:
    return name == ".env" or name.startswith(".env.") or name == ".pytest.ini"


def app_file(files: dict[str, str], spec: str | None) -> tuple[str, str]:
    """The file and attribute of the app: from `spec` ("app.main:app", as uvicorn takes it) or,
    without one, the first of `APP_MODULE_CANDIDATES` present (attribute `app`)."""
    if spec:
        module, _, attribute = spec.partition(":")
        attribute = attribute or "app"
        candidates = [module.replace(".", "/") + ".py", module.replace(".", "/") + "/__init__.py"]
        for candidate in candidates:
            if candidate in files:
                return candidate, attribute
        raise FolderError(f"The folder has no module {module} ({' or '.join(candidates)}).")
    for candidate in APP_MODULE_CANDIDATES:
        if candidate in files:
            return candidate, "app"
    raise FolderError(
        "Found none of " + ", ".join(APP_MODULE_CANDIDATES) + " in the folder: name the module "
        "of your app with --app, for example --app shop.main:app."
    )


def _package_name(folder: Path, files: dict[str, str]) -> str | None:
    """The folder's name when the folder is a package (holds `__init__.py`)."""
    name = folder.resolve().name
    return name if "__init__.py" in files and module_name(f"{name}.py") else None


def folder_request(folder: Path, *, kind: str, spec: str | None, **fields: object) -> RunRequest:
    """A run of the whole `folder`, its text files and the others (sent as bytes).

    `spec` names the app's module relative to `folder` (or, for a folder that is a package,
    with the package's name in front). A test run needs no app: without `spec` and without one
    of the usual app modules, its main file is simply the first module that is not a test (it
    is imported only where an instrument asks for the app).
    """
    files, binary = read_folder(folder)
    if kind == "test" and not any(map(is_test_file, files)):
        raise FolderError(
            f"{folder} holds no tests: pytest collects files named test_*.py or *_test.py."
        )
    package = _package_name(folder, files)
    if package and spec and spec.startswith(package + "."):
        spec = spec.removeprefix(package + ".")
    try:
        filename, attribute = app_file(files, spec)
    except FolderError:
        modules = [name for name in files if module_name(name) is not None]
        if kind != "test" or spec or not modules:
            raise
        filename = next((m for m in modules if not is_test_file(m)), modules[0])
        attribute = "app"
    if package:
        # The folder is a package itself: run it from its parent, as `fastapi dev
        # app/main.py` does, so that its relative imports work.
        files = {f"{package}/{name}": text for name, text in files.items()}
        binary = {f"{package}/{name}": data for name, data in binary.items()}
        filename = f"{package}/{filename}"
    code = files.pop(filename)
    return RunRequest(
        kind=kind,  # type: ignore[arg-type]
        code=code,
        filename=filename,
        app_name=attribute,
        files=files,
        binary_files={name: base64.b64encode(data).decode() for name, data in binary.items()},
        **fields,  # type: ignore[arg-type]
    )
