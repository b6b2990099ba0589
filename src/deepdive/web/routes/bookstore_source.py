"""Read-only, highlighted source of the reference Bookstore API, for lessons to link into."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.util import ClassNotFound

from deepdive.course.render import BOOKSTORE_DIR

router = APIRouter(include_in_schema=False)

_SHOWN_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".ini", ".mako", ".toml", ".txt"}
_SHOWN_NAMES = {"Dockerfile", "Dockerfile.dockerignore"}


@cache
def source_files() -> tuple[str, ...]:
    """Every file of the Bookstore worth reading, relative to its package folder."""
    files = [
        path.relative_to(BOOKSTORE_DIR).as_posix()
        for path in BOOKSTORE_DIR.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix in _SHOWN_SUFFIXES or path.name in _SHOWN_NAMES)
    ]
    return tuple(sorted(files))


@cache
def _highlighted(relative: str) -> str:
    path = BOOKSTORE_DIR / relative
    try:
        lexer = get_lexer_for_filename(path.name)
    except ClassNotFound:
        lexer = get_lexer_by_name("docker" if path.name.startswith("Dockerfile") else "text")
    formatter = HtmlFormatter(
        cssclass="highlight", linenos="inline", lineanchors="L", wrapcode=True
    )
    return highlight(path.read_text(encoding="utf-8"), lexer, formatter)


def _render(request: Request, current: str | None) -> HTMLResponse:
    context = {
        "files": source_files(),
        "current": current,
        "code": _highlighted(current) if current else None,
    }
    return request.app.state.templates.TemplateResponse(request, "bookstore_source.html", context)


@router.get("/bookstore", response_class=HTMLResponse)
async def bookstore_index(request: Request) -> HTMLResponse:
    return _render(request, "README.md" if "README.md" in source_files() else None)


@router.get("/bookstore/{relative:path}", response_class=HTMLResponse)
async def bookstore_file(relative: str, request: Request) -> HTMLResponse:
    if relative not in source_files():
        raise HTTPException(404, f"The Bookstore API has no file {Path(relative).as_posix()!r}.")
    return _render(request, relative)
