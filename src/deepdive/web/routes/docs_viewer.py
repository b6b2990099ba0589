"""A page that renders a learner app's OpenAPI document with the locally served Swagger UI."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@router.get("/docs-viewer", response_class=HTMLResponse)
async def docs_viewer(request: Request) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, "docs_viewer.html", {})
