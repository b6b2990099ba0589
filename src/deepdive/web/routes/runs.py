"""Running a learner's code: `POST /api/runs` hands it to the sandbox runner and streams progress.

The web server never executes learner code; it only talks to a runner process (see
`deepdive.sandbox`). With `Accept: application/x-ndjson` the answer is a stream of JSON lines —
`queued` (with the position), `started`, then `result` — so the page can say what is happening.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from deepdive.course.progress import load_draft, save_draft
from deepdive.sandbox import (
    Finished,
    HttpRequest,
    Queued,
    RateLimitError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    RunRefusedError,
    RunRequest,
    RunResult,
    Started,
    TooManyRunsError,
)
from deepdive.sandbox.instruments import InstrumentName
from deepdive.web.deps import CourseDep, LearnerIdDep, run_owner
from deepdive.web.errors import retry_after
from deepdive.web.routes.drafts import MAX_CODE_CHARS, find_widget

router = APIRouter(tags=["runs"])

_NO_RUNNER = (
    "Code cannot run right now: the sandbox runner is not available. "
    "Restart the course with `make run` (or `deepdive serve`), then try again."
)


class RunIn(BaseModel):
    widget: str = Field(
        pattern=r"^[a-z0-9-]+/[a-z0-9-]+(:[a-z0-9-]{1,40})?$",
        description="lesson-slug/interactive-id, then `:part` for a widget's second editor",
    )
    code: str = Field(max_length=MAX_CODE_CHARS)
    requests: list[HttpRequest] = Field(default_factory=list, max_length=20)
    instruments: list[InstrumentName] = Field(
        default_factory=list,
        max_length=10,
        description="What the sandbox should measure besides the responses (e.g. openapi)",
    )


class RunOut(BaseModel):
    result: RunResult
    attempts: int = Field(description="How many times the learner has run this widget's code")


class SolutionOut(BaseModel):
    code: str


def get_sandbox(request: Request) -> RunnerClient:
    client: RunnerClient | None = request.app.state.sandbox
    if client is None:
        raise HTTPException(503, _NO_RUNNER)
    return client


SandboxDep = Annotated[RunnerClient, Depends(get_sandbox)]


def _record_attempt(request: Request, learner_id: int, widget: str, code: str) -> int:
    with request.app.state.session_factory() as session:
        return save_draft(session, learner_id, widget, code, attempted=True)


def _run_request(body: RunIn) -> RunRequest:
    return RunRequest(
        kind="app", code=body.code, requests=body.requests, instruments=body.instruments
    )


def _line(data: dict[str, object]) -> bytes:
    return json.dumps(data).encode() + b"\n"


async def _stream(
    client: RunnerClient, run: RunRequest, attempts: int, owner: str
) -> AsyncIterator[bytes]:
    try:
        async for event in client.events(run, owner=owner):
            if isinstance(event, Queued):
                yield _line({"event": "queued", "position": event.position})
            elif isinstance(event, Started):
                yield _line({"event": "started"})
            elif isinstance(event, Finished):
                result = event.result.model_dump(mode="json")
                yield _line({"event": "result", "result": result, "attempts": attempts})
    except (RunRefusedError, TooManyRunsError) as refused:
        yield _line({"event": "error", "message": str(refused)})
    except (RunnerUnavailableError, RunnerError, OSError):
        yield _line({"event": "error", "message": _NO_RUNNER})


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
    """Run the learner's app in the sandbox and send it the given requests."""
    slug, _, interactive_id = body.widget.partition(":")[0].partition("/")
    find_widget(course, slug, interactive_id)
    try:
        request.app.state.run_limiter.acquire(str(learner_id))
    except RateLimitError as limited:
        return JSONResponse(
            {"error": "Too many runs", "message": str(limited)},
            status_code=429,
            headers={"Retry-After": str(max(1, round(limited.retry_after)))},
        )
    attempts = await run_in_threadpool(_record_attempt, request, learner_id, body.widget, body.code)
    run = _run_request(body)
    owner = run_owner(learner_id)
    if "application/x-ndjson" in request.headers.get("accept", ""):
        stream = _stream(client, run, attempts, owner)
        return StreamingResponse(stream, media_type="application/x-ndjson")
    try:
        result = await client.run(run, owner=owner)
    except TooManyRunsError as busy:
        return JSONResponse(
            {"error": "Too many runs", "message": str(busy)},
            status_code=429,
            headers=retry_after(busy),
        )
    except RunRefusedError as refused:
        return JSONResponse({"error": "Run refused", "message": str(refused)}, status_code=422)
    except (RunnerUnavailableError, RunnerError, OSError) as problem:
        raise HTTPException(503, _NO_RUNNER) from problem
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
