"""Search across the course: a results page without JavaScript, results as you type with htmx."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from deepdive.course.search import SearchIndex
from deepdive.web.deps import CourseDep, ProgressDep, page_context

router = APIRouter(include_in_schema=False)

# Longer queries are accepted (and cut by the index), so a pasted paragraph never gets a 422.
QueryText = Annotated[str, Query(max_length=10_000)]


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, course: CourseDep, progress: ProgressDep, q: QueryText = ""
) -> HTMLResponse:
    index: SearchIndex = request.app.state.search_index
    result = index.search(q)
    templates = request.app.state.templates
    if request.headers.get("HX-Request") == "true":
        return templates.TemplateResponse(
            request, "partials/search_results.html", {"result": result, "popup": True}
        )
    context = page_context(course, progress, current=None, result=result)
    return templates.TemplateResponse(request, "search.html", context)
