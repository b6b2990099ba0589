"""Checking a task: the learner's current code is judged by the task's check in the sandbox.

The check runs in a sandbox of its own and talks to the learner's app over HTTP only (a graded
run), so the verdict, and the XP it grants once, cannot be forged by the learner's code. The page
posts its task form with htmx (the widget's script adds the editor's code) and gets the task back
as HTML, with the XP badge and the table of contents swapped out of band; API clients get JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from deepdive.course.grading import (
    TaskVerdict,
    judge_task_runs,
    reference_code,
    reference_tests,
    task_runs,
)
from deepdive.course.interactives import InteractiveBase
from deepdive.course.interactives.tasks import Task
from deepdive.course.models import Lesson
from deepdive.course.progress import (
    Progress,
    award_xp,
    mark_started,
    read_attempts,
    read_progress,
    record_attempt,
)
from deepdive.sandbox import (
    RateLimitError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    RunRequest,
    RunResult,
    TooManyRunsError,
)
from deepdive.web.deps import NO_RUNNER, CourseDep, LearnerIdDep, LessonDep, page_context, run_owner
from deepdive.web.errors import retry_after
from deepdive.web.routes.drafts import MAX_CODE_CHARS

router = APIRouter()

_RUNNER_FAILED = (
    "The sandbox runner did not answer, so your code could not be checked. Nothing was "
    "recorded; try again in a moment."
)


class TaskCheckIn(BaseModel):
    code: str = Field(max_length=MAX_CODE_CHARS, description="The learner's current code")
    tests: str | None = Field(
        default=None,
        max_length=MAX_CODE_CHARS,
        description="The learner's test file, for a task that also judges their tests",
    )


class CheckLineOut(BaseModel):
    name: str
    passed: bool
    message: str


class TaskCheckOut(BaseModel):
    passed: bool
    message: str
    checks: list[CheckLineOut]
    xp_awarded: int = Field(description="XP granted by this check: 0 if not passed or earned")
    total_xp: int
    attempts: int


class TaskSolutionOut(BaseModel):
    code: str
    tests: str | None = Field(default=None, description="The solution's tests, if the task has")


class TaskCheckError(Exception):
    """The check could not run; `status_code` and the message are for the learner."""

    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.headers = headers or {}


@dataclass(frozen=True)
class _Checked:
    verdict: TaskVerdict
    xp_awarded: int
    attempts: int
    progress: Progress


def _find(lesson: Lesson, interactive_id: str, task_id: str) -> tuple[InteractiveBase, Task]:
    interactive = lesson.interactive(interactive_id)
    task = interactive.task(task_id) if interactive else None
    if interactive is None or task is None:
        raise HTTPException(404, f"There is no task {task_id!r} in {lesson.slug}/{interactive_id}.")
    return interactive, task


def _settle(
    request: Request,
    learner_id: int,
    lesson: Lesson,
    key: str,
    xp: int,
    verdict: TaskVerdict,
) -> tuple[int, bool, Progress]:
    with request.app.state.session_factory() as session:
        mark_started(session, learner_id, lesson.slug, commit=False)
        granted = award_xp(session, learner_id, key, xp) if verdict.passed else False
        attempts = record_attempt(
            session, learner_id, key, solved=verdict.passed, failure=verdict.first_failure
        )
        return (
            attempts,
            granted,
            read_progress(session, learner_id, request.app.state.course.levels),
        )


async def run_graded(request: Request, learner_id: int, run: RunRequest) -> RunResult:
    """A graded run for the learner, or a `TaskCheckError` saying why it could not run."""
    client: RunnerClient | None = request.app.state.sandbox
    if client is None:
        raise TaskCheckError(503, NO_RUNNER)
    try:
        await request.app.state.run_limiter.acquire(str(learner_id))
        return await client.run(run, owner=run_owner(learner_id))
    except (RateLimitError, TooManyRunsError) as busy:
        raise TaskCheckError(429, str(busy), retry_after(busy)) from busy
    except (RunnerUnavailableError, RunnerError, OSError) as problem:
        raise TaskCheckError(503, _RUNNER_FAILED) from problem


async def _check(
    request: Request,
    learner_id: int,
    lesson: Lesson,
    interactive: InteractiveBase,
    task: Task,
    code: str,
    tests: str | None = None,
) -> _Checked:
    # One after the other: a learner has one run going at a time.
    runs = task_runs(lesson, interactive, task, code, tests)
    results = [await run_graded(request, learner_id, run) for run in runs]
    verdict = judge_task_runs(task, results)
    key = lesson.task_key(interactive, task)
    attempts, granted, progress = await run_in_threadpool(
        _settle, request, learner_id, lesson, key, task.xp, verdict
    )
    return _Checked(verdict, task.xp if granted else 0, attempts, progress)


def _read(request: Request, learner_id: int) -> tuple[Progress, dict[str, int]]:
    with request.app.state.session_factory() as session:
        return read_progress(session, learner_id, request.app.state.course.levels), read_attempts(
            session, learner_id
        )


@router.post(
    "/lessons/{slug}/tasks/{interactive_id}/{task_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def check_from_page(
    request: Request,
    interactive_id: str,
    task_id: str,
    lesson: LessonDep,
    course: CourseDep,
    learner_id: LearnerIdDep,
    code: Annotated[str, Form(max_length=MAX_CODE_CHARS)] = "",
    tests: Annotated[str | None, Form(max_length=MAX_CODE_CHARS)] = None,
) -> Response:
    interactive, task = _find(lesson, interactive_id, task_id)
    status_code, checked, error, headers = 200, None, None, {}
    try:
        checked = await _check(request, learner_id, lesson, interactive, task, code, tests)
    except TaskCheckError as problem:
        status_code, error, headers = problem.status_code, str(problem), problem.headers
    progress, attempts = await run_in_threadpool(_read, request, learner_id)
    on_lesson_page = "/lessons/" in request.headers.get("hx-current-url", "/lessons/")
    context = page_context(
        course,
        progress,
        current=lesson if on_lesson_page else None,
        lesson=lesson,
        interactive=interactive,
        task=task,
        attempts=attempts,
        checked=checked,
        error=error,
        oob=True,
    )
    return request.app.state.templates.TemplateResponse(
        request, "partials/task_answer.html", context, status_code=status_code, headers=headers
    )


@router.post(
    "/api/lessons/{slug}/tasks/{interactive_id}/{task_id}",
    response_model=TaskCheckOut,
    tags=["tasks"],
    responses={429: {"description": "Too many runs"}, 503: {"description": "No run possible"}},
)
async def check_from_api(
    request: Request,
    interactive_id: str,
    task_id: str,
    body: TaskCheckIn,
    lesson: LessonDep,
    learner_id: LearnerIdDep,
) -> Response:
    """Check the learner's code against the task in the sandbox; XP once when it passes."""
    interactive, task = _find(lesson, interactive_id, task_id)
    try:
        checked = await _check(
            request, learner_id, lesson, interactive, task, body.code, body.tests
        )
    except TaskCheckError as problem:
        return JSONResponse(
            {"error": "Not checked", "message": str(problem)},
            status_code=problem.status_code,
            headers=problem.headers,
        )
    out = TaskCheckOut(
        passed=checked.verdict.passed,
        message=checked.verdict.message,
        checks=[CheckLineOut(**vars(line)) for line in checked.verdict.checks],
        xp_awarded=checked.xp_awarded,
        total_xp=checked.progress.xp,
        attempts=checked.attempts,
    )
    return JSONResponse(out.model_dump())


@router.get(
    "/api/lessons/{slug}/tasks/{interactive_id}/{task_id}/solution",
    response_model=TaskSolutionOut,
    tags=["tasks"],
)
async def task_solution(
    request: Request, interactive_id: str, task_id: str, lesson: LessonDep, learner_id: LearnerIdDep
) -> TaskSolutionOut:
    """The task's reference solution, once the learner has checked their own code once."""
    interactive, task = _find(lesson, interactive_id, task_id)
    _, attempts = await run_in_threadpool(_read, request, learner_id)
    if attempts.get(lesson.task_key(interactive, task), 0) < 1:
        raise HTTPException(403, "Check your own code at least once first.")
    return TaskSolutionOut(
        code=reference_code(lesson, interactive, task), tests=reference_tests(lesson, task)
    )
