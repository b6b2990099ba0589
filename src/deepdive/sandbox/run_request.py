"""What the web server (or the command line) asks the sandbox to do: the `RunRequest` model."""

from __future__ import annotations

import base64
import json
import re
import shlex
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from deepdive.sandbox import chaining
from deepdive.sandbox.nesting import ShallowJson

RunKind = Literal["app", "test", "session", "grade", "serve"]

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}"  # never "..", never hidden
# A file's own name may be hidden (`.env`, read by pydantic-settings and python-dotenv), a
# folder's never.
_NAME = r"\.?[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}"
_MAX_DEPTH = 8
# A module Python can import: `app.py`, `app/main.py`, `app/routers/__init__.py`.
_MODULE_FILE = rf"^(?:{_IDENTIFIER}/){{0,{_MAX_DEPTH - 1}}}{_IDENTIFIER}\.py$"
# Any other file of a run: modules, templates, static files, data.
_FILE_PATH = re.compile(rf"^(?:{_PART}/){{0,{_MAX_DEPTH - 1}}}{_NAME}$")
# A tests file pytest collects by default: `test_books.py` or `books_test.py`.
_TESTS_NAME = r"(?:test_[A-Za-z0-9_]{0,58}|[A-Za-z_][A-Za-z0-9_]{0,58}_test)\.py"
_TESTS_FILE = rf"^(?:{_IDENTIFIER}/){{0,{_MAX_DEPTH - 1}}}{_TESTS_NAME}$"
_MAX_SOURCE = 512 * 1024
_TEN_YEARS = 10 * 366 * 24 * 3600
CaptureName = Annotated[str, StringConstraints(pattern=chaining.CAPTURE_NAME)]
CaptureSource = Annotated[str, StringConstraints(pattern=chaining.CAPTURE_SOURCE, max_length=200)]
MAX_FILES = 200
MAX_TOTAL = 4 * 1024 * 1024


def module_name(path: str) -> str | None:
    """The dotted name Python imports the file `path` as, or None for a file that is no module.

    >>> module_name("app/routers/books.py"), module_name("app/__init__.py")
    ('app.routers.books', 'app')
    """
    if not re.match(_MODULE_FILE, path):
        return None
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def is_test_file(path: str) -> bool:
    """Whether pytest collects `path` by default (`test_*.py` or `*_test.py`)."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


class UploadedFile(BaseModel):
    """A file sent as part of a multipart form (`content_base64` holds its bytes)."""

    model_config = ConfigDict(extra="forbid")

    field: str = "file"
    filename: str = Field(min_length=1, max_length=1024)
    content_type: str = "application/octet-stream"
    content_base64: str = ""

    @field_validator("content_base64")
    @classmethod
    def _base64(cls, content: str) -> str:
        try:
            base64.b64decode(content, validate=True)
        except ValueError:
            raise ValueError("a file's content is given in base64") from None
        return content

    def content(self) -> bytes:
        return base64.b64decode(self.content_base64, validate=True)


class HttpRequest(BaseModel):
    """One HTTP request to send to the learner's app.

    Give at most one body: `json_body` (sent as JSON), `body` (raw text), or `form` (with optional
    `files`, sent as multipart when there are files).

    A request can use values captured from earlier responses of the same run (`{{name}}`, see
    `deepdive.sandbox.chaining`), and can ask for the sandbox's wall clock to be moved forward
    before it is sent (`advance_clock`, in seconds; the moves add up over the run).
    """

    model_config = ConfigDict(extra="forbid")

    method: str = Field(default="GET", pattern=r"^[A-Za-z]{1,16}$")
    path: str = Field(default="/", pattern=r"^/", max_length=4096)
    query: dict[str, str | list[str]] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    json_body: ShallowJson = None
    body: str | None = None
    form: dict[str, str | list[str]] | None = None  # a list: the field repeated, in order
    files: list[UploadedFile] = Field(default_factory=list)
    capture: dict[CaptureName, CaptureSource] = Field(
        default_factory=dict,
        max_length=10,
        description="Values to keep from this response for later requests: name -> source",
    )
    advance_clock: float = Field(
        default=0.0,
        ge=0,
        le=_TEN_YEARS,
        description="Seconds the sandbox's wall clock moves forward before this request",
    )
    advance_clock_past: CaptureName | None = Field(
        default=None,
        description="A captured JWT: before this request, the wall clock moves to one second "
        "past its `exp` claim (after `advance_clock`), wherever the app put that expiry",
    )

    @field_validator("method")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _one_body(self) -> HttpRequest:
        bodies = [self.json_body is not None, self.body is not None, bool(self.form or self.files)]
        if sum(bodies) > 1:
            raise ValueError("give at most one of json_body, body and form/files")
        return self

    @classmethod
    def parse(cls, spec: str) -> HttpRequest:
        """Read the command line's short form: `METHOD /path?query [BODY]`.

        A BODY that parses as JSON is sent as JSON, anything else as text.
        >>> HttpRequest.parse('POST /books {"title": "X"}').json_body
        {'title': 'X'}
        """
        method, _, rest = spec.strip().partition(" ")
        path, _, raw_body = rest.strip().partition(" ")
        if not method or not path:
            raise ValueError(f"expected 'METHOD /path [BODY]', got {shlex.quote(spec)}")
        raw_body = raw_body.strip()
        if not raw_body:
            return cls(method=method, path=path)
        try:
            return cls(method=method, path=path, json_body=json.loads(raw_body))
        except json.JSONDecodeError:
            return cls(method=method, path=path, body=raw_body)


class LimitOverrides(BaseModel):
    """Tighter limits for one run. The runner's own limits always win when they are lower."""

    model_config = ConfigDict(extra="forbid")

    cpu_seconds: float | None = Field(default=None, gt=0)
    wall_seconds: float | None = Field(default=None, gt=0)
    memory_mib: int | None = Field(default=None, ge=16)
    output_kib: int | None = Field(default=None, ge=1)


