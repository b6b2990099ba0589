"""What a learner's code can import in the sandbox: Python's version and the packages."""

from __future__ import annotations

import platform
from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from deepdive.sandbox.packages import installed
from deepdive.web.deps import CourseDep, ProgressDep
from deepdive.web.routes.pages import page_context

router = APIRouter(include_in_schema=False)

_GROUPS = {
    "framework": "The framework",
    "data": "Data, databases and validation",
    "security": "Security",
    "responses": "Responses and templates",
    "testing": "Testing",
}


@router.get("/packages", response_class=HTMLResponse)
def packages_page(request: Request, course: CourseDep, progress: ProgressDep) -> HTMLResponse:
    found = [item for item in installed() if item.version is not None]
    groups = [
        (_GROUPS[group], list(items))
        for group, items in groupby(
            sorted(found, key=lambda item: list(_GROUPS).index(item.package.group)),
            key=lambda item: item.package.group,
        )
    ]
    context = page_context(
        course, progress, current=None, groups=groups, python=platform.python_version()
    )
    return request.app.state.templates.TemplateResponse(request, "packages.html", context)
