"""The config generator's server half: the files for a choice, hadolint's verdict on its
Dockerfile, and the zip to download (with the learner's own code)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from deepdive.course.progress import load_draft
from deepdive.db.models import Draft
from deepdive.deployment.bundle import FOLDER, make_zip
from deepdive.deployment.generator import (
    DeployChoice,
    render,
    suggested_workers,
    worker_advice,
)
from deepdive.deployment.lint import lint_dockerfile
from deepdive.web.deps import CourseDep, LearnerIdDep, SessionDep

router = APIRouter(prefix="/api/deploy", tags=["deployment"])

_FLAGS = ("healthcheck", "non_root", "multi_stage", "dockerignore")


def _choice(request: Request) -> DeployChoice | JSONResponse:
    """The form's values from the query string, or a 422 whose message names the field."""
    values: dict[str, Any] = {
        key: value for key, value in request.query_params.items() if key != "widget"
    }
    for flag in _FLAGS:
        if flag in values:
            values[flag] = values[flag] in ("1", "true", "on", "yes")
    try:
        return DeployChoice.model_validate(values)
    except ValidationError as problem:
        first = problem.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "form"
        message = first["msg"].removeprefix("Value error, ")
        return JSONResponse({"message": f"{field}: {message}.", "field": field}, status_code=422)


@router.get("/files")
async def deployment_files(request: Request) -> Any:
    """The generated files for the choices in the query string, and hadolint's verdict; for
    choices that cannot be generated, `problem` says why (an answer about the choices, so 200:
    the page shows it as it would show files)."""
    choice = _choice(request)
    if isinstance(choice, JSONResponse):
        return {"problem": json.loads(choice.body)}
    files = render(choice)
    verdict = await run_in_threadpool(lint_dockerfile, files["Dockerfile"])
    return {
        "files": files,
        "suggested_workers": suggested_workers(choice.cores),
        "advice": worker_advice(choice),
        "lint": {
            "available": verdict.available,
            "clean": verdict.clean,
            "version": verdict.version,
            "findings": [finding.__dict__ for finding in verdict.findings],
        },
    }


@router.get("/bundle")
def deployment_bundle(
    request: Request, course: CourseDep, learner_id: LearnerIdDep, session: SessionDep
) -> Response:
    """A zip: the generated files, the learner's saved code of this widget as app/main.py, and
    their latest code of every earlier lesson's widgets. A plain function: FastAPI runs it in its
    thread pool, so the database reads and the zipping never hold up the event loop."""
    choice = _choice(request)
    if isinstance(choice, JSONResponse):
        return choice
    widget_id = request.query_params.get("widget", "")
    found = course.widget(widget_id)
    if found is None:
        return JSONResponse({"message": f"There is no interactive {widget_id!r}."}, 404)
    lesson, interactive = found
    draft = load_draft(session, learner_id, widget_id)
    app_code = draft.code if draft else lesson.sources[interactive.starter]
    earlier_lessons = {item.slug for item in course.lessons if item.meta.order < lesson.meta.order}
    rows = session.execute(
        select(Draft.widget_id, Draft.code).where(Draft.learner_id == learner_id)
    ).all()
    earlier = {
        row.widget_id: row.code for row in rows if row.widget_id.split("/")[0] in earlier_lessons
    }
    data = make_zip(choice, app_code, earlier)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{FOLDER}.zip"'},
    )
