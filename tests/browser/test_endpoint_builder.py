"""Lesson 2's "Build an endpoint" used as a learner would: fill the form, send URLs, flip routes."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from tests.browser.conftest import mounted_editor


def _panel(page: Page, live_server) -> Locator:
    page.goto(f"{live_server.url}/lessons/path-and-query")
    panel = page.locator("#interactive-endpoint-builder")
    expect(panel).to_have_attribute("data-ready", "true")
    return panel


def _send(panel: Locator, url: str) -> Locator:
    panel.get_by_label("URL").fill(url)
    panel.get_by_role("button", name="Send", exact=True).click()
    result = panel.locator("[data-result]")
    expect(result.locator("[data-status]")).to_be_visible()
    return result


def _row(result: Locator, name: str) -> Locator:
    return result.locator("table.eb-conversion tbody tr").filter(
        has=result.page.get_by_role("rowheader", name=name, exact=True)
    )


def test_a_preset_shows_the_text_sent_and_the_typed_values_received(page: Page, live_server):
    panel = _panel(page, live_server)
    expect(panel.locator("[data-form-status]")).to_have_text("The code follows the form.")
    panel.get_by_role("button", name="Text becomes 42 and True").click()
    result = panel.locator("[data-result]")
    expect(result.locator("[data-status]")).to_have_attribute("data-status", "200")
    expect(_row(result, "book_id")).to_contain_text('"42"42int')
    expect(_row(result, "in_stock")).to_contain_text('"yes"truebool')
    expect(result.locator(".eb-handler")).to_contain_text("echo_params (line 13)")


def test_bad_values_get_the_real_422_with_each_blamed_part_of_the_url_marked(
    page: Page, live_server
):
    panel = _panel(page, live_server)
    result = _send(panel, "/books/0?in_stock=maybe&limit=500")
    expect(result.locator("[data-status]")).to_have_attribute("data-status", "422")
    entries = result.locator(".eb-detail li")
    expect(entries).to_have_count(3)
    expect(entries.nth(1)).to_contain_text("bool_parsing")
    expect(entries.nth(1).locator("mark")).to_have_text('"in_stock"')
    expect(result.locator(".eb-url mark")).to_have_text(["0", "in_stock=maybe", "limit=500"])
    expect(result.locator(".eb-url mark").nth(2)).to_have_attribute("data-n", "3")


def test_the_form_rewrites_the_code_but_asks_before_replacing_edits(page: Page, live_server):
    panel = _panel(page, live_server)
    panel.get_by_role("button", name="Add a parameter").click()
    row = panel.locator("[data-param]").nth(3)
    row.get_by_label("Name").fill("genre")
    row.get_by_label("Type").select_option("Genre")
    row.get_by_label("When absent").select_option("optional")
    code = mounted_editor(panel.locator(":scope > [data-editor]"))
    expect(code).to_contain_text("genre: Genre | None = None")
    expect(code).to_contain_text("class Genre(StrEnum):")

    code.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("\n# my note\n")
    row.get_by_label("Name").fill("shelf")
    expect(panel.locator("[data-form-status]")).to_contain_text("your own edits")
    expect(code).to_contain_text("# my note")

    row.get_by_label("Name").fill("2shelf")
    expect(row.locator("[data-problems]")).to_contain_text("Python identifier")
    expect(row.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    row.get_by_label("Name").fill("shelf")

    page.once("dialog", lambda dialog: dialog.dismiss())
    panel.get_by_role("button", name="Generate code").click()
    expect(code).to_contain_text("# my note")
    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Generate code").click()
    expect(code).not_to_contain_text("# my note")
    expect(code).to_contain_text("shelf: Genre | None = None")

    result = _send(panel, "/books/1?shelf=science_fiction")
    expect(result.locator(".eb-detail li")).to_contain_text("enum")
    result = _send(panel, "/books/1?shelf=science-fiction")
    expect(_row(result, "shelf")).to_contain_text('"science-fiction"Genre')


def test_a_path_name_the_route_does_not_capture_is_reported_missing(page: Page, live_server):
    panel = _panel(page, live_server)
    code = mounted_editor(panel.locator(":scope > [data-editor]"))
    code.locator(".cm-line", has_text="book_id: Annotated").click()
    page.keyboard.press("End")
    page.keyboard.press("Home")
    for _ in "book_":
        page.keyboard.press("Delete")
    expect(code).to_contain_text("    id: Annotated")
    result = _send(panel, "/books/42")
    expect(result.locator("[data-status]")).to_have_attribute("data-status", "422")
    expect(result.locator(".eb-detail li")).to_contain_text('["path", "id"]')
    expect(result.locator(".eb-missing mark")).to_have_text("id")


def test_broken_code_points_at_its_line_and_the_widget_keeps_working(page: Page, live_server):
    panel = _panel(page, live_server)
    code = mounted_editor(panel.locator(":scope > [data-editor]"))
    code.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.insert_text("\n\nraise RuntimeError('not yet')\n")
    page.keyboard.press("ControlOrMeta+Enter")
    expect(panel).to_have_attribute("data-outcome", "runtime_error")
    expect(panel.locator("[data-run-status]")).to_contain_text(re.compile("line 25"))
    expect(panel.locator("[data-result]")).to_contain_text("not yet")
    expect(panel.locator(":scope > [data-editor] .cm-lint-marker-error")).to_have_count(1)

    panel.get_by_role("button", name="Reset to the starter code").click()
    result = _send(panel, "/books/1")
    expect(result.locator("[data-status]")).to_have_attribute("data-status", "200")
    expect(panel).to_have_attribute("data-outcome", "ok")


def test_route_order_runs_both_versions_and_shows_the_shadowing(page: Page, live_server):
    panel = _panel(page, live_server)
    order = panel.locator("[data-route-order]")
    order.get_by_role("button", name="Run both versions").click()
    shadowed = order.locator('[data-outcome-of="template-first"]')
    fixed = order.locator('[data-outcome-of="fixed-first"]')
    featured = '[data-request="GET /books/featured"]'
    expect(shadowed.locator(f"{featured} [data-status]")).to_have_attribute("data-status", "422")
    expect(shadowed.locator(featured)).to_contain_text("read_book (line 9)")
    expect(fixed.locator(f"{featured} [data-status]")).to_have_attribute("data-status", "200")
    expect(fixed.locator(featured)).to_contain_text("featured_books (line 9)")
    expect(order.locator("[data-verdict]")).to_contain_text("read_book answered 422")

    order.get_by_role("radio", name="/books/featured is declared first").check()
    visible_code = mounted_editor(order.locator("[data-variant]:visible"))
    expect(visible_code).to_contain_text("fixed paths first")
