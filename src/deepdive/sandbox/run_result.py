"""What a run produced: the `RunResult` model and its parts. Everything is JSON-serialisable."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from deepdive.sandbox.run_request import HttpRequest, LimitOverrides, RunKind

Outcome = Literal[
    "ok",
    "syntax_error",
    "import_error",
    "runtime_error",
    "timeout",
    "memory_limit",
    "output_limit",
    "crashed",
]
CaseOutcome = Literal["passed", "failed", "error", "skipped", "xfailed", "xpassed"]


class Frame(BaseModel):
    """One line of a traceback that lies in the learner's own files."""

    file: str
    line: int
    function: str
    code: str = ""


class ErrorInfo(BaseModel):
    """An exception, reduced to what a learner needs: where in *their* code, and what."""

    type: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    frames: list[Frame] = Field(default_factory=list)
    traceback: str = ""


class HttpResponse(BaseModel):
    """The learner app's answer to one request."""

    method: str
    path: str
    status: int
    reason: str = ""
    headers: list[tuple[str, str]] = Field(default_factory=list)
    headers_truncated: bool = Field(
        default=False, description="The headers were larger than 64 KiB; the first ones are kept"
    )
    body: str = ""
    json_body: Any = None
    is_json: bool = False
    is_binary: bool = False
    size_bytes: int = 0
    truncated: bool = False
    unfinished: bool = Field(
        default=False,
        description="The app was still sending the body after 8 MiB (size_bytes) had been "
        "read: the sandbox stopped reading it there and stopped the app's stream",
    )
    elapsed_ms: float = 0.0
    error: ErrorInfo | None = None
    skipped: str | None = Field(
        default=None,
        description="Why this request was not sent (a value it needed was missing); status is 0",
    )
    sent_request: HttpRequest | None = Field(
        default=None,
        description="The request as sent, when it used values from earlier responses",
    )


class CaseResult(BaseModel):
    """One pytest test, in the order tests ran."""

    name: str
    nodeid: str
    outcome: CaseOutcome
    duration_ms: float = 0.0
    message: str = ""
    details: str = ""
    file: str | None = None
    line: int | None = None
    output: str = ""


class IsolationReport(BaseModel):
    """Which isolation features protected this run; `warning` is meant to be shown as is."""

    full: bool
    active: list[str] = Field(default_factory=list)
    missing: dict[str, str] = Field(default_factory=dict)
    warning: str | None = None


class Limits(BaseModel):
    """The limits a run had. `memory_mib` is address space the learner's code may use on top of
    the runtime already loaded (Python, FastAPI, pytest); `processes` counts threads too."""

    cpu_seconds: float
    wall_seconds: float
    memory_mib: int
    processes: int
    file_mib: int
    output_kib: int
    open_files: int

    def tightened_by(self, overrides: LimitOverrides) -> Limits:
        """These limits, lowered (never raised) where a request asks for less."""
        update: dict[str, Any] = {}
        for name in ("cpu_seconds", "wall_seconds", "memory_mib", "output_kib"):
            value = getattr(overrides, name)
            if value is not None and value < getattr(self, name):
                update[name] = value
        return self.model_copy(update=update) if update else self


class Usage(BaseModel):
    """What a run used, measured by the runner."""

    wall_ms: float = 0.0
    cpu_ms: float = 0.0
    max_memory_mib: float = 0.0
    queue_ms: float = 0.0


class RunResult(BaseModel):
    """Everything a run produced. `message` is one readable sentence for the learner."""

    run_id: str
    kind: RunKind
    outcome: Outcome
    message: str
    error: ErrorInfo | None = None
    responses: list[HttpResponse] = Field(default_factory=list)
    tests: list[CaseResult] = Field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    instrumentation: dict[str, Any] = Field(default_factory=dict)
    isolation: IsolationReport
    limits: Limits
    usage: Usage = Field(default_factory=Usage)
