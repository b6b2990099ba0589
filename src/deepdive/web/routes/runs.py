"""Running a learner's code: `POST /api/runs` hands it to the sandbox runner and streams progress.

The web server never executes learner code; it only talks to a runner process (see
`deepdive.sandbox`). With `Accept: application/x-ndjson` the answer is a stream of JSON lines:
`queued` (with the position), `started`, `case` (test runs: one per finished test, as it
finishes), then `result`; or `error` with a message when the runner went away.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field, ValidationError, model_validator

from deepdive.course.interactives.upload_form import MAX_UPLOAD_KIB
from deepdive.course.progress import load_draft, save_draft
from deepdive.sandbox import (
    CaseFinished,
    Finished,
    HttpRequest,
    Queued,
    RateLimitError,
    RunEvent,
    RunLostError,
    RunnerError,
    RunnerUnavailableError,
    RunQueueFullError,
    RunRefusedError,
    RunRequest,
    RunResult,
    Started,
    TooManyRunsError,
)
from deepdive.sandbox.instruments import InstrumentName
from deepdive.web.deps import NO_RUNNER, CourseDep, LearnerIdDep, SandboxDep, run_owner
from deepdive.web.errors import retry_after, size_over
from deepdive.web.routes.drafts import MAX_CODE_CHARS, WidgetRef, find_widget

router = APIRouter(tags=["runs"])

TESTS_PART = "tests"
# The most a run's uploaded files may add up to; larger ones are refused before any run.
MAX_UPLOAD_BYTES = MAX_UPLOAD_KIB * 1024


class RunIn(BaseModel):
    widget: WidgetRef
    kind: Literal["app", "test"] = Field(
        default="app", description="`app`: send the requests; `test`: run pytest on `tests`"
    )
    code: str = Field(max_length=MAX_CODE_CHARS)
    tests: str | None = Field(
        default=None, max_length=MAX_CODE_CHARS, description="Test runs: the test module"
    )
    requests: list[HttpRequest] = Field(default_factory=list, max_length=100)
    concurrent: bool = Field(
        default=False, description="Send every request at once (each one's timing is measured)"
    )
    instruments: list[InstrumentName] = Field(
        default_factory=list,
        max_length=10,
        description="What the sandbox should measure besides the responses (e.g. openapi)",
    )

    @model_validator(mode="after")
    def _a_valid_run(self) -> RunIn:
        uploads = [upload for request in self.requests for upload in request.files]
        sizes = [(upload.filename, len(upload.content())) for upload in uploads]
        if sum(size for _, size in sizes) > MAX_UPLOAD_BYTES:
            name, size = max(sizes, key=lambda pair: pair[1])
            raise ValueError(
                f"{name[:80]!r} is {size_over(size, MAX_UPLOAD_BYTES)}: the files of one run "
                f"may add up to {MAX_UPLOAD_BYTES // 1024 // 1024} MiB at most, so nothing was "
                "sent. "
                "Pick a smaller file."
            )
        try:
            self.run_request()
        except ValidationError as problem:
            raise ValueError(
                "; ".join(e["msg"].removeprefix("Value error, ") for e in problem.errors())
            ) from None
        return self

    def run_request(self) -> RunRequest:
        return RunRequest(
            kind=self.kind,
            code=self.code,
            tests=self.tests,
            requests=self.requests,
            concurrent=self.concurrent,
            instruments=self.instruments,
        )


class RunOut(BaseModel):
    result: RunResult
    attempts: int = Field(description="How many times the learner has run this widget's code")


class SolutionOut(BaseModel):
    code: str


def _record_attempt(request: Request, learner_id: int, body: RunIn) -> int:
    with request.app.state.session_factory() as session:
        if body.kind == "test" and body.tests is not None:
            save_draft(session, learner_id, f"{body.widget}:{TESTS_PART}", body.tests)
        return save_draft(session, learner_id, body.widget, body.code, attempted=True)


def _line(data: dict[str, object]) -> bytes:
    return json.dumps(data).encode() + b"\n"


async def _stream(
    events: AsyncIterator[RunEvent], first: RunEvent | Exception, attempts: int
) -> AsyncIterator[bytes]:
    async def all_events() -> AsyncIterator[RunEvent]:
        if isinstance(first, Exception):
            raise first
        yield first
        async for event in events:
            yield event

    try:
        async for event in all_events():
            if isinstance(event, Queued):
                yield _line({"event": "queued", "position": event.position})
            elif isinstance(event, Started):
                yield _line({"event": "started"})
            elif isinstance(event, CaseFinished):
                yield _line({"event": "case", "case": event.case.model_dump(mode="json")})
            elif isinstance(event, Finished):
                result = event.result.model_dump(mode="json")
                yield _line({"event": "result", "result": result, "attempts": attempts})
    except (RunRefusedError, TooManyRunsError, RunLostError) as refused:
        yield _line({"event": "error", "message": str(refused)})
    except (RunnerUnavailableError, RunnerError, OSError):
        yield _line({"event": "error", "message": NO_RUNNER})
    finally:
        await events.aclose()  # type: ignore[attr-defined]


def _queue_full(full: RunQueueFullError) -> JSONResponse:
    return JSONResponse(
        {"error": "The run queue is full", "message": str(full)},
        status_code=503,
        headers=retry_after(full),
    )


@router.post(
    "/api/runs",
    response_model=RunOut,
    responses={
        200: {"content": {"application/x-ndjson": {}}},
        422: {"description": "Invalid input, or a run the sandbox refuses"},
        429: {"description": "Too many runs in the last minute, or at the same time"},
        503: {"description": "No sandbox runner is available"},
    },
)
async def create_run(
    body: RunIn,
    request: Request,
    course: CourseDep,
    learner_id: LearnerIdDep,
    client: SandboxDep,
) -> Response:
    """Run the learner's app in the sandbox: send it the requests, or run pytest on its tests."""
    slug, _, interactive_id = body.widget.partition(":")[0].partition("/")
    find_widget(course, slug, interactive_id)
    try:
        await request.app.state.run_limiter.acquire(str(learner_id))
    except RateLimitError as limited:
        return JSONResponse(
            {"error": "Too many runs", "message": str(limited)},
            status_code=429,
            headers={"Retry-After": str(max(1, round(limited.retry_after)))},
        )
    attempts = await run_in_threadpool(_record_attempt, request, learner_id, body)
    run = body.run_request()
    owner = run_owner(learner_id)
    if "application/x-ndjson" in request.headers.get("accept", ""):
        # The first event is awaited here: a full run queue is a 503, not a broken stream.
        events = aiter(client.events(run, owner=owner))
        first: RunEvent | Exception
        try:
            first = await anext(events)
        except RunQueueFullError as full:
            return _queue_full(full)
        except (RunnerError, OSError, StopAsyncIteration) as problem:
            first = problem if not isinstance(problem, StopAsyncIteration) else RunnerError()
        stream = _stream(events, first, attempts)
        return StreamingResponse(stream, media_type="application/x-ndjson")
    try:
        result = await client.run(run, owner=owner)
    except RunQueueFullError as full:
        return _queue_full(full)
    except RunLostError as lost:
        raise HTTPException(503, str(lost)) from lost
    except TooManyRunsError as busy:
        return JSONResponse(
            {"error": "Too many runs", "message": str(busy)},
            status_code=429,
            headers=retry_after(busy),
        )
    except RunRefusedError as refused:
        return JSONResponse({"error": "Run refused", "message": str(refused)}, status_code=422)
    except (RunnerUnavailableError, RunnerError, OSError) as problem:
        raise HTTPException(503, NO_RUNNER) from problem
    return JSONResponse(RunOut(result=result, attempts=attempts).model_dump(mode="json"))


def _attempts(request: Request, learner_id: int, widget: str) -> int:
    with request.app.state.session_factory() as session:
        draft = load_draft(session, learner_id, widget)
        return draft.attempts if draft else 0


@router.get("/api/widgets/{slug}/{interactive_id}/solution", response_model=SolutionOut)
async def reveal_solution(
    slug: str, interactive_id: str, request: Request, course: CourseDep, learner_id: LearnerIdDep
) -> SolutionOut:
    """The reference solution, once the learner has run their own code at least once."""
    lesson, interactive = find_widget(course, slug, interactive_id)
    if interactive.solution is None:
        raise HTTPException(404, "This interactive has no reference solution.")
    widget = f"{slug}/{interactive_id}"
    if await run_in_threadpool(_attempts, request, learner_id, widget) < 1:
        raise HTTPException(403, "Try running your own code at least once first.")
    return SolutionOut(code=lesson.sources[interactive.solution])
