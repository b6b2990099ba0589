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

RunKind = Literal["app", "test", "session"]

_MODULE_FILE = r"^[A-Za-z_][A-Za-z0-9_]{0,63}\.py$"
_MAX_SOURCE = 512 * 1024
_TEN_YEARS = 10 * 366 * 24 * 3600
CaptureName = Annotated[str, StringConstraints(pattern=chaining.CAPTURE_NAME)]
CaptureSource = Annotated[str, StringConstraints(pattern=chaining.CAPTURE_SOURCE, max_length=200)]


class UploadedFile(BaseModel):
    """A file sent as part of a multipart form (`content_base64` holds its bytes)."""

    model_config = ConfigDict(extra="forbid")

    field: str = "file"
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = "application/octet-stream"
    content_base64: str = ""

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
    form: dict[str, str] | None = None
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
    * `kind="test"`: import the app, then run pytest on `tests` (saved as `tests_filename`).
    * `kind="session"`: import the app and keep it alive for WebSocket-style interaction
      (see `deepdive.sandbox.client.Session`).

    `files` holds further modules the app may import (file name -> source).
    `instruments` names instruments from `deepdive.sandbox.instruments` (e.g. "openapi").
    """

    model_config = ConfigDict(extra="forbid")

    kind: RunKind = "app"
    code: str = Field(max_length=_MAX_SOURCE)
    filename: str = Field(default="app.py", pattern=_MODULE_FILE)
    app_name: str = Field(default="app", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    files: dict[str, str] = Field(default_factory=dict, max_length=20)
    requests: list[HttpRequest] = Field(default_factory=list, max_length=100)
    concurrent: bool = False
    tests: str | None = Field(default=None, max_length=_MAX_SOURCE)
    tests_filename: str = Field(default="test_app.py", pattern=r"^test_[A-Za-z0-9_]{0,58}\.py$")
    instruments: list[str] = Field(default_factory=list, max_length=20)
    limits: LimitOverrides = Field(default_factory=LimitOverrides)

    @field_validator("files")
    @classmethod
    def _module_names(cls, files: dict[str, str]) -> dict[str, str]:
        for name, source in files.items():
            if not re.match(_MODULE_FILE, name):
                raise ValueError(f"{name!r} is not a module file name like 'models.py'")
            if len(source) > _MAX_SOURCE:
                raise ValueError(f"{name} is larger than {_MAX_SOURCE // 1024} KiB")
        return files

    @model_validator(mode="after")
    def _consistent(self) -> RunRequest:
        if self.kind == "test" and self.tests is None:
            raise ValueError("a test run needs `tests`")
        problems = chaining.check(
            [request.model_dump() for request in self.requests], concurrent=self.concurrent
        )
        if problems:
            raise ValueError("; ".join(problems))
        names = [self.filename, *self.files]
        if self.kind == "test":
            names.append(self.tests_filename)
        if len(set(names)) != len(names):
            raise ValueError("every file needs its own name")
        return self


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
