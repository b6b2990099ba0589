"""The incident debugger as a learner meets it: read the evidence, submit a wrong fix, then the
right one, and see the score, the tests and the XP."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from tests.browser.conftest import mounted_editor


def _replace_code(page: Page, code: str) -> None:
    mounted_editor(page.locator(".incident-editor")).click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)


def test_an_incident_is_solved_with_the_reference_fix_after_a_wrong_one(
    page: Page, live_server, course
):
    incident = course.incident("route-shadowing")
    page.goto(f"{live_server.url}/incidents")
    row = page.locator('tr[data-incident="route-shadowing"]')
    expect(row).to_have_attribute("data-state", "unsolved")
    row.get_by_role("link").click()

    # The evidence was measured on the broken service: /users/me answered 404.
    expect(page.locator(".incident-requests tr[data-status='404']").first).to_contain_text(
        "No user 'me'"
    )
    expect(page.locator(".incident-graph rect.bar")).to_have_count(8)

    _replace_code(page, incident.wrong["wrong/delete_the_template_route.py"])
    page.get_by_role("button", name="Submit fix").click()
    verdict = page.locator("#incident-verdict")
    expect(verdict.locator("[data-fix-feedback]")).to_have_attribute("data-fix-feedback", "failed")
    expect(verdict.locator('[data-test="failed"]').first).to_be_visible()
    expect(verdict).to_have_attribute("data-state", "partly solved")

    _replace_code(page, incident.fix)
    page.get_by_role("button", name="Submit fix").click()
    verdict = page.locator("#incident-verdict")
    expect(verdict.locator("[data-fix-feedback]")).to_have_attribute("data-fix-feedback", "solved")
    expect(verdict).to_contain_text("+75 XP")
    expect(verdict.locator('[data-test="failed"]')).to_have_count(0)
    expect(page.locator("#xp-badge [data-xp]")).to_have_text("75")

    page.goto(f"{live_server.url}/incidents")
    expect(page.locator('tr[data-incident="route-shadowing"]')).to_have_attribute(
        "data-state", "solved"
    )
