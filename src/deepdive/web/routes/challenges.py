"""Answering challenges: the answer is checked by a real run in the sandbox, XP granted once.

The page posts its form with htmx and gets the challenge back as HTML, with the table of contents
and the XP badge swapped out of band; API clients get JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from deepdive.course.challenges import (
    ChallengeAnswerError,
    ChallengeRunError,
    ChallengeVerdict,
    check_run,
    judge,
    parse_answer,
)
from deepdive.course.models import Challenge, Lesson, challenge_award_key
from deepdive.course.progress import (
    Progress,
    award_xp,
    mark_started,
    read_progress,
    record_attempt,
)
from deepdive.sandbox import (
    RateLimitError,
    RunnerClient,
    RunnerError,
    RunnerUnavailableError,
    TooManyRunsError,
)
from deepdive.web.deps import CourseDep, LearnerIdDep, LessonDep, page_context, run_owner
from deepdive.web.errors import retry_after

router = APIRouter()

_NO_RUNNER = (
    "Your answer cannot be checked right now: the sandbox runner is not available. Try again "
    "in a few seconds (a runner that stopped is started again); if it goes on, restart the "
    "course with `make run` (or `deepdive serve`)."
)
_RUNNER_FAILED = (
    "The sandbox runner did not answer, so your answer could not be checked. Nothing was "
    "recorded; try again in a moment."
)


class ChallengeAnswerIn(BaseModel):
    answer: int = Field(ge=0, le=1000, description="The learner's answer")


class ChallengeAnswerOut(BaseModel):
    correct: bool
    xp_awarded: int = Field(description="XP granted by this answer: 0 if wrong or already earned")
    total_xp: int
    level: int
    level_name: str
    measured: int | None = Field(description="What the run counted (only once answered right)")
    explanation: str | None
    trace: dict[str, Any] | None = Field(
        description="The `resolution` instrument's record of the checked request (once right)"
    )


@dataclass(frozen=True)
class _Checked:
    verdict: ChallengeVerdict
    xp_awarded: int
    progress: Progress


def _challenge(lesson: Lesson, challenge_id: str) -> Challenge:
    challenge = lesson.challenge(challenge_id)
    if challenge is None:
        raise HTTPException(404, f"Lesson {lesson.slug!r} has no challenge {challenge_id!r}.")
    return challenge


def _settle(
    request: Request,
    learner_id: int,
    lesson: Lesson,
    challenge: Challenge,
    answer: int,
    right: bool,
) -> tuple[bool, Progress]:
    """Mark the lesson started (the learner answered), count the try, grant the XP if right."""
    key = challenge_award_key(lesson.slug, challenge.id)
    with request.app.state.session_factory() as session:
        mark_started(session, learner_id, lesson.slug, commit=False)
        failure = None if right else f"Answered {answer}"
        record_attempt(session, learner_id, key, solved=right, failure=failure)
        granted = award_xp(session, learner_id, key, challenge.xp) if right else False
        return granted, read_progress(session, learner_id, request.app.state.course.levels)


async def _check(
    request: Request, learner_id: int, lesson: Lesson, challenge: Challenge, answer: int
) -> _Checked:
    """Run the challenge's app, compare, and grant the XP if right. Raises ChallengeRunError."""
    client: RunnerClient | None = request.app.state.sandbox
    if client is None:
        raise ChallengeRunError(_NO_RUNNER)
    await request.app.state.run_limiter.acquire(str(learner_id))
    try:
        result = await client.run(check_run(lesson, challenge), owner=run_owner(learner_id))
    except TooManyRunsError:
        raise
    except (RunnerUnavailableError, RunnerError, OSError) as problem:
        raise ChallengeRunError(_RUNNER_FAILED) from problem
    verdict = judge(challenge, answer, result)
    granted, progress = await run_in_threadpool(
        _settle, request, learner_id, lesson, challenge, answer, verdict.correct
    )
    return _Checked(verdict, challenge.xp if granted else 0, progress)


def _read(request: Request, learner_id: int) -> Progress:
    with request.app.state.session_factory() as session:
        return read_progress(session, learner_id, request.app.state.course.levels)


@router.post(
    "/lessons/{slug}/challenges/{challenge_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
async def answer_from_page(
    request: Request,
    challenge_id: str,
    lesson: LessonDep,
    course: CourseDep,
    learner_id: LearnerIdDep,
    answer: Annotated[str, Form()] = "",
) -> HTMLResponse:
    challenge = _challenge(lesson, challenge_id)
    status_code, checked, error, headers = 200, None, None, {}
    try:
        checked = await _check(request, learner_id, lesson, challenge, parse_answer(answer))
    except ChallengeAnswerError as problem:
        status_code, error = 422, str(problem)
    except (RateLimitError, TooManyRunsError) as problem:
        status_code, error, headers = 429, str(problem), retry_after(problem)
    except ChallengeRunError as problem:
        status_code, error = 503, str(problem)
    progress = checked.progress if checked else await run_in_threadpool(_read, request, learner_id)
    # The course page shows challenges too; its contents must not mark a lesson as current.
    on_lesson_page = "/lessons/" in request.headers.get("hx-current-url", "/lessons/")
    context = page_context(
        course,
        progress,
        current=lesson if on_lesson_page else None,
        lesson=lesson,
        challenge=challenge,
        answer=answer,
        checked=checked,
        error=error,
        oob=True,
    )
    return request.app.state.templates.TemplateResponse(
        request,
        "partials/challenge_answer.html",
        context,
        status_code=status_code,
        headers=headers,
    )


@router.post(
    "/api/lessons/{slug}/challenges/{challenge_id}",
    response_model=ChallengeAnswerOut,
    tags=["challenges"],
    responses={429: {"description": "Too many runs"}, 503: {"description": "No run possible"}},
)
async def answer_from_api(
    request: Request,
    challenge_id: str,
    body: ChallengeAnswerIn,
    lesson: LessonDep,
    learner_id: LearnerIdDep,
) -> ChallengeAnswerOut:
    """Check an answer by running the challenge's app in the sandbox."""
    challenge = _challenge(lesson, challenge_id)
    try:
        checked = await _check(request, learner_id, lesson, challenge, body.answer)
    except (RateLimitError, TooManyRunsError) as problem:
        raise HTTPException(429, str(problem), headers=retry_after(problem)) from problem
    except ChallengeRunError as problem:
        raise HTTPException(503, str(problem)) from problem
    verdict, progress = checked.verdict, checked.progress
    return ChallengeAnswerOut(
        correct=verdict.correct,
        xp_awarded=checked.xp_awarded,
        total_xp=progress.xp,
        level=progress.level.level.number,
        level_name=progress.level.level.name,
        measured=verdict.measured if verdict.correct else None,
        explanation=challenge.explanation if verdict.correct else None,
        trace=verdict.trace if verdict.correct else None,
    )
