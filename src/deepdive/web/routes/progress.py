"""The learner's progress: overview, export, import and reset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from deepdive.course.progress import read_progress, reset_progress
from deepdive.course.transfer import (
    MAX_IMPORT_BYTES,
    ProgressFileError,
    export_progress,
    import_progress,
    parse_progress_file,
)
from deepdive.web.deps import CourseDep, LearnerIdDep, ProgressDep, SessionDep, page_context
from deepdive.web.errors import wants_json

router = APIRouter()


class LessonProgressOut(BaseModel):
    slug: str
    title: str
    state: str
    xp_earned: int
    xp_available: int


class ProgressOut(BaseModel):
    xp: int
    level: int
    level_name: str
    next_level_xp: int | None
    lessons: list[LessonProgressOut]


@router.get("/api/progress", response_model=ProgressOut, tags=["progress"])
def progress_summary(course: CourseDep, progress: ProgressDep) -> ProgressOut:
    lessons = []
    for lesson in course.lessons:
        earned, available = progress.lesson_xp(lesson)
        lessons.append(
            LessonProgressOut(
                slug=lesson.slug,
                title=lesson.title,
                state=progress.state(lesson).value,
                xp_earned=earned,
                xp_available=available,
            )
        )
    next_level = progress.level.next_level
    return ProgressOut(
        xp=progress.xp,
        level=progress.level.level.number,
        level_name=progress.level.level.name,
        next_level_xp=next_level.min_xp if next_level else None,
        lessons=lessons,
    )


@router.get("/progress", response_class=HTMLResponse, include_in_schema=False)
def progress_page(request: Request, course: CourseDep, progress: ProgressDep) -> HTMLResponse:
    context = page_context(course, progress, current=None)
    return request.app.state.templates.TemplateResponse(request, "progress.html", context)


@router.get("/api/progress/export", tags=["progress"])
def export(session: SessionDep, learner_id: LearnerIdDep) -> Response:
    exported = export_progress(session, learner_id)
    stamp = exported.exported_at.strftime("%Y%m%d-%H%M%S")
    return Response(
        exported.model_dump_json(indent=2),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="deepdive-progress-{stamp}.json"'},
    )


def _outcome(
    request: Request,
    course: CourseDep,
    session: SessionDep,
    learner_id: int,
    *,
    status_code: int,
    message: str,
    ok: bool,
) -> Response:
    """JSON for API clients; for the page, a status message plus refreshed XP and contents."""
    if wants_json(request):
        if not ok:
            raise HTTPException(status_code, message)
        return JSONResponse({"ok": True, "message": message})
    progress = read_progress(session, learner_id, request.app.state.course.levels)
    context = page_context(course, progress, current=None, message=message, ok=ok, oob=True)
    return request.app.state.templates.TemplateResponse(
        request, "partials/progress_outcome.html", context, status_code=status_code
    )


@router.post("/api/progress/import", tags=["progress"])
def import_file(
    request: Request,
    course: CourseDep,
    session: SessionDep,
    learner_id: LearnerIdDep,
    file: Annotated[UploadFile, File(description="A file made by export")],
) -> Response:
    raw = file.file.read(MAX_IMPORT_BYTES + 1)
    hosted = request.app.state.settings.mode == "hosted"
    try:
        report = import_progress(
            session, learner_id, course, parse_progress_file(raw), mark_imported=hosted
        )
    except ProgressFileError as problem:
        return _outcome(
            request,
            course,
            session,
            learner_id,
            status_code=422,
            ok=False,
            message=f"Nothing was imported: {problem}",
        )
    parts = [f"{report.awards_added} new award(s) worth {report.xp_added} XP"]
    if report.awards_already_had:
        parts.append(f"{report.awards_already_had} you already had")
    if report.awards_unknown:
        parts.append(f"{report.awards_unknown} for content that no longer exists (skipped)")
    parts.append(f"{report.drafts_updated} saved editor(s) restored")
    note = ""
    if hosted and report.awards_added:
        note = " Your instructors see the new awards as imported until you solve those items here."
    return _outcome(
        request,
        course,
        session,
        learner_id,
        status_code=200,
        ok=True,
        message="Imported: " + ", ".join(parts) + "." + note,
    )


@router.post("/api/progress/reset", tags=["progress"])
def reset(
    request: Request,
    course: CourseDep,
    session: SessionDep,
    learner_id: LearnerIdDep,
    confirm: Annotated[str, Form(description='Type "reset" to confirm')] = "",
) -> Response:
    if confirm.strip().lower() != "reset":
        return _outcome(
            request,
            course,
            session,
            learner_id,
            status_code=422,
            ok=False,
            message='Nothing was reset: type "reset" in the box to confirm.',
        )
    reset_progress(session, learner_id)
    return _outcome(
        request,
        course,
        session,
        learner_id,
        status_code=200,
        ok=True,
        message="Your progress was reset: XP, lesson states and saved code are gone.",
    )
