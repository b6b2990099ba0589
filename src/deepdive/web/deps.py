"""Dependencies shared by the routes, as Annotated aliases so signatures read like sentences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from deepdive.course.models import Course, Lesson
from deepdive.course.progress import (
    LearnerView,
    Progress,
    local_learner,
    read_learner_view,
)
from deepdive.settings import Settings

# Dependencies that do no blocking I/O are `async def`: FastAPI then calls them on the event
# loop instead of hopping to the thread pool for each one, which matters on every page view.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_course(request: Request) -> Course:
    return request.app.state.course


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
CourseDep = Annotated[Course, Depends(get_course)]
SessionDep = Annotated[Session, Depends(get_session)]


def _local_learner_id(request: Request) -> int:
    with request.app.state.session_factory() as session:
        return local_learner(session).id


async def get_learner_id(request: Request) -> int:
    """The learner making the request. Local mode has exactly one, looked up once."""
    learner_id = getattr(request.app.state, "local_learner_id", None)
    if learner_id is None:
        learner_id = await run_in_threadpool(_local_learner_id, request)
        request.app.state.local_learner_id = learner_id
    return learner_id


LearnerIdDep = Annotated[int, Depends(get_learner_id)]


def run_owner(learner_id: int) -> str:
    """Who a sandbox run is for, as the runner knows it: learners share its workers fairly."""
    return f"learner-{learner_id}"


def get_learner_view(request: Request, learner_id: LearnerIdDep) -> LearnerView:
    """Everything pages show about the learner, read in one short session.

    Pages call this once and render afterwards, so no database connection is held while a
    template renders or a response is sent.
    """
    with request.app.state.session_factory() as session:
        return read_learner_view(session, learner_id)


def get_progress(view: Annotated[LearnerView, Depends(get_learner_view)]) -> Progress:
    return view.progress


LearnerViewDep = Annotated[LearnerView, Depends(get_learner_view)]
ProgressDep = Annotated[Progress, Depends(get_progress)]


async def get_lesson(slug: str, course: CourseDep) -> Lesson:
    lesson = course.lesson(slug)
    if lesson is None:
        raise HTTPException(404, f"There is no lesson called {slug!r}.")
    return lesson


LessonDep = Annotated[Lesson, Depends(get_lesson)]
