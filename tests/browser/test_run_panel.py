"""Lesson 1's "first endpoint" panel, used as a learner would: edit, run, read the real result."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/basics")
    panel = page.locator("#interactive-first-endpoint")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _append_code(page: Page, panel, text: str) -> None:
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text(text)


def test_preset_request_shows_the_real_response(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="GET /health").click()
    response = panel.locator('[data-panel="response"]')
    expect(response.locator("[data-status]")).to_have_attribute("data-status", "200")
    expect(response.locator("[data-response-body]")).to_contain_text('"status": "ok"')
    expect(panel.locator("[data-run-status]")).to_contain_text("Ran in")


def test_a_new_route_answers_and_appears_in_the_docs_tab(page: Page, live_server):
    panel = _panel(page, live_server)
    route = (
        '@app.get("/version")\ndef version() -> dict[str, str]:\n    return {"version": "1.0"}\n'
    )
    _append_code(page, panel, "\n\n" + route)
    panel.get_by_text("Build your own request").click()
    panel.get_by_label("Path").fill("/version")
    panel.get_by_role("button", name="Send").click()
    expect(panel.locator('[data-panel="response"] [data-response-body]')).to_contain_text(
        '"version": "1.0"'
    )
    panel.get_by_role("tab", name="Docs").click()
    docs = panel.frame_locator("[data-docs-frame]")
    expect(docs.get_by_text("/version", exact=True)).to_be_visible()
    expect(docs.get_by_text("/health", exact=True)).to_be_visible()


def test_a_syntax_error_is_marked_on_its_line_and_ctrl_enter_runs_again(page: Page, live_server):
    panel = _panel(page, live_server)
    _append_code(page, panel, "\n\ndef broken(:\n    pass\n")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "syntax_error")
    expect(panel.locator("[data-run-status]")).to_contain_text(re.compile("line 15"))
    expect(panel.locator(".cm-lint-marker-error")).to_have_count(1)

    panel.get_by_role("button", name="Reset to the starter code").click()
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "ok")
    expect(panel.locator(".cm-lint-marker-error")).to_have_count(0)


def test_reveal_solution_unlocks_after_the_first_run(page: Page, live_server):
    panel = _panel(page, live_server)
    reveal = panel.get_by_role("button", name="Reveal solution")
    expect(reveal).to_be_disabled()
    panel.get_by_role("button", name="GET /").first.click()
    expect(reveal).to_be_enabled()
    page.once("dialog", lambda dialog: dialog.accept())
    reveal.click()
    expect(mounted_editor(panel)).to_contain_text('@app.get("/version")')


def test_a_stream_that_never_ends_shows_its_first_part_and_says_why(page: Page, live_server):
    panel = _panel(page, live_server)
    route = (
        "from fastapi.responses import StreamingResponse\n\n"
        '@app.get("/forever")\ndef forever():\n'
        '    return StreamingResponse(iter(lambda: b"tick " * 10_000, None))\n'
    )
    _append_code(page, panel, "\n\n" + route)
    panel.get_by_text("Build your own request").click()
    panel.get_by_label("Path").fill("/forever")
    panel.get_by_role("button", name="Send").click()
    response = panel.locator('[data-panel="response"]')
    expect(response.locator("[data-status]")).to_have_attribute("data-status", "200")
    expect(response.locator("[data-response-body]")).to_contain_text("tick tick tick")
    expect(response.locator("[data-unfinished]")).to_contain_text("still sending the body")
    expect(response).to_contain_text("8388608 bytes read, still coming")
