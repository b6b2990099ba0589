"""The lesson's code editor: CodeMirror, edits kept across reloads, Reset."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def test_edits_survive_a_reload_and_reset_brings_back_the_starter(page: Page, live_server, course):
    lesson = next(item for item in course.lessons if item.meta.interactives)
    interactive = lesson.meta.interactives[0]
    page.goto(f"{live_server.url}/lessons/{lesson.slug}")
    panel = page.locator(f"#interactive-{interactive.id}")
    expect(panel).to_have_attribute("data-ready", "true")
    content = mounted_editor(panel)
    expect(content).to_contain_text("FastAPI")
    content.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.type("\n# a line I wrote")
    expect(panel.locator("[data-save-status]")).to_have_text("Saved")

    page.reload()
    panel = page.locator(f"#interactive-{interactive.id}")
    expect(mounted_editor(panel)).to_contain_text("# a line I wrote")

    panel.get_by_role("button", name="Reset to the starter code").click()
    expect(mounted_editor(panel)).not_to_contain_text("# a line I wrote")
    expect(panel.locator("[data-save-status]")).to_have_text("Saved")
    page.reload()
    expect(mounted_editor(page.locator(f"#interactive-{interactive.id}"))).not_to_contain_text(
        "# a line I wrote"
    )
