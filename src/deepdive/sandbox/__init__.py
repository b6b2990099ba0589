"""The sandbox: runs learners' FastAPI apps and pytest suites isolated, in milliseconds.

How it fits together
--------------------
A *runner* process (`deepdive runner`, or the one `deepdive serve` starts beside the web
server) imports FastAPI, Pydantic, Starlette, SQLAlchemy, httpx and pytest once, warms itself
up, and keeps a few *sandboxes* ready: forked copies of itself that have already joined a memory
and pids cgroup of their own, entered new user, PID, network, mount, IPC and UTS namespaces,
pivoted into a minimal read-only root filesystem, dropped every privilege, tied their life to the
runner's (a parent-death signal), installed a seccomp filter and run a throwaway app (or pytest
session) so that the learner's run finds everything warm. A run hands its request to a ready
sandbox, which sets its resource limits, runs the learner's code in-process and writes a
`RunResult` back through a private channel; then it exits, taking every process inside its PID
namespace with it, and a fresh sandbox is forked in the background. Runs wait in a line that
serves learners in turn (`waiting`).

Where each module runs
----------------------
Three kinds of process use this package, and each module belongs to one (or is plain data):

* **The web server** (and `deepdive sandbox run --runner`): `client` (talking to a runner),
  `streams` (hosted mode: runs dispatched through Redis Streams to runners on any machine),
  `ratelimit`, `local` (starting a runner beside the server), and the data models.
* **The runner** (`deepdive runner`): `server` (its socket), or `stream_runner` (taking runs
  from Redis, `deepdive runner --redis URL`), `engine` (the pool of warm
  sandboxes and the waiting line, `waiting`), `process` (one sandbox seen from outside),
  `config`, `isolation/` (namespaces, seccomp, limits, the root filesystem, set up while
  forking), `preload` and `secrets_scrub`. It also checks every instrument's data against its
  model (`instruments.checked`), since that data comes from the sandbox.
* **The sandbox child** (forked by the runner, isolated): `worker/` (its PID 1, running the
  learner's app, tests or session in-process) and the instruments' hooks in `instruments/`.
* **Plain data, used everywhere**: `run_request`, `run_result`, `events`, `protocol`,
  `channel`, `chaining` (values passed between the requests of a run) and `messages` (the
  sentences a learner reads).

The web server never imports `engine`, `process` or `isolation`; of `worker/` it only sees
`worker.asgi`, the small module of ASGI types the instruments are written against (it knows
instruments by name, to refuse unknown ones, and their result models).

Public API
----------
Web layer (another process; the runner's URL is `Settings.runner_url`):

* `RunnerClient(url, token).run(request, owner=...) -> RunResult` and `.events(request)` (yields
  `Queued(position)`, `Started()`, for test runs `CaseFinished(case)` per finished test, then
  `Finished(result)`); `.session(request)` for session runs; `.ping() -> RunnerInfo`. `owner`
  names the learner a run is for: learners share the workers fairly, and one with too many runs
  going gets `TooManyRunsError`. A request the runner will never accept raises
  `RunRefusedError`; other failures `RunnerUnavailableError` / `RunnerError`.
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
the network or the machine. Printing, forking or closing descriptors never corrupts a result, and
processes it forks cannot write it. The runner validates everything a sandbox sends (`control`):
a malformed message or a flood ends the run, and nothing a sandbox says reaches the runner's log
unbounded.
"""

from deepdive.sandbox import chaining, instruments
from deepdive.sandbox.client import (
    RunLostError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    RunQueueFullError,
    RunRefusedError,
    Session,
    TooManyRunsError,
)
from deepdive.sandbox.events import (
    CaseFinished,
    Finished,
    Queued,
    RunEvent,
    RunnerInfo,
    SessionEvent,
    Started,
)
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
    "CaseFinished",
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
    "RunLostError",
    "RunQueueFullError",
    "RunRefusedError",
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
    "TooManyRunsError",
    "UploadedFile",
    "Usage",
    "chaining",
    "instruments",
    "local_runner",
    "start_local_runner",
]
