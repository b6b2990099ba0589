"""The sandbox: runs learners' FastAPI apps and pytest suites isolated, in milliseconds.

How it fits together
--------------------
A *runner* process (`deepdive runner`, or the one `deepdive serve` starts beside the web
server) imports FastAPI, Pydantic, Starlette, SQLAlchemy, httpx and pytest once, warms itself
up, and keeps a few *sandboxes* ready: forked copies of itself that have already entered new
user, PID, network, mount, IPC and UTS namespaces, pivoted into a minimal read-only root
filesystem, dropped every privilege, installed a seccomp filter and run a throwaway app (or
pytest session) so that the learner's run finds everything warm. A run hands its request to a
ready sandbox, which sets its resource limits, runs the learner's code in-process and writes a
`RunResult` back through a private channel; then it exits, taking every process inside its PID
namespace with it, and a fresh sandbox is forked in the background.

Public API
----------
Web layer (another process; the runner's URL is `Settings.runner_url`):

* `RunnerClient(url, token).run(request) -> RunResult` and `.events(request)` (yields
  `Queued(position)`, `Started()`, `Finished(result)`); `.session(request)` for session runs;
  `.ping() -> RunnerInfo`. Failures raise `RunnerUnavailableError` / `RunnerError`.
* `RateLimiter(settings.sandbox_runs_per_minute).acquire(learner_id)` raises `RateLimitError`.
* `local_runner(settings)` / `start_local_runner(settings)`: a runner beside the web server.

Models: `RunRequest` (with `HttpRequest`, `UploadedFile`, `LimitOverrides`, `SessionCommand`)
and `RunResult` (with `HttpResponse`, `CaseResult`, `ErrorInfo`, `Frame`, `IsolationReport`,
`Limits`, `Usage`). A run carries one module or a whole package (files by relative path);
`deepdive.sandbox.folders` turns a folder on disk into one, and `deepdive.sandbox.packages`
lists the third-party packages a learner's code can import.

Instruments
-----------
`deepdive.sandbox.instruments` documents the hook contract. A run asks for instruments by
name (`RunRequest(instruments=["openapi", "timeline"])`) and finds their data in
`result.instrumentation[name]`; a new instrument is a new module in that package.

Trust boundary
--------------
The learner's code runs in the same process as the code that reports on it, so it can, with
effort, falsify *its own* result; it cannot reach the runner, other runs, the platform's files,
the network or the machine. Printing, forking or closing descriptors never corrupts a result.
"""

from deepdive.sandbox.client import (
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    Session,
)
from deepdive.sandbox.events import Finished, Queued, RunEvent, RunnerInfo, SessionEvent, Started
from deepdive.sandbox.local import LocalRunner, RunnerStartError, local_runner, start_local_runner
from deepdive.sandbox.ratelimit import RateLimiter, RateLimitError
from deepdive.sandbox.run_request import (
    HttpRequest,
    LimitOverrides,
    RunRequest,
    SessionCommand,
    UploadedFile,
)
from deepdive.sandbox.run_result import (
    CaseResult,
    ErrorInfo,
    Frame,
    HttpResponse,
    IsolationReport,
    Limits,
    RunResult,
    Usage,
)

__all__ = [
    "CaseResult",
    "ErrorInfo",
    "Finished",
    "Frame",
    "HttpRequest",
    "HttpResponse",
    "IsolationReport",
    "LimitOverrides",
    "Limits",
    "LocalRunner",
    "Queued",
    "RateLimitError",
    "RateLimiter",
    "RunEvent",
    "RunRequest",
    "RunResult",
    "RunnerClient",
    "RunnerError",
    "RunnerInfo",
    "RunnerStartError",
    "RunnerUnavailableError",
    "Session",
    "SessionCommand",
    "SessionEvent",
    "Started",
    "UploadedFile",
    "Usage",
    "local_runner",
    "start_local_runner",
]
