"""The end of the course: what the learner has done, and a printable certificate once every lesson
is done. Everything on it is read from the learner's own progress on the server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from deepdive.course.progress import LessonState
from deepdive.web.deps import CourseDep, ProgressDep, page_context

router = APIRouter(include_in_schema=False)

NameQuery = Annotated[str, Query(max_length=80, description="The name to print on the certificate")]


@router.get("/completion", response_class=HTMLResponse)
def completion_page(
    request: Request, course: CourseDep, progress: ProgressDep, name: NameQuery = ""
) -> HTMLResponse:
    lessons = [
        (lesson, progress.state(lesson), *progress.lesson_xp(lesson)) for lesson in course.lessons
    ]
    solved = [i for i in course.incidents if i.award_key in progress.earned]
    tasks = [
        key
        for lesson in course.lessons
        for interactive in lesson.meta.interactives
        for task in interactive.tasks
        if (key := lesson.task_key(interactive, task)) in progress.earned
    ]
    task_total = sum(len(i.tasks) for lesson in course.lessons for i in lesson.meta.interactives)
    questions = [
        q for lesson in course.lessons for q in lesson.quiz.questions
        if lesson.quiz_key(q) in progress.earned
    ]  # fmt: skip
    question_total = sum(len(lesson.quiz.questions) for lesson in course.lessons)
    finished = all(state is LessonState.DONE for _, state, _, _ in lessons)
    context = page_context(
        course,
        progress,
        current=None,
        lessons=lessons,
        solved_incidents=solved,
        tasks_done=len(tasks),
        task_total=task_total,
        questions_done=len(questions),
        question_total=question_total,
        finished=finished,
        name=" ".join(name.split()),
        today=datetime.now(UTC).strftime("%d %B %Y"),
    )
    return request.app.state.templates.TemplateResponse(request, "completion.html", context)
