"""Importing the learner's module and finding their app in it."""

from __future__ import annotations

import importlib.util
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
    """Refuse file names that would shadow a module the sandbox itself relies on."""
    names = [request.filename, *request.files]
    if request.kind == "test":
        names.append(request.tests_filename)
    for name in names:
        module = name.removesuffix(".py")
        if module in sys.stdlib_module_names or (module in sys.modules and module != "conftest"):
            raise LoadError(
                "import_error",
                ErrorInfo(
                    type="ImportError",
                    message=(
                        f"Rename {name}: `{module}` is already the name of a module Python or "
                        "FastAPI needs, so your file would hide it."
                    ),
                    file=name,
                ),
            )


def compile_source(source: str, path: str, files: LearnerFiles) -> Any:
    """Compile one learner file; a syntax error becomes a LoadError pointing at its line."""
    try:
        return compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise LoadError("syntax_error", error_info(exc, files)) from None
    except ValueError as exc:  # e.g. a NUL byte pasted into the editor
        name = files.display_name(path)
        raise LoadError(
            "syntax_error", ErrorInfo(type="SyntaxError", message=str(exc), file=name, line=1)
        ) from None


def import_module(request: RunRequest, files: LearnerFiles) -> ModuleType:
    """Run the learner's main file as module `<filename without .py>` and return it."""
    path = files.path_of(request.filename)
    code = compile_source(request.code, path, files)
    name = request.filename.removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec) if spec else ModuleType(name)
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)  # noqa: S102  (running the learner's code is the point)
    except (LimitExceeded, MemoryError):
        raise
    except SyntaxError as exc:  # in another of the learner's files, imported from this one
        raise LoadError("syntax_error", error_info(exc, files)) from None
    except ImportError as exc:
        raise LoadError("import_error", error_info(exc, files)) from None
    except SystemExit as exc:
        info = error_info(exc, files)
        info.message = f"sys.exit({exc.code!r}) was called while your module was being imported"
        raise LoadError("runtime_error", info) from None
    except BaseException as exc:
        raise LoadError("runtime_error", error_info(exc, files)) from None
    return module


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
    if not callable(app):
        raise LoadError(
            "runtime_error",
            ErrorInfo(
                type="TypeError",
                message=(
                    f"`{request.app_name}` in {request.filename} is a {type(app).__name__}, "
                    "not an app. It should be created with FastAPI()."
                ),
                file=request.filename,
            ),
        )
    return app
