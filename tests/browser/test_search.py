"""The header's search box, used from the keyboard as a learner would."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from tests.browser.conftest import mounted_editor


def test_slash_focuses_search_results_appear_as_you_type_and_arrows_reach_one(page, live_server):
    page.goto(live_server.url + "/lessons/basics")
    box = page.get_by_role("searchbox", name="Search the course")
    page.locator("body").press("/")
    expect(box).to_be_focused()
    box.press_sequentially("shadowing")
    first = page.locator("#site-search-results [data-search-hit]").first
    expect(first).to_contain_text("Route order")
    box.press("ArrowDown")
    expect(first).to_be_focused()
    first.press("Enter")
    expect(page).to_have_url(re.compile(r"/lessons/path-and-query#route-order"))
    anchor = page.url.split("#", 1)[1]
    # The section heading sits below the sticky header, in view.
    heading = page.locator(f"[id='{anchor}']")
    expect(heading).to_be_in_viewport()


def test_enter_opens_the_results_page_and_escape_leaves_the_box(page, live_server):
    page.goto(live_server.url + "/")
    box = page.get_by_role("searchbox", name="Search the course")
    page.keyboard.press("/")
    expect(box).to_be_focused()
    box.fill("dependency overrides")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=dependency\+overrides"))
    results = page.get_by_role("region", name="Search results")
    expect(results.locator("mark").first).to_be_visible()
    box = page.get_by_role("searchbox", name="Search the course")
    page.keyboard.press("/")
    box.press_sequentially("teardown")
    expect(page.locator("#site-search-results [data-search-hit]").first).to_be_visible()
    box.press("Escape")
    expect(box).not_to_be_focused()
    expect(page.locator("#site-search-results [data-search-hit]")).to_have_count(0)


def test_slash_typed_in_an_editor_stays_in_the_editor(page, live_server):
    page.goto(live_server.url + "/lessons/basics")
    editor = mounted_editor(page.locator("[data-editor]").first)
    editor.click()
    page.keyboard.press("/")
    expect(page.get_by_role("searchbox", name="Search the course")).not_to_be_focused()