class RunRequest(BaseModel):
    """A run: the learner's code, what to do with it, and which instruments to attach.

    * `kind="app"`: import `code` (saved as `filename`), find `app_name` in it, send `requests`
      (one after the other, or all at once with `concurrent=True`) and return each response.
    * `kind="test"`: run pytest on the run's files, as `python -m pytest` would in a folder
      holding them: `tests` (saved as `tests_filename`) and any test files among `files`. The
      tests import what they need; the sandbox imports `filename` and looks up `app_name` only
      for an instrument that needs the app.
    * `kind="session"`: import the app and keep it alive for WebSocket-style interaction
      (see `deepdive.sandbox.client.Session`).
    * `kind="grade"`: judge the app by `tests` (a check module) that never runs beside it. The
      engine serves the app in one sandbox (as a `serve` run) and runs the check in another
      (a `test` run with `grading=True`), the two joined only by HTTP connections: the check's
      `client` fixture sends requests to the app, and its `source` fixture holds the learner's
      files as text. Nothing the learner's code does can read the check or change its verdict.
    * `kind="serve"` (made by the engine for a grade run): serve the app over the connections
      handed to the sandbox, until the other side has closed them all.

    `filename` may lie in a package (`app/main.py` is imported as `app.main`, so relative
    imports work). `files` holds the run's other files by relative path: modules and packages
    (`app/__init__.py`, `app/routers/books.py`), conftest.py, templates, static files.
    `instruments` names instruments from `deepdive.sandbox.instruments` (e.g. "openapi").
    """

    model_config = ConfigDict(extra="forbid")

    kind: RunKind = "app"
    code: str = Field(max_length=_MAX_SOURCE)
    filename: str = Field(default="app.py", pattern=_MODULE_FILE)
    app_name: str = Field(default="app", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    files: dict[str, str] = Field(default_factory=dict, max_length=MAX_FILES)
    # The run's files that are not text (images, fonts, archives), by relative path, their
    # bytes in base64: `FileResponse("static/logo.png")` finds them as on disk.
    binary_files: dict[str, str] = Field(default_factory=dict, max_length=MAX_FILES)
    requests: list[HttpRequest] = Field(default_factory=list, max_length=100)
    concurrent: bool = False
    tests: str | None = Field(default=None, max_length=_MAX_SOURCE)
    tests_filename: str = Field(default="test_app.py", pattern=_TESTS_FILE)
    instruments: list[str] = Field(default_factory=list, max_length=20)
    limits: LimitOverrides = Field(default_factory=LimitOverrides)
    # A test run that grades an app served elsewhere: only `tests` is written and collected;
    # the learner's files reach the tests as text (the `source` fixture), never as modules.
    grading: bool = False
    # A graded run whose check counts the app's SQL: the app's `sqlite3` connections reach a
    # database in the check's sandbox, where each statement is counted (see
    # `deepdive.sandbox.watched_db`), never in the app's own process.
    watched_database: bool = False

    @field_validator("files")
    @classmethod
    def _file_paths(cls, files: dict[str, str]) -> dict[str, str]:
        for name, source in files.items():
            if not _FILE_PATH.match(name):
                raise ValueError(
                    f"{name!r} is not a relative file path like 'models.py' or "
                    "'app/routers/books.py' (letters, digits, '_', '-' and '.'; no hidden "
                    f"folders, no '..', at most {_MAX_DEPTH} levels)"
                )
            if len(source) > _MAX_SOURCE:
                raise ValueError(f"{name} is larger than {_MAX_SOURCE // 1024} KiB")
        return files

    @field_validator("binary_files")
    @classmethod
    def _binary_files(cls, files: dict[str, str]) -> dict[str, str]:
        cls._file_paths({name: "" for name in files})
        for name, content in files.items():
            try:
                base64.b64decode(content, validate=True)
            except ValueError:
                raise ValueError(f"{name}: the content of a binary file is base64") from None
        return files

    @model_validator(mode="after")
    def _consistent(self) -> RunRequest:
        problems = chaining.check(
            [request.model_dump() for request in self.requests], concurrent=self.concurrent
        )
        if problems:
            raise ValueError("; ".join(problems))
        names = self._names()
        if self.kind == "test" and self.tests is None and not any(map(is_test_file, names)):
            raise ValueError("a test run needs `tests`, or a test file among `files`")
        if (self.kind == "grade" or self.grading) and self.tests is None:
            raise ValueError("a graded run needs its check as `tests`")
        if len(set(names)) != len(names):
            raise ValueError("every file needs its own name")
        folders = {
            name.rsplit("/", depth)[0] for name in names for depth in range(1, name.count("/") + 1)
        }
        clash = sorted(folders.intersection(names))
        if clash:
            raise ValueError(f"{clash[0]} cannot be both a file and a folder")
        text = sum(len(source) for source in self.all_files().values())
        if text + sum(len(content) * 3 // 4 for content in self.binary_files.values()) > MAX_TOTAL:
            raise ValueError(f"the files of a run add up to more than {MAX_TOTAL // 1024} KiB")
        return self

    def _names(self) -> list[str]:
        names = [self.filename, *self.files, *self.binary_files]
        if self.kind == "test" and self.tests is not None:
            names.append(self.tests_filename)
        return names

    def all_files(self) -> dict[str, str]:
        """Every file of the run, by relative path: `files`, the main module and the tests."""
        files = {**self.files, self.filename: self.code}
        if self.kind == "test" and self.tests is not None:
            files[self.tests_filename] = self.tests
        return files

    def module(self) -> str:
        """The dotted name the main file is imported as (`app/main.py` -> `app.main`)."""
        name = module_name(self.filename)
        assert name is not None  # `filename` is validated as a module path
        return name

    def learner_modules(self) -> set[str]:
        """The dotted names of every Python module among the run's files."""
        names = (module_name(name) for name in self.all_files())
        return {name for name in names if name is not None}


class SessionCommand(BaseModel):
    """One step of a session run, sent by the client while the session is open.

    * `connect`: open WebSocket `connection` on `path` (with `query`/`headers`)
    * `send`: send `text` (or `data_base64`) on `connection`
    * `close`: close `connection` with `code`
    * `request`: send the HTTP `request` to the same app
    * `end`: finish the session and produce the run's result
    """

    model_config = ConfigDict(extra="forbid")

    op: Literal["connect", "send", "close", "request", "end"]
    connection: str = Field(default="main", max_length=64)
    path: str = Field(default="/", pattern=r"^/", max_length=4096)
    query: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    text: str | None = Field(default=None, max_length=64 * 1024)
    data_base64: str | None = Field(default=None, max_length=96 * 1024)
    code: int = 1000
    request: HttpRequest | None = None
