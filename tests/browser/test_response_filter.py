"""Lesson 4's response-filter widget, used as a learner would: pick, edit, run, read the result."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/response-models")
    panel = page.locator("#interactive-response-filter")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _after_run(panel: Locator, action) -> None:
    """Do `action`, then wait until the run it starts has finished."""
    before = int(panel.get_attribute("data-runs") or 0)
    action()
    expect(panel).to_have_attribute("data-runs", str(before + 1))
    expect(panel).to_have_attribute("data-state", "idle")


def _choose(panel: Locator, variant: str) -> None:
    _after_run(panel, lambda: panel.get_by_label("Response model").select_option(variant))


def _end_of_code(page: Page, panel: Locator) -> None:
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")


def _replace_code(page: Page, panel: Locator, code: str) -> None:
    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.press("Backspace")
    page.keyboard.insert_text(code)


def _code(panel: Locator) -> str:
    """The whole text of the editor (it draws only the lines in view)."""
    return panel.evaluate("panel => panel.editor.getCode()")


def test_without_a_model_the_hash_leaks_in_red_and_userout_keeps_it_home(live_server, page: Page):
    panel = _panel(page, live_server)
    _after_run(panel, lambda: panel.get_by_role("button", name="GET /users/1 · Alice").click())
    sent = panel.locator("[data-sent]")
    status = panel.locator("[data-run-status]")
    expect(sent.locator("[data-status]"), f"run: {status.text_content()}").to_have_attribute(
        "data-status", "200"
    )
    leaks = sent.locator(".rf-line.rf-leak")
    expect(leaks).to_have_count(2)
    expect(leaks.first).to_contain_text('"hashed_password": "$argon2id$')
    expect(leaks.last).to_contain_text('"is_admin": true')
    expect(panel.locator("[data-run-status]")).to_contain_text("2 sensitive field(s) left")
    expect(panel.locator("[data-docs]")).to_contain_text("without a response model")

    _choose(panel, "user-out")
    expect(sent.locator(".rf-line.rf-leak")).to_have_count(0)
    expect(sent).not_to_contain_text("hashed_password")
    returned = panel.locator("[data-returned]")
    expect(returned).to_contain_text("UserInDB(")
    hash_line = returned.locator(".rf-line", has_text="hashed_password=")
    expect(hash_line).to_contain_text("not sent: kept on the server")
    expect(returned).to_contain_text("validated it as UserOut")
    expect(panel.locator('[data-docs] [data-doc-status="200"]')).to_contain_text("UserOut")


def test_the_status_control_rewrites_the_decorator_and_the_docs_follow(live_server, page: Page):
    panel = _panel(page, live_server)
    _choose(panel, "user-out")
    _after_run(panel, lambda: panel.get_by_label("status_code").select_option("201"))
    assert '@app.get("/users/{user_id}", status_code=201)\n' in _code(panel)
    expect(panel.locator("[data-sent] [data-status]")).to_have_text("HTTP/1.1 201 Created")
    expect(panel.locator('[data-docs] [data-doc-status="201"]')).to_have_class(
        re.compile("rf-current")
    )
    expect(panel.locator('[data-docs] [data-doc-status="200"]')).to_have_count(0)

    # 204 cannot carry the body UserOut describes: FastAPI refuses the app at import.
    _after_run(panel, lambda: panel.get_by_label("status_code").select_option("204"))
    expect(panel).to_have_attribute("data-outcome", "runtime_error")
    expect(panel.locator("[data-run-status]")).to_contain_text(
        "Status code 204 must not have a response body"
    )
    # The decorator is near the end of the code: CodeMirror draws only the lines in view.
    _end_of_code(page, panel)
    expect(panel.locator(".cm-lint-marker-error")).to_have_count(1)


def test_returning_a_value_that_does_not_fit_the_model_is_a_real_500(live_server, page: Page):
    panel = _panel(page, live_server)
    _choose(panel, "user-out")
    _end_of_code(page, panel)
    page.keyboard.press("Shift+Home")
    page.keyboard.insert_text('return {"id": user_id}')
    _after_run(panel, lambda: page.keyboard.press("ControlOrMeta+Enter"))
    expect(panel.locator("[data-sent] [data-status]")).to_have_attribute("data-status", "500")
    returned = panel.locator("[data-returned]")
    expect(returned).to_contain_text("ResponseValidationError")
    expect(returned).to_contain_text("response → username: Field required")
    expect(returned.locator(".rf-code")).to_contain_text("'id': 1")


def test_your_own_model_decides_what_leaves(live_server, page: Page):
    panel = _panel(page, live_server)
    _choose(panel, "own-model")
    sent = panel.locator("[data-sent]")
    expect(sent.locator(".rf-code")).to_contain_text('"username": "alice"')
    expect(sent).not_to_contain_text("email")

    _end_of_code(page, panel)
    for _ in range(5):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.insert_text("hashed_password: str")
    _after_run(panel, lambda: page.keyboard.press("ControlOrMeta+Enter"))
    expect(sent.locator(".rf-line.rf-leak")).to_contain_text('"hashed_password"')
    documented = panel.get_by_role("list", name="Fields of UserCard")
    expect(documented).to_contain_text("documents a password hash")


def test_broken_apps_get_a_clear_message_and_the_widget_keeps_working(live_server, page: Page):
    panel = _panel(page, live_server)
    _replace_code(page, panel, "from fastapi import FastAPI\n\napi = FastAPI()\n")
    _after_run(panel, lambda: page.keyboard.press("ControlOrMeta+Enter"))
    expect(panel).to_have_attribute("data-outcome", "runtime_error")
    expect(panel.locator("[data-run-status]")).to_contain_text("defines no `app`")

    _replace_code(page, panel, "while True:\n    pass\n")
    _after_run(panel, lambda: page.keyboard.press("ControlOrMeta+Enter"))
    expect(panel).to_have_attribute("data-outcome", "timeout")
    expect(panel.locator(".cm-lint-marker-error")).to_have_count(1)

    panel.get_by_role("button", name="Reset this variant").click()
    _after_run(panel, lambda: panel.get_by_role("button", name="GET /users/2 · Bob").click())
    expect(panel).to_have_attribute("data-outcome", "ok")
    expect(panel.locator("[data-sent] .rf-code")).to_contain_text('"username": "bob"')


def test_each_variant_keeps_its_own_edits_after_a_reload(live_server, page: Page):
    panel = _panel(page, live_server)
    _choose(panel, "user-in-db")
    _end_of_code(page, panel)
    page.keyboard.insert_text("\n# my internal version")
    expect(panel.locator("[data-save-status]")).to_have_text("Saved")

    panel = _panel(page, live_server)
    expect(panel.get_by_label("Response model")).to_have_value("user-in-db")
    assert _code(panel).endswith("\n# my internal version")
    _choose(panel, "no-model")
    assert "# my internal version" not in _code(panel)
    _choose(panel, "user-in-db")
    assert _code(panel).endswith("\n# my internal version")


def test_the_course_page_runs_it_too(live_server, page: Page):
    page.goto(live_server.url)
    panel = page.locator("#interactive-response-filter")
    expect(panel).to_have_attribute("data-ready", "true")
    _after_run(panel, lambda: panel.get_by_role("button", name="GET /users/2 · Bob").click())
    expect(panel.locator("[data-sent] .rf-leak-summary")).to_contain_text("hashed_password")
