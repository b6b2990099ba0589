"""Playwright driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

CHROMIUM = Path(os.environ.get("DEEPDIVE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# A run in the sandbox has a 10 s wall-clock limit, and a busy CI machine is slower than a laptop:
# every expectation may wait for a whole run to be reported.
expect.set_options(timeout=20_000)


def _is_browser_test(item: pytest.Item) -> bool:
    return "tests/browser/" in str(item.path).replace(os.sep, "/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.browser)
    # Once Playwright's sync API has started, its event loop counts as running in this thread,
    # so a later asyncio.run() (the sandbox fixtures) would fail: browser tests go last.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# Per module: while Playwright's synchronous API is open it holds an event loop in this thread,
# so tests collected after the browser tests could not call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("DEEPDIVE_REQUIRE_BROWSER") == "1":
            pytest.fail(
                f"Chromium is required but {CHROMIUM} does not exist (apt install chromium)"
            )
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# The page depends on the live server so that it is closed first: a draft save still pending
# when a test ends must not meet a server that has already stopped.
@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    messages: list[str] = []
    page = context.new_page()
    # A CSP violation or a script error is a bug: collect them and fail the test at the end.
    page.on(
        "console",
        lambda m: (
            messages.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: messages.append(str(e)))
    yield page
    context.close()
    assert not messages, f"the browser reported errors: {messages}"


def mounted_editor(where: Locator) -> Locator:
    """The text (`.cm-content`) of a CodeMirror editor once it has mounted. `where` is the editor's
    host (`[data-editor]`) or an element holding exactly one. The bundle is fetched only when an
    editor nears the viewport, so the host is scrolled into view first; until CodeMirror mounts
    the host holds a plain textarea."""
    is_host = where.evaluate("element => element.matches('[data-editor]')")
    host = where if is_host else where.locator("[data-editor]")
    host.scroll_into_view_if_needed()
    expect(host).to_have_attribute("data-mounted", "true")
    return host.locator(".cm-content")
