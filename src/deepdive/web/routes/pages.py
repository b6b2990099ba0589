"""The course page and the lesson pages.

The learner's data is read in one short database session (one trip to the thread pool), then the
template renders on the event loop, so no connection is held while rendering or sending. Viewing
a page changes nothing: a lesson counts as started once the learner works in it. What is
rendered goes into the page cache, which answers repeat visits while the data is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from deepdive.course.progress import LearnerView, read_learner_view
from deepdive.web.deps import CourseDep, LearnerIdDep, LessonDep, page_context
from deepdive.web.page_cache import PageCache

router = APIRouter(include_in_schema=False)


def _read_view(request: Request, learner_id: int) -> LearnerView:
    with request.app.state.session_factory() as session:
        return read_learner_view(session, learner_id, request.app.state.course.levels)


async def _page(
    request: Request,
    learner_id: int,
    template: str,
    build: Callable[[LearnerView], dict[str, object]],
) -> HTMLResponse:
    cache: PageCache = request.app.state.page_cache
    key = cache.key(request.url.path, learner_id)
    view = await run_in_threadpool(_read_view, request, learner_id)
    body = request.app.state.templates.get_template(template).render(build(view)).encode()
    if not request.url.query:
        cache.put(key, body)
    return HTMLResponse(body)


@router.get("/", response_class=HTMLResponse)
async def course_page(
    request: Request, course: CourseDep, learner_id: LearnerIdDep
) -> HTMLResponse:
    def build(view: LearnerView) -> dict[str, object]:
        return page_context(
            course, view.progress, current=None, drafts=view.drafts, attempts=view.attempts
        )

    return await _page(request, learner_id, "course.html", build)


@router.get("/lessons/{slug}", response_class=HTMLResponse)
async def lesson_page(
    request: Request, lesson: LessonDep, course: CourseDep, learner_id: LearnerIdDep
) -> HTMLResponse:
    previous, following = course.neighbours(lesson)

    def build(view: LearnerView) -> dict[str, object]:
        return page_context(
            course,
            view.progress,
            current=lesson,
            lesson=lesson,
            previous=previous,
            following=following,
            drafts=view.drafts,
            attempts=view.attempts,
        )

    return await _page(request, learner_id, "lesson.html", build)
