"""Checked tasks as a learner meets them: hints one at a time, Check, the verdict, the XP."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/basics")
    panel = page.locator("#interactive-first-endpoint")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def test_a_task_is_checked_in_the_sandbox_and_earns_its_xp(page: Page, live_server):
    panel = _panel(page, live_server)
    task = panel.locator('form.task[data-task="version-route"]')
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="version-route"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "failed")
    expect(task.locator('[data-check="failed"]').first).to_contain_text("GET /version answered 404")

    mounted_editor(panel).click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text(
        '\n\n\n@app.get("/version")\n'
        "def version() -> dict[str, str]:\n"
        '    return {"version": "1.0"}\n'
    )
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="version-route"]')
    expect(task.locator("[data-task-feedback]")).to_have_attribute("data-task-feedback", "passed")
    expect(task).to_contain_text("+20 XP")
    expect(task).to_have_attribute("data-done", "yes")
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("20")


def test_hints_come_one_at_a_time_and_survive_a_check(page: Page, live_server):
    panel = _panel(page, live_server)
    task = panel.locator('form.task[data-task="verbose-health"]')
    hints = task.locator("[data-hints] li")
    expect(hints.nth(0)).to_be_hidden()
    task.get_by_role("button", name="Show a hint").click()
    expect(hints.nth(0)).to_be_visible()
    expect(hints.nth(1)).to_be_hidden()
    task.get_by_role("button", name="Show a hint").click()
    expect(hints.nth(1)).to_be_visible()
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="verbose-health"]')
    expect(task.locator("[data-task-feedback]")).to_be_visible()
    expect(task.locator("[data-hints] li").nth(1)).to_be_visible()
    expect(task.locator("[data-hints] li").nth(2)).to_be_hidden()


def test_a_tasks_solution_is_offered_after_a_check(page: Page, live_server):
    panel = _panel(page, live_server)
    task = panel.locator('form.task[data-task="verbose-health"]')
    expect(task.get_by_role("button", name="Show this task's solution")).to_be_disabled()
    task.get_by_role("button", name="Check my code").click()
    task = panel.locator('form.task[data-task="verbose-health"]')
    expect(task.locator("[data-task-feedback]")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    task.get_by_role("button", name="Show this task's solution").click()
    expect(mounted_editor(panel)).to_contain_text("verbose: bool = False")
