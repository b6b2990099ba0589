"""Dependencies shared by the routes, as Annotated aliases so signatures read like sentences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from deepdive.accounts.sessions import Account, current_account
from deepdive.course.models import Course, Lesson
from deepdive.course.progress import (
    LearnerView,
    LessonState,
    Progress,
    local_learner,
    read_learner_view,
)
from deepdive.sandbox import RunnerClient
from deepdive.settings import Settings

# Dependencies that do no blocking I/O are `async def`: FastAPI then calls them on the event
# loop instead of hopping to the thread pool for each one, which matters on every page view.


async def get_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


async def get_course(connection: HTTPConnection) -> Course:
    return connection.app.state.course


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
CourseDep = Annotated[Course, Depends(get_course)]
# Closed as soon as the route returns (not after the response is sent): a slow client or a busy
# event loop never keeps a pooled connection checked out, idle in its transaction.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _local_learner_id(connection: HTTPConnection) -> int:
    with connection.app.state.session_factory() as session:
        return local_learner(session).id


async def learner_id_of(connection: HTTPConnection) -> int:
    """The learner behind a request or WebSocket. Local mode has exactly one, looked up once;
    hosted mode's is the logged-in account (`LoginRequiredError` without one)."""
    state = connection.app.state
    if state.settings.mode == "hosted":
        return (await current_account(connection)).id
    learner_id = getattr(state, "local_learner_id", None)
    if learner_id is None:
        learner_id = await run_in_threadpool(_local_learner_id, connection)
        state.local_learner_id = learner_id
    return learner_id


LearnerIdDep = Annotated[int, Depends(learner_id_of)]
AccountDep = Annotated[Account, Depends(current_account)]


async def get_staff(account: AccountDep) -> Account:
    """The logged-in instructor or admin; 403 for anyone else."""
    if not account.is_staff:
        raise HTTPException(403, "This page is for the course's instructors and admins.")
    return account


async def get_admin(account: AccountDep) -> Account:
    """The logged-in admin; 403 for anyone else."""
    if not account.is_admin:
        raise HTTPException(403, "This page is for the course's admins.")
    return account


StaffDep = Annotated[Account, Depends(get_staff)]
AdminDep = Annotated[Account, Depends(get_admin)]


def run_owner(learner_id: int) -> str:
    """Who a sandbox run is for, as the runner knows it: learners share its workers fairly."""
    return f"learner-{learner_id}"


def get_learner_view(request: Request, learner_id: LearnerIdDep) -> LearnerView:
    """Everything pages show about the learner, read in one short session.

    Pages call this once and render afterwards, so no database connection is held while a
    template renders or a response is sent.
    """
    with request.app.state.session_factory() as session:
        return read_learner_view(session, learner_id, request.app.state.course.levels)


def get_progress(view: Annotated[LearnerView, Depends(get_learner_view)]) -> Progress:
    return view.progress


ProgressDep = Annotated[Progress, Depends(get_progress)]

NO_RUNNER = (
    "Code cannot run right now: the sandbox runner is not available. Try again in a few "
    "seconds (a runner that stopped is started again); if it goes on, restart the course with "
    "`make run` (or `deepdive serve`)."
)


async def get_sandbox(request: Request) -> RunnerClient:
    """The client of the sandbox runner; 503 when this server has none."""
    client: RunnerClient | None = request.app.state.sandbox
    if client is None:
        raise HTTPException(503, NO_RUNNER)
    return client


SandboxDep = Annotated[RunnerClient, Depends(get_sandbox)]


def page_context(course: Course, progress: Progress, **extra: object) -> dict[str, object]:
    """What every page with the table of contents needs (templates get it whole)."""
    done = [lesson.slug for lesson in course.lessons if progress.state(lesson) is LessonState.DONE]
    return {
        "course": course,
        "progress": progress,
        "done_count": len(done),
        "done_slugs": done,
        **extra,
    }


async def get_lesson(slug: str, course: CourseDep) -> Lesson:
    lesson = course.lesson(slug)
    if lesson is None:
        raise HTTPException(404, f"There is no lesson called {slug!r}.")
    return lesson


LessonDep = Annotated[Lesson, Depends(get_lesson)]
