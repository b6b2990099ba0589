"""'What are you building?': the recommendation for a lesson's questionnaire.

The form on the lesson page is a plain GET form: without JavaScript the browser loads the full
page this route renders (the form again, answered, and the recommendation below it); with htmx
the same URL answers with the recommendation alone, swapped in under the form. Answers that are
missing or name no option are a 422 that says which and what to choose.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse

from deepdive.course.models import Lesson
from deepdive.course.recommender import AnswerError, Questionnaire, Recommendation
from deepdive.web.deps import CourseDep, LearnerIdDep, LessonDep, page_context
from deepdive.web.routes.pages import _read_view

router = APIRouter(tags=["recommender"])


def _questionnaire(lesson: Lesson) -> Questionnaire:
    if lesson.recommender is None:
        raise HTTPException(404, f"The lesson {lesson.slug!r} has no recommender.")
    return lesson.recommender


def _recommend(lesson: Lesson, request: Request) -> tuple[dict[str, str], Recommendation]:
    questionnaire = _questionnaire(lesson)
    answers = dict(request.query_params)
    try:
        return answers, questionnaire.recommend(answers)
    except AnswerError as wrong:
        raise RequestValidationError(
            [
                {"loc": ("query", question), "msg": message, "type": "answer"}
                for question, message in wrong.problems
            ]
        ) from None


@router.get("/api/lessons/{slug}/recommendation")
async def recommendation_json(lesson: LessonDep, request: Request) -> Recommendation:
    """The recommendation for one answer to each question, given as `?<question id>=<option id>`."""
    return _recommend(lesson, request)[1]


@router.get("/lessons/{slug}/recommendation", response_class=HTMLResponse, include_in_schema=False)
async def recommendation_page(
    lesson: LessonDep, course: CourseDep, learner_id: LearnerIdDep, request: Request
) -> HTMLResponse:
    answers, recommendation = _recommend(lesson, request)
    templates = request.app.state.templates
    context: dict[str, object] = {
        "lesson": lesson,
        "answers": answers,
        "recommendation": recommendation,
    }
    if request.headers.get("hx-request"):
        fragment = templates.get_template("partials/recommendation.html")
        return HTMLResponse(fragment.render(course=course, **context))

    view = await run_in_threadpool(_read_view, request, learner_id)
    page = page_context(course, view.progress, current=lesson, **context)
    return HTMLResponse(templates.get_template("recommendation.html").render(page))
