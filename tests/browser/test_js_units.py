"""Table-driven unit tests of the course's scripts, run in Chromium on a static page.

Each `tests/browser/js/*.test.js` module exports a table of cases; the page `runner.html`
imports one, runs every case and reports. The page and the scripts are served from disk
through Playwright's request routing, under an origin of their own: no server, no Node.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from deepdive.web.assets import STATIC_DIR

HERE = Path(__file__).parent / "js"
ORIGIN = "http://units.test"
MODULES = sorted(path.name for path in HERE.glob("*.test.js"))


def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN).split("?", 1)[0]
    if path.startswith("/static/"):
        file = STATIC_DIR / path.removeprefix("/static/")
    else:
        file = HERE / path.removeprefix("/tests/")
    if not file.is_file():
        route.fulfill(status=404, body=f"no {path}")
        return
    kind = "text/javascript" if file.suffix == ".js" else mimetypes.guess_type(file.name)[0]
    route.fulfill(status=200, body=file.read_bytes(), content_type=kind or "text/plain")


@pytest.fixture
def unit_page(browser) -> Page:
    context = browser.new_context()
    page = context.new_page()
    page.route(f"{ORIGIN}/**", _serve)
    yield page
    context.close()


@pytest.mark.parametrize("module", MODULES)
def test_every_case_of_the_table_passes(unit_page: Page, module: str):
    unit_page.goto(f"{ORIGIN}/tests/runner.html?module=/tests/{module}")
    unit_page.wait_for_function("() => window.results !== undefined", timeout=10_000)
    results = unit_page.evaluate("() => window.results")
    assert results, f"{module} has no cases"
    failed = [
        f"{r['name']}: got {r['actual']}, expected {r['expected']}" for r in results if not r["ok"]
    ]
    assert not failed, "\n".join(failed)
