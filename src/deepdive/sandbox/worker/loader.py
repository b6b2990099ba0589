"""Importing the learner's module and finding their app in it."""

from __future__ import annotations

import importlib
import inspect
import sys
from types import ModuleType
from typing import Any

from deepdive.sandbox.run_request import RunRequest
from deepdive.sandbox.run_result import ErrorInfo, Outcome
from deepdive.sandbox.worker.files import LearnerFiles
from deepdive.sandbox.worker.guard import LimitExceeded
from deepdive.sandbox.worker.tracebacks import error_info


class LoadError(Exception):
    """The learner's module could not be imported, or holds no app."""

    def __init__(self, outcome: Outcome, error: ErrorInfo) -> None:
        super().__init__(error.message)
        self.outcome = outcome
        self.error = error


def check_module_names(request: RunRequest) -> None:
    """Refuse modules and packages that would shadow a module the sandbox itself relies on."""
    for name in request.all_files():
        top, _, rest = name.partition("/")
        if not rest and not top.endswith(".py"):
            continue  # a data file beside the modules
        module = top.removesuffix(".py") if not rest else top
        if module in sys.stdlib_module_names or (module in sys.modules and module != "conftest"):
            what = f"the folder {top}/" if rest else top
            raise LoadError(
                "import_error",
                ErrorInfo(
                    type="ImportError",
                    message=(
                        f"Rename {what}: `{module}` is already the name of a module Python or "
                        "FastAPI needs, so your file would hide it."
                    ),
                    file=name,
                ),
            )


def import_module(request: RunRequest, files: LearnerFiles) -> ModuleType:
    """Import the learner's main file as Python would (`app/main.py` as `app.main`).

    The files must have been written (`LearnerFiles.write_request`). A module that is already
    imported (by the learner's tests, say) is returned as it is.
    """
    if "\0" in request.code:  # e.g. pasted into the editor; Python refuses to read the file
        line = request.code.count("\n", 0, request.code.index("\0")) + 1
        message = "source code cannot contain null bytes"
        error = ErrorInfo(type="SyntaxError", message=message, file=request.filename, line=line)
        raise LoadError("syntax_error", error)
    try:
        return importlib.import_module(request.module())
    except (LimitExceeded, MemoryError):
        raise
    except SyntaxError as exc:
        raise LoadError("syntax_error", error_info(exc, files)) from None
    except ImportError as exc:
        raise LoadError("import_error", error_info(exc, files)) from None
    except SystemExit as exc:
        info = error_info(exc, files)
        info.message = f"sys.exit({exc.code!r}) was called while your module was being imported"
        raise LoadError("runtime_error", info) from None
    except BaseException as exc:
        raise LoadError("runtime_error", error_info(exc, files)) from None


def find_app(module: ModuleType, request: RunRequest) -> Any:
    app = getattr(module, request.app_name, None)
    if app is None:
        raise LoadError(
            "runtime_error",
            ErrorInfo(
                type="NameError",
                message=(
                    f"{request.filename} ran, but it defines no `{request.app_name}`. "
                    f"Create one, for example `{request.app_name} = FastAPI()`."
                ),
                file=request.filename,
            ),
        )
    problem = _not_an_app(app)
    if problem is not None:
        raise LoadError(
            "runtime_error",
            ErrorInfo(
                type="TypeError",
                message=f"`{request.app_name}` is {problem}",
                file=request.filename,
            ),
        )
    return app


def _not_an_app(app: Any) -> str | None:
    """What `app` is instead of an ASGI app, said for the learner; None when it may be one (an
    `async def (scope, receive, send)` function, or an object that can be called, as a FastAPI
    or Starlette app, or a middleware wrapping one, is)."""
    if inspect.isclass(app):
        return (
            f"the class {app.__name__} itself, not an app made from it: call it, as in "
            f"`app = {app.__name__}()`."
        )
    if not callable(app):
        name = type(app).__name__
        article = "an" if name[:1].lower() in "aeiou" else "a"
        return f"{article} {name}, not an app. It should be created with FastAPI()."
    if inspect.isroutine(app) and not inspect.iscoroutinefunction(app):
        return (
            "a function that is not `async`, so it is no ASGI app (what Uvicorn and the "
            "sandbox serve): it should be created with FastAPI(), or be an "
            "`async def app(scope, receive, send)`."
        )
    return None  # an object with a `__call__` of its own is taken at its word
