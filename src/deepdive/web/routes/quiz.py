"""Answering quiz questions: an HTML fragment for the page, JSON for API clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from deepdive.course.models import Lesson, QuizQuestion, quiz_award_key
from deepdive.course.progress import award_xp, mark_started, read_progress, record_attempt
from deepdive.course.quiz import AnswerError, AnswerResult, check_answer
from deepdive.web.deps import CourseDep, LearnerIdDep, LessonDep, SessionDep, page_context

router = APIRouter()


class AnswerIn(BaseModel):
    answer: list[int] = Field(description="Indexes (from 0) of the chosen options")


class ExplanationOut(BaseModel):
    text: str
    why: str
    correct: bool


class AnswerOut(BaseModel):
    correct: bool
    xp_awarded: int = Field(description="XP granted by this answer: 0 if wrong or already earned")
    total_xp: int
    level: int
    level_name: str
    explanations: list[ExplanationOut]
    advice: str = Field(description="What to do next when the answer is not right")


def _question(lesson: Lesson, question_id: str) -> QuizQuestion:
    question = lesson.question(question_id)
    if question is None:
        raise HTTPException(404, f"Lesson {lesson.slug!r} has no question {question_id!r}.")
    return question


def _chosen(question: QuizQuestion, selected: frozenset[int]) -> str:
    """A wrong answer in words: the options chosen, by letter and text."""
    chosen = sorted(selected)
    letters = ", ".join(chr(ord("A") + index) for index in chosen)
    texts = " / ".join(question.options[index].text for index in chosen)
    return f"Chose {letters}: {texts}" if chosen else "Chose nothing"


def _answer(
    session: SessionDep, learner_id: int, lesson: Lesson, question: QuizQuestion, chosen: list[int]
) -> AnswerResult:
    result = check_answer(question, chosen)
    key = quiz_award_key(lesson.slug, question.id)
    mark_started(session, learner_id, lesson.slug, commit=False)
    # Counted like a task's check, so an instructor sees the tries and the usual wrong choice.
    record_attempt(
        session,
        learner_id,
        key,
        solved=result.correct,
        failure=None if result.correct else _chosen(question, result.selected),
    )
    if not result.correct:
        return result
    xp = lesson.question_xp(question)
    granted = award_xp(session, learner_id, key, xp)
    return AnswerResult(
        correct=True,
        selected=result.selected,
        explanations=result.explanations,
        xp_awarded=xp if granted else 0,
    )


@router.post(
    "/lessons/{slug}/quiz/{question_id}", response_class=HTMLResponse, include_in_schema=False
)
def answer_from_page(
    request: Request,
    question_id: str,
    lesson: LessonDep,
    course: CourseDep,
    session: SessionDep,
    learner_id: LearnerIdDep,
    answer: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies defaults)
) -> HTMLResponse:
    question = _question(lesson, question_id)
    status_code, result, error = 200, None, None
    try:
        result = _answer(session, learner_id, lesson, question, answer)
    except AnswerError as problem:
        status_code, error = 422, str(problem)
    progress = read_progress(session, learner_id, request.app.state.course.levels)
    context = page_context(
        course,
        progress,
        current=lesson,
        lesson=lesson,
        question=question,
        result=result,
        error=error,
        oob=True,
    )
    return request.app.state.templates.TemplateResponse(
        request, "partials/quiz_answer.html", context, status_code=status_code
    )


@router.post("/api/lessons/{slug}/quiz/{question_id}", response_model=AnswerOut, tags=["quiz"])
def answer_from_api(
    question_id: str,
    body: AnswerIn,
    lesson: LessonDep,
    course: CourseDep,
    session: SessionDep,
    learner_id: LearnerIdDep,
) -> AnswerOut:
    question = _question(lesson, question_id)
    try:
        result = _answer(session, learner_id, lesson, question, body.answer)
    except AnswerError as problem:
        raise HTTPException(422, str(problem)) from problem
    progress = read_progress(session, learner_id, course.levels)
    return AnswerOut(
        correct=result.correct,
        xp_awarded=result.xp_awarded,
        total_xp=progress.xp,
        level=progress.level.level.number,
        level_name=progress.level.level.name,
        explanations=[
            ExplanationOut(text=e.text, why=e.why, correct=e.correct) for e in result.explanations
        ],
        advice=result.advice,
    )
