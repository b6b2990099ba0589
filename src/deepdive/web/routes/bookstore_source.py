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

from deepdive.course.progress import Progress
from deepdive.course.render import SourceLinks, focusable, make_markdown
from deepdive.web.deps import ProgressDep

router = APIRouter(include_in_schema=False)

_SHOWN_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".ini", ".mako", ".toml", ".txt"}
_SHOWN_NAMES = {"Dockerfile", "Dockerfile.dockerignore"}


@cache
def source_files(root: Path) -> tuple[str, ...]:
    """Every file of the Bookstore worth reading, relative to its package folder."""
    files = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix in _SHOWN_SUFFIXES or path.name in _SHOWN_NAMES)
    ]
    return tuple(sorted(files))


@cache
def _highlighted(root: Path, relative: str) -> str:
    path = root / relative
    try:
        lexer = get_lexer_for_filename(path.name)
    except ClassNotFound:
        lexer = get_lexer_by_name("docker" if path.name.startswith("Dockerfile") else "text")
    formatter = HtmlFormatter(
        cssclass="highlight", linenos="inline", lineanchors="L", wrapcode=True
    )
    return focusable(highlight(path.read_text(encoding="utf-8"), lexer, formatter))


@cache
def _document(root: Path, relative: str) -> str:
    """A Markdown file of the Bookstore, rendered as the lessons are (code highlighted)."""
    return make_markdown().render((root / relative).read_text(encoding="utf-8"))


def _source(request: Request) -> SourceLinks:
    links: SourceLinks | None = request.app.state.course.bookstore
    if links is None:
        raise HTTPException(404, "This course has no Bookstore source to show.")
    return links


def _render(request: Request, current: str | None, progress: Progress) -> HTMLResponse:
    root = _source(request).root
    document = current is not None and current.endswith(".md")
    context = {
        "files": source_files(root),
        "current": current,
        "progress": progress,
        "document": _document(root, current) if current and document else None,
        "code": _highlighted(root, current) if current and not document else None,
    }
    return request.app.state.templates.TemplateResponse(request, "bookstore_source.html", context)


@router.get("/bookstore", response_class=HTMLResponse)
async def bookstore_index(request: Request, progress: ProgressDep) -> HTMLResponse:
    files = source_files(_source(request).root)
    return _render(request, "README.md" if "README.md" in files else None, progress)


@router.get("/bookstore/{relative:path}", response_class=HTMLResponse)
async def bookstore_file(relative: str, request: Request, progress: ProgressDep) -> HTMLResponse:
    if relative not in source_files(_source(request).root):
        raise HTTPException(404, f"The Bookstore API has no file {Path(relative).as_posix()!r}.")
    return _render(request, relative, progress)
