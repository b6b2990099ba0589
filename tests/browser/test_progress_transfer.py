"""The progress page's import form, with a file the server must refuse."""

from __future__ import annotations

from playwright.sync_api import Browser, expect


def test_a_file_too_large_to_import_is_refused_in_words_on_the_page(browser: Browser, live_server):
    # Not the `page` fixture: the browser logs the expected 413 as a console error.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda e: script_errors.append(str(e)))
    try:
        page.goto(f"{live_server.url}/progress")
        page.get_by_label("Import a progress file").set_input_files(
            {"name": "progress.json", "mimeType": "application/json", "buffer": b" " * (17 << 20)}
        )
        page.get_by_role("button", name="Import", exact=True).click()
        outcome = page.locator("#progress-outcome")
        expect(outcome).to_contain_text("Request too large")
        expect(outcome).to_contain_text("over 16 MiB, the most the course takes")
        expect(outcome).to_contain_text("nothing was changed")
        expect(page.locator("#xp-badge [data-xp]")).to_have_text("0")
    finally:
        context.close()
    assert not script_errors, script_errors
