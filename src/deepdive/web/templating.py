"""The Jinja2 environment of the site."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from pydantic import BaseModel

from deepdive.course.render import make_markdown, render_inline
from deepdive.web.assets import static_url

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _markdown_inline_filter() -> Callable[[str], Markup]:
    md = make_markdown()  # raw HTML is disabled, so the output is safe to mark as such

    @lru_cache(maxsize=4096)
    def render(text: str) -> Markup:
        return Markup(render_inline(md, text))  # noqa: S704

    return render


def _plain(value: object) -> object:
    """Models (options, presets) as the JSON a widget's script reads: field names, no nulls."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def make_templates(*, isolation_warning: str | None = None) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    env = templates.env
    env.globals.update(static_url=static_url, isolation_warning=isolation_warning)
    env.filters["markdown_inline"] = _markdown_inline_filter()
    env.filters["plain"] = _plain
    env.auto_reload = False  # templates ship with the package and never change while serving
    env.trim_blocks = True
    env.lstrip_blocks = True
    return templates


def compile_all(templates: Jinja2Templates) -> int:
    """Compile every page template now; how many there are.

    A served worker does this before taking its first request: Jinja compiles a template on
    first use, without a lock, so a fresh worker (one Gunicorn just started in place of a dead
    one) that is handed dozens of requests at once would otherwise compile the same templates
    once per request, on the busiest CPU of the moment."""
    env = templates.env
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    for name in names:
        env.get_template(name)
    return len(names)
