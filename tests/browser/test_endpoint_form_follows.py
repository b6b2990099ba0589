"""Lesson 2's endpoint builder: after a hand edit renames a parameter, the form says the code no
longer matches it, instead of "The code follows the form"."""

from __future__ import annotations

from playwright.sync_api import expect


def test_renaming_a_parameter_by_hand_says_the_form_no_longer_describes_the_code(page, live_server):
    page.goto(f"{live_server.url}/lessons/path-and-query")
    panel = page.locator("#interactive-endpoint-builder")
    expect(panel).to_have_attribute("data-ready", "true")
    status = panel.locator("[data-form-status]")
    expect(status).to_have_text("The code follows the form.")
    code = panel.evaluate("p => p.editor.getCode()")
    assert "book_id" in code
    editor = panel.locator(":scope > [data-editor] .cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(
        code.replace("book_id:", "id:").replace("_seen(book_id)", "_seen(id)")
    )
    expect(status).to_contain_text("id")
    expect(status).to_contain_text("book_id")
    expect(status).not_to_have_text("The code follows the form.")
    # Generating again from the form brings them back together.
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Generate code").click()
    expect(status).to_have_text("The code follows the form.")
