"""Lesson 14's wallet, used as a learner would: withdraw too much, edit the handler, see the 402
change; provoke the unhandled 500 and compare what the client saw with the output."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server):
    page.goto(f"{live_server.url}/lessons/error-handling")
    panel = page.locator("#interactive-error-handler-demo")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def test_the_402_comes_from_the_handler_the_learner_edits(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Withdraw $150").click()
    response = panel.locator('[data-panel="response"]')
    expect(response.locator("[data-status]")).to_have_attribute("data-status", "402")
    expect(response.locator("[data-response-body]")).to_contain_text('"needed": 150')

    # The line `content={"error": "insufficient_funds", ...},`: type before its closing "},".
    mounted_editor(panel).locator(".cm-line", has_text='content={"error"').click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.insert_text(', "short": exc.needed - exc.balance')
    panel.get_by_role("button", name="Withdraw $150").click()
    expect(response.locator("[data-response-body]")).to_contain_text('"short": 50')


def test_a_bad_amount_is_a_422_and_the_crash_a_bare_500(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name='Withdraw "abc"').click()
    response = panel.locator('[data-panel="response"]')
    expect(response.locator("[data-status]")).to_have_attribute("data-status", "422")
    expect(response.locator("[data-response-body]")).to_contain_text("int_parsing")
    panel.get_by_role("button", name="GET /report (unhandled)").click()
    expect(response.locator("[data-status]")).to_have_attribute("data-status", "500")
    expect(response.locator("[data-response-body]")).to_contain_text("Internal Server Error")
    expect(panel).to_contain_text("ZeroDivisionError")
