"""The course page lays out its later interactives after the first paint, and loses nothing by it.

Every interactive below the first section is in the page's HTML but out of the layout until the
page has been read; then they are shown a few parts per frame. Links into the page, reloads,
printing and a browser without scripts must all still find them where they belong.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

DEFERRED = ".deferred-interactive"


def _shown(page: Page) -> int:
    return page.locator(DEFERRED).evaluate_all("els => els.filter((e) => e.offsetHeight).length")


def test_later_interactives_are_in_the_html_and_all_shown_soon_after_the_page_loads(
    page: Page, live_server, course
):
    page.goto(live_server.url + "/")
    later = len(course.course_page_interactives) - 1
    assert page.locator(DEFERRED).count() == later
    # The first section's interactive is laid out with the page.
    expect(page.locator("section.interactive").first).not_to_have_class("deferred-interactive")
    assert page.locator(f"{DEFERRED} #interactive-first-endpoint").count() == 0
    expect(page.locator("html")).not_to_have_class("deferring", timeout=5_000)
    assert page.locator("[data-deferred], [data-deferred-part]").count() == 0
    assert _shown(page) == later


def test_the_later_interactives_are_out_of_the_layout_until_the_page_has_been_read(
    browser: Browser, live_server
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    # Without app.js nothing shows them but the safety net of theme.js, a few seconds after load.
    page.route("**/js/app.js*", lambda route: route.abort())
    page.goto(live_server.url + "/")
    assert page.locator(DEFERRED).count() > 0
    assert _shown(page) == 0
    expect(page.locator("html")).not_to_have_class("deferring", timeout=10_000)
    assert _shown(page) == page.locator(DEFERRED).count()
    context.close()


def test_a_link_to_an_interactive_far_down_lands_on_it_and_stays(page: Page, live_server):
    page.goto(live_server.url + "/#interactive-chat-room")
    chat = page.locator("#interactive-chat-room")
    expect(chat).to_be_in_viewport()
    top = chat.evaluate("e => e.getBoundingClientRect().top")
    expect(page.locator("html")).not_to_have_class("deferring", timeout=5_000)
    # What was shown above it afterwards did not push it away.
    assert abs(chat.evaluate("e => e.getBoundingClientRect().top") - top) < 2


def test_a_link_followed_before_everything_is_shown_shows_what_it_points_into(
    browser: Browser, live_server
):
    context = browser.new_context()
    page = context.new_page()
    # Hold the frames that show them one by one.
    page.add_init_script("window.requestAnimationFrame = () => 0;")
    page.goto(live_server.url + "/")
    assert _shown(page) == 0
    page.evaluate("location.hash = '#interactive-deploy-config'")
    expect(page.locator("#interactive-deploy-config")).to_be_in_viewport()
    # Everything above it is shown too (it would otherwise move once they were); nothing below.
    shown = _shown(page)
    assert 0 < shown < page.locator(DEFERRED).count()
    context.close()


def test_a_reload_far_down_the_page_comes_back_to_the_same_place(page: Page, live_server):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).not_to_have_class("deferring", timeout=5_000)
    page.locator("#interactive-deploy-config").scroll_into_view_if_needed()
    before = page.evaluate("scrollY")
    assert before > 5_000
    page.reload()
    expect(page.locator("#interactive-deploy-config")).to_be_in_viewport()
    assert page.evaluate("scrollY") > before - page.viewport_size["height"]


def test_without_scripts_every_interactive_is_shown(browser: Browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator(DEFERRED).count() > 0
    assert _shown(page) == page.locator(DEFERRED).count()
    context.close()


def test_printing_shows_every_interactive(browser: Browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    # Hold the frames that show them one by one: only printing may show them here.
    page.add_init_script("window.requestAnimationFrame = () => 0;")
    page.goto(live_server.url + "/")
    assert _shown(page) == 0
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert _shown(page) == page.locator(DEFERRED).count()
    context.close()
